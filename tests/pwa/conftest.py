"""The PWA in Debian's Chromium, driven by Playwright, against a live server on loopback.

The server runs the real app on its own SQLite file (it commits, unlike the transactional
tests), in a thread; it can be stopped and started again on the same port, and told to drop
the connection of one upload after storing it, as a phone losing signal mid-answer would.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import Session
from werkzeug.serving import make_server

from server import clock as server_clock
from server import create_app
from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.auth.models import User
from server.auth.service import make_hasher
from server.care.models import CareAgreement
from server.db import Database
from server.migrate import upgrade
from server.people import idnumber
from server.people.models import Person
from server.places import service as places

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "pwa-test-pass"
HOME = (42.3, 119.9)
INSTANT = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# what a form says once saved: 已保存 (kept in the outbox, or saved at once) — or, when the outbox has
# already sent it by the time the test looks, 已发送 N 条记录, which overwrites it
SAVED = "#status:text-matches('已保存|已发送')"



class LiveServer:
    def __init__(self, app):
        self.app = app
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.drop_next_upload = False
        self.uploads_seen = 0
        self._server = None
        self._thread = None

    def wsgi(self, environ, start_response):
        if environ["PATH_INFO"] == "/api/visits" and environ["REQUEST_METHOD"] == "POST":
            if self.drop_next_upload:
                # Store the visit, then lose the connection before the answer reaches the phone.
                self.drop_next_upload = False
                statuses = []
                result = self.app(environ, lambda status, headers, exc_info=None: statuses.append(status))
                b"".join(result)
                getattr(result, "close", lambda: None)()
                self.dropped_status = statuses[0]
                self.uploads_seen += 1
                sock = environ["werkzeug.socket"]
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
                return []
            self.uploads_seen += 1
        return self.app(environ, start_response)

    def start(self):
        self._server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def clock():
    """The browser tests' clock: the server (a thread of this process) and Chromium both start at
    INSTANT and run on from there together — a check-in compares the phone's clock with the server's."""
    with time_machine.travel(INSTANT, tick=True):
        yield


@pytest.fixture(scope="module")
def site(tmp_path_factory, clock):
    tmp = tmp_path_factory.mktemp("pwa")
    url = f"sqlite:///{tmp / 'pwa.db'}"
    upgrade(url=url)
    database = Database(url)
    hasher = make_hasher(time_cost=1, memory_kib=8)
    with Session(database.engine) as s:
        d = places.create(s, actor=None, name="测试旗", level="district")
        town = places.create(s, actor=None, name="甲镇", level="township", parent_id=d.id)
        v1 = places.create(s, actor=None, name="东营子村", level="village", parent_id=town.id)
        v2 = places.create(s, actor=None, name="西沟村", level="village", parent_id=town.id)
        pw = hasher.hash(PASSWORD)
        cg = User(username="13900000001", password_hash=pw, role="caregiver", display_name="王照料", place_id=v1.id)
        staff = User(username="staff", password_hash=pw, role="township_staff", display_name="民政专干", place_id=town.id)
        vol = User(username="vol", password_hash=pw, role="volunteer", display_name="志愿者小赵", place_id=town.id)
        s.add_all([cg, staff, vol])
        s.flush()
        team = VolunteerTeam(name="甲镇志愿服务队", township_id=town.id)
        s.add(team)
        s.flush()
        s.add(VolunteerTeamMember(team_id=team.id, user_id=vol.id))
        people = []
        for k, (name, village, level) in enumerate([("李秀英", v1, "partly_disabled"), ("张德明", v2, "self_care")]):
            born = date(1944 + k, 3, 8)
            p = Person(name=name, sex="F" if k == 0 else "M", birth_date=born,
                       id_number=idnumber.make("150430", born, 100 + k, "F" if k == 0 else "M"),
                       self_care_level=level, village_id=village.id, address=f"{village.name}{k + 3}号",
                       home_lat=HOME[0] + k * 0.01, home_lon=HOME[1], home_location_state="confirmed",
                       enrolled_on=date(2020, 1, 1))
            s.add(p)
            s.flush()
            s.add(CareAgreement(person_id=p.id, caregiver_id=cg.id, relation="relative",
                                signed_on=INSTANT.date() - timedelta(days=60), start_on=INSTANT.date() - timedelta(days=60)))
            people.append(p.id)
        town_id = town.id
        s.commit()
    from server.notify.channels import generate_vapid_pem

    app = create_app({"DATABASE": database, "SECRET_KEY": "pwa", "VAPID_PRIVATE_KEY": generate_vapid_pem(), "INSTANCE_DIR": str(tmp), "MEDIA_DIR": str(tmp / "media"),
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8})
    server = LiveServer(app)
    server.start()
    server.people = people
    server.township_id = town_id
    server.database = database
    yield server
    server.stop()
    database.engine.dispose()


def count_visits(site, person_id=None) -> int:
    with site.database.engine.connect() as conn:
        q = "SELECT count(*) FROM visit" + (f" WHERE person_id = {int(person_id)}" if person_id else "")
        return conn.scalar(sa.text(q))


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with _one_faked_clock(), sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"],
        )
        _assert_browser_keeps_the_installed_time(b)
        yield b
        b.close()


@contextmanager
def _one_faked_clock():
    """Under ``faketime -f '@…'`` every process started afterwards begins again at the faked
    instant, unless FAKETIME_DONT_RESET is set. Playwright's driver (node) would then stamp its
    clock log minutes behind Chromium, which keeps this process's clock, and each new page would
    replay ``install`` plus that gap: the phone ran as far ahead of the server as pytest was old
    (11 minutes ahead in a full `make test`, past the check-in's skew allowance: a 422). The
    driver is started here sharing this process's faked clock; outside faketime nothing changes."""
    if "FAKETIME" not in os.environ or "FAKETIME_DONT_RESET" in os.environ:
        yield
        return
    os.environ["FAKETIME_DONT_RESET"] = "1"
    try:
        yield
    finally:
        del os.environ["FAKETIME_DONT_RESET"]


def _assert_browser_keeps_the_installed_time(b) -> None:
    """A page's clock starts where ``clock.install`` put it; the tests compare it with the server's."""
    ctx = b.new_context()
    try:
        ctx.clock.install(time=server_clock.now())
        page = ctx.new_page()
        page.goto("data:text/html,<p>clock</p>")
        ahead = page.evaluate("Date.now()") / 1000 - server_clock.now().timestamp()
    finally:
        ctx.close()
    if abs(ahead) > 5:
        pytest.fail(f"Chromium's page clock is {ahead:+.0f} s off the server's right after clock.install: "
                    "the Playwright driver and Chromium do not share one clock (faketime without FAKETIME_DONT_RESET?)")


@pytest.fixture
def context(browser, site):
    ctx = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=1,
        geolocation={"latitude": HOME[0] + 0.0002, "longitude": HOME[1] + 0.0002, "accuracy": 12},
        permissions=["geolocation"],
        locale="zh-CN",
        base_url=site.url,
    )
    ctx.clock.install(time=server_clock.now())  # the server's clock (travelled to INSTANT, ticking)
    yield ctx
    ctx.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def wait_sw(page) -> None:
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000)


def login(page, username="13900000001", password=PASSWORD) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def fetched(page) -> list[str]:
    """The paths the page has fetched so far (scripts, modules, styles, JSON, …), once per fetch."""
    # through an observer: the test's fake clock stands in for `performance` and keeps no entries
    return page.evaluate("""() => new Promise((resolve) => new PerformanceObserver((list, observer) => {
        observer.disconnect();
        resolve(list.getEntries().map((e) => new URL(e.name).pathname));
    }).observe({ type: 'resource', buffered: true }))""")


def outbox_count(page) -> int:
    return page.evaluate("ZY.outbox.count()")


def wait_until(fn, timeout=15.0, what="condition"):
    end = time.monotonic() + timeout  # the wall clock is frozen or travelled in tests
    while time.monotonic() < end:
        if fn():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
