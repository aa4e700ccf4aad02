"""Issue 28 (7) in Chromium at 360×740: every screen reachable from each role's home has a way
back (结对帮扶 and 节日走访慰问 had none); ‹ after a field report went back to the blank form; a
hospital stay was saved with nothing said in view; 去世 was chosen already on the exit form, saved
with no confirmation and no undo — now nothing is chosen, what it will do is said and confirmed,
and staff undo an exit recorded in error, with why, audited."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session

from server.auth.models import User
from server.auth.service import make_hasher
from server.pairing.models import Cadre, Pairing, PairingUnit, UnitTownship
from tests.pwa.conftest import INSTANT, PASSWORD, SAVED, login, shot, wait_until
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser

CADRE = "13900000077"


@pytest.fixture(scope="module")
def everyone(site):
    """Beside the site's caregiver, volunteer and township staff: a district admin and a cadre
    paired with 李秀英."""
    pw = make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD)
    with Session(site.database.engine) as s:
        district_id = s.scalar(sa.text("SELECT id FROM place WHERE level = 'district'"))
        staff_id = s.scalar(sa.text("SELECT id FROM app_user WHERE username = 'staff'"))
        unit = PairingUnit(name="旗民政局", district_id=district_id, leader_name="孙局长", leader_phone="0476-4300000")
        s.add(unit)
        s.flush()
        s.add(UnitTownship(unit_id=unit.id, township_id=site.township_id))
        cadre_user = User(username=CADRE, password_hash=pw, role="cadre", display_name="钱干部", phone=CADRE,
                          place_id=district_id)
        s.add_all([cadre_user, User(username="district", password_hash=pw, role="district_admin",
                                    display_name="旗民政局", place_id=district_id)])
        s.flush()
        cadre = Cadre(user_id=cadre_user.id, unit_id=unit.id, rank="other")
        s.add(cadre)
        s.flush()
        s.add(Pairing(cadre_id=cadre.id, person_id=site.people[0], started_on=INSTANT.date() - timedelta(days=10),
                      created_by=staff_id))
        s.commit()


HOMES = [("13900000001", "#/home"), ("vol", "#/volunteer"), ("staff", "#/staff"), ("district", "#/district"),
         (CADRE, "#/cadre")]
LINKS = "() => [...new Set([...document.querySelectorAll('#view a[href^=\"#/\"]')].map(a => a.getAttribute('href')))]"
BACK_SHOWN = "() => { const b = document.getElementById('back'); return b && !b.hidden; }"


def drawn(page, hash_):
    page.wait_for_function(f"() => location.hash === {json.dumps(hash_)}")
    page.wait_for_function("() => !document.querySelector('#view p.muted:only-child')")  # past the boot text


@pytest.mark.parametrize("username, home", HOMES, ids=[h for _, h in HOMES])
def test_every_screen_reachable_from_a_home_has_a_way_back(context, site, everyone, username, home):
    page = open_app(context)
    login(page, username)
    drawn(page, home)
    page.wait_for_function(f"() => ({LINKS})().some(h => h !== {json.dumps(home)})")  # its links drawn
    page.wait_for_timeout(300)  # the home's last tiles (counts) drawn
    first = [href for href in page.evaluate(LINKS) if href != home]
    assert first, f"{home} links nowhere"
    deeper: set[str] = set()
    for href in first:
        page.evaluate(f"location.hash = {json.dumps(home)}")
        page.wait_for_selector(f"#view a[href='{href}']")
        page.locator(f"#view a[href='{href}']").first.click()
        page.wait_for_function(f"() => location.hash !== {json.dumps(home)}")
        try:
            page.wait_for_function(BACK_SHOWN, timeout=5000)
        except Exception:
            raise AssertionError(f"{username}: {href} (from {home}) has no ‹") from None
        deeper.update(h for h in page.evaluate(LINKS) if h not in first and h != home)
        page.click("#back")
        page.wait_for_function(f"() => location.hash === {json.dumps(home)}")  # ‹ leads home again
    for href in sorted(deeper)[:40]:  # a second step from the home, each screen once
        page.evaluate(f"location.hash = {json.dumps(href)}")
        try:
            page.wait_for_function(BACK_SHOWN, timeout=5000)
        except Exception:
            raise AssertionError(f"{username}: {href} (two steps from {home}) has no ‹") from None


def test_back_after_a_field_report_leads_to_where_it_was_opened(context, site, everyone):
    page = open_app(context)
    login(page)
    drawn(page, "#/home")
    page.click("#reports-link")
    page.wait_for_selector("#new-report")
    page.click("#new-report")
    page.wait_for_selector("#report-person option:has-text('李秀英')", state="attached")
    page.click("button[data-category=major_change]")
    page.click("button[data-subject=hospital]")
    page.select_option("#report-person", label="李秀英 · 东营子村")
    page.fill("#report-description", "昨晚突发胸闷，已送旗医院住院")
    page.click("#report-submit")
    page.wait_for_selector(SAVED)
    assert page.evaluate("location.hash") == "#/my-reports"
    page.click("#back")
    page.wait_for_function("() => location.hash !== '#/my-reports'")
    assert page.evaluate("location.hash") != "#/report"  # not the blank form again
    assert page.locator("#report-description").count() == 0


def test_a_hospital_stay_is_confirmed_in_view(context, site, everyone):
    page = open_app(context)
    login(page, "staff")
    drawn(page, "#/staff")
    page.wait_for_selector("#roster-link")  # the home drawn whole before going on
    page.evaluate(f"location.hash = '#/absence/{site.people[1]}'")
    page.wait_for_selector("#lc-absence-save")
    day = INSTANT.date().isoformat()
    page.fill("#lc-start", day)
    page.fill("#lc-end", day)
    page.locator("#lc-absence-save").scroll_into_view_if_needed()
    page.click("#lc-absence-save")
    status = page.locator("#status:has-text('已登记')")
    expect(status).to_be_in_viewport()
    expect(page.locator("[data-absence].just-saved")).to_have_count(1)
    shot(page, "28-7-absence-saved")


def test_an_exit_is_chosen_confirmed_and_undone(context, site, everyone):
    person = site.people[1]
    page = open_app(context)
    login(page, "staff")
    drawn(page, "#/staff")
    page.click("#roster-link")
    page.wait_for_selector("#lc-q")
    page.fill("#lc-q", "张德明")
    page.click("#lc-search")
    page.click(f"#lc-found [data-person='{person}'] [data-action=exit]")
    page.wait_for_selector("#lc-exit-save")
    # nothing chosen for the official
    assert page.input_value("#lc-exit-reason") == ""
    page.click("#lc-exit-save")
    page.wait_for_selector(".field-error:has-text('请选择退出原因')")
    assert page.locator("#lc-exit-confirm-yes").count() == 0
    page.select_option("#lc-exit-reason", "deceased")
    page.click("#lc-exit-save")
    # what it will do, said in view, before anything is stored
    confirm = page.locator("#lc-exit-confirm-text")
    expect(confirm).to_be_in_viewport()
    assert confirm.inner_text().startswith("确认登记张德明于") and "丧葬事宜办理任务" in confirm.inner_text()
    shot(page, "28-7-exit-confirm")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT status FROM person WHERE id = {person}")) == "active"
    page.click("#lc-exit-confirm-no")  # 返回修改
    assert page.is_visible("#lc-exit-save") and page.is_enabled("#lc-exit-reason")
    page.click("#lc-exit-save")
    page.click("#lc-exit-confirm-yes")
    page.wait_for_selector(f"[data-exit='{person}']")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT status FROM person WHERE id = {person}")) == "deceased"

    # recorded in error: undone from the recent exits, with why
    card = page.locator(f"[data-exit='{person}']")
    card.locator("[data-action=undo-exit]").click()
    card.locator("[data-action=undo-confirm]").click()
    card.locator(".field-error:has-text('请写明撤销的原因')").wait_for()
    card.locator("textarea").fill("登记错了人，张德明健在")
    shot(page, "28-7-exit-undo")
    card.locator("[data-action=undo-confirm]").click()
    page.wait_for_selector("#status:has-text('已撤销张德明的退出登记')")
    wait_until(lambda: page.locator(f"[data-exit='{person}']").count() == 0, what="the exit to leave the list")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT status FROM person WHERE id = {person}")) == "active"
        assert conn.scalar(sa.text(f"SELECT outcome FROM alert WHERE kind = 'funeral' AND person_id = {person}")) == "withdrawn"
        assert conn.scalar(sa.text("SELECT count(*) FROM auditlog WHERE action = 'exit_undone'")) == 1
    # ‹ from the roster leads to the staff home, not to the exit form
    page.click("#back")
    page.wait_for_function("() => location.hash === '#/staff'")
