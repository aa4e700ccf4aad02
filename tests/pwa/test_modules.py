"""The PWA is native ES modules (issue 31): one module script on the page, the shell imports a
screen's module when the screen is first opened and a role's home module at its login, so a
caregiver's phone never fetches the office's screens; the service worker keeps every module for
offline (the office's only for staff)."""

import json
import re
from pathlib import Path

import pytest

from server import clock

from tests.pwa.conftest import fetched, login, wait_sw, wait_until
from tests.pwa.test_budget import shell_files
from tests.pwa.test_pwa import open_app

PWA = Path(__file__).resolve().parents[2] / "pwa"
MODULES = sorted(p.name for p in PWA.glob("*.js") if p.name != "sw.js")


def _screens_table() -> dict[str, list[str]]:
    """app.js SCREENS: module → the screens it shows."""
    body = re.search(r"const SCREENS = \{(.*?)\n\};", (PWA / "app.js").read_text(), re.S).group(1)
    body = re.sub(r"//[^\n]*", "", body)
    return {f"{k}.js": v for k, v in json.loads(
        "{" + re.sub(r"'", '"', re.sub(r"([\w-]+):", r'"\1":', body)).rstrip().rstrip(",") + "}").items()}


def _office() -> list[str]:
    listed = re.search(r"const OFFICE = \[(.*?)\];", (PWA / "sw.js").read_text(), re.S).group(1)
    return re.findall(r"'/([^'/]+\.js)'", listed)


def test_the_page_loads_one_module_script_and_no_classic_one():
    html = (PWA / "index.html").read_text()
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="/app.js">']
    for name in MODULES:
        text = (PWA / name).read_text()
        assert not re.search(r"^\(function \(", text, re.M), f"{name} is still a classic script's closure"
        assert re.search(r"^(import|export) ", text, re.M), f"{name} neither imports nor exports"


def test_every_import_names_a_module_that_exports_it():
    for name in MODULES + ["sw.js"]:
        text = (PWA / name).read_text()
        for names, target in re.findall(r"^import \{ ([^}]+) \} from '\./([\w]+\.js)';", text, re.M):
            exported = (PWA / target).read_text()
            for wanted in (n.strip() for n in names.split(",")):
                assert re.search(rf"^export (const|function|async function) {wanted}\b|^export \{{[^}}]*\b{wanted}\b",
                                 exported, re.M), f"{name} imports {wanted} that {target} does not export"


def test_each_module_shows_exactly_the_screens_the_shell_looks_for_in_it():
    table = _screens_table()
    for name in MODULES:
        registered = re.findall(r"(?:App\.)?screen\('([\w-]+)'", (PWA / name).read_text())
        if name == "app.js":
            assert not set(registered) & {s for v in table.values() for s in v}
            continue
        if registered:
            assert sorted(registered) == sorted(table.get(name, [])), name
        else:
            assert name not in table, name


def test_the_service_worker_keeps_every_module_and_the_office_only_where_it_is_needed():
    shell = {f.lstrip("/") for f in shell_files() if f.endswith(".js")}
    office = set(_office())
    assert shell | office == set(MODULES)
    assert not shell & office
    table = _screens_table()
    assert office <= set(table)  # only screens' modules, each opened by import()
    # the caregiver's and the volunteer's screens are in the shell: they open offline at once
    for role_module in ("caregiver.js", "volunteer.js", "cadre.js", "fieldreport.js"):
        assert role_module in shell


browser = pytest.mark.browser


def _scripts(page) -> set[str]:
    return {p for p in fetched(page) if p.endswith(".js")}


@browser
def test_a_caregiver_fetches_the_shell_and_the_caregivers_screens_only(context):
    page = open_app(context)
    assert page.locator("#username").is_visible()
    login_scripts = _scripts(page)
    assert login_scripts == {"/app.js", "/api.js", "/i18n.js", "/db.js", "/outbox.js"}
    login(page)
    page.wait_for_selector(".card")
    assert page.url.endswith("#/home")
    scripts = _scripts(page)
    assert "/caregiver.js" in scripts
    assert not scripts & {"/staff.js", "/coverage.js", "/district.js", "/reports.js", "/campaigns.js", "/imports.js"}
    page.wait_for_timeout(300)
    kept = page.evaluate("async () => Boolean(await caches.match('/campaigns.js'))")
    assert kept is False  # nor does its service worker keep the office's screens


@browser
def test_staff_find_the_office_screens_kept_for_offline(context):
    page = open_app(context)
    login(page, "staff")
    page.wait_for_selector("main h2")
    wait_sw(page)
    wait_until(lambda: all(page.evaluate(f"async () => Boolean(await caches.match('/{m}'))") for m in _office()),
               what="the office's modules kept by the service worker")
    context.set_offline(True)
    try:
        page.reload()
        page.wait_for_selector("main h2")
        # never opened in this page, yet here without a network
        assert page.evaluate("() => import('/campaigns.js').then(() => 'ok', (e) => String(e))") == "ok"
    finally:
        context.set_offline(False)


@browser
def test_a_screen_whose_module_failed_to_arrive_opens_when_asked_again(browser, site):
    ctx = browser.new_context(base_url=site.url, locale="zh-CN", service_workers="block")  # page.route sees all
    ctx.clock.install(time=clock.now())
    try:
        page = ctx.new_page()
        page.goto("/")
        login(page, "staff")
        page.wait_for_selector("main h2")
        page.route("**/spotchecks.js*", lambda route: route.abort())
        page.goto("/#/spot-checks")
        page.wait_for_selector("#status.error")
        assert "当前没有网络" in page.inner_text("#status")
        page.unroute("**/spotchecks.js*")
        page.goto("/#/staff")
        page.wait_for_selector("main h2")
        page.goto("/#/spot-checks")
        page.wait_for_function("() => document.querySelector('#title').textContent === '抽查回访'")
    finally:
        ctx.close()


@browser
def test_an_office_module_brings_its_strings_and_they_follow_a_language_switch(context):
    """i18n.js more(): the care homes' strings are fetched with their module, not with the shell,
    and a switch of language reads them again in the other language."""
    page = open_app(context)
    login(page, "staff")
    page.wait_for_selector("main h2")
    assert "/i18n/carehomes.zh-CN.json" not in fetched(page)
    page.goto("/#/care-homes")
    page.wait_for_function("() => document.querySelector('#title').textContent === '敬老院'")
    assert "/i18n/carehomes.zh-CN.json" in fetched(page)
    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#title').textContent === 'Care homes'")
    assert "/i18n/carehomes.en.json" in fetched(page)
    page.click("#lang")
    page.wait_for_function("() => document.querySelector('#title').textContent === '敬老院'")
