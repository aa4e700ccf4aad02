"""The PWA as a caregiver and staff use it, in real Chromium."""

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.pwa.conftest import (
    SAVED,
    count_visits,
    login,
    outbox_count,
    shot,
    wait_sw,
    wait_until,
)

pytestmark = pytest.mark.browser

PHOTO = str(Path(__file__).resolve().parents[1] / "visits" / "files" / "good.jpg")


def open_app(context):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    return page


def check_in(page, person_name="李秀英", screenshot=None):
    page.click(f".card:has-text('{person_name}')")
    page.click("#start-checkin")
    page.click("#arrive")  # 开始走访: the visit's clock and its GPS fix start here
    page.set_input_files("#photo-input", PHOTO)
    page.wait_for_selector("#photos img")
    page.wait_for_function("() => document.querySelector('#gps-status').textContent.includes('12')")
    if screenshot:
        shot(page, screenshot)
    page.click("button[data-field=health][data-code=well]")
    page.click("button[data-field=living_environment][data-code=clean]")
    page.click("#submit")
    # a quick check-in is too short to count: the first tap says so, the second sends it for review
    page.wait_for_selector("#too-short-error")
    page.click("#submit")
    page.wait_for_selector(SAVED)


def wait_offline_ready(page, site) -> None:
    """What the person screen needs in a dead zone is kept: the person's record and the catalogue."""
    page.wait_for_function("() => Promise.all([ZY.kv.get('person:%d'), ZY.kv.get('catalogue:' + I18N.lang)])"
                           ".then((got) => got.every(Boolean))" % site.people[0])


def photos_of_last_visit(site) -> int:
    with site.database.engine.connect() as conn:
        vid = conn.scalar(sa.text("SELECT max(id) FROM visit"))
        return conn.scalar(sa.text(f"SELECT count(*) FROM visitphoto WHERE visit_id = {vid}"))


def test_installable_and_the_shell_loads_offline(context, site):
    page = open_app(context)
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # a test context is incognito, which Chrome reports as such; every other criterion must hold
    assert [e for e in errors if e["errorId"] != "in-incognito"] == []
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["name"] == "照应" and manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    shot(page, "01-login")
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#username")
    assert page.title() == "照应"


def test_offline_check_in_survives_a_reload_and_is_sent_once(context, site):
    page = open_app(context)
    login(page)
    page.wait_for_selector(".card:has-text('李秀英')")
    assert "本月 0/1" in page.inner_text(".card:has-text('李秀英')")  # the default: one 探访 a month
    shot(page, "02-caregiver-home")
    wait_offline_ready(page, site)
    before = count_visits(site)

    context.set_offline(True)
    page.click(".card:has-text('李秀英')")
    page.wait_for_selector("#start-checkin")
    shot(page, "03-person")
    page.go_back()
    check_in(page, screenshot="04-check-in")
    assert outbox_count(page) == 1
    assert page.is_visible("#outbox-badge")

    page.reload()  # still offline: the shell comes from the service worker, the visit from IndexedDB
    page.wait_for_selector("#outbox-badge:has-text('1')")
    assert outbox_count(page) == 1
    page.click("#outbox-badge")
    page.wait_for_selector(".card:has-text('李秀英')")
    shot(page, "05-outbox")
    assert count_visits(site) == before

    context.set_offline(False)  # the page hears `online` and sends
    wait_until(lambda: outbox_count(page) == 0, what="the outbox to empty")
    assert count_visits(site) == before + 1
    assert photos_of_last_visit(site) == 1


def test_server_lost_during_upload_still_one_visit(context, site):
    page = open_app(context)
    login(page)
    page.wait_for_selector(".card:has-text('张德明')")

    # 1. the server stores the visit, but the answer never reaches the phone
    before, seen = count_visits(site), site.uploads_seen
    site.drop_next_upload = True
    check_in(page, "张德明")
    wait_until(lambda: site.uploads_seen == seen + 1, what="the first upload")
    assert site.dropped_status.startswith("201")
    page.wait_for_timeout(300)
    assert outbox_count(page) == 1 and count_visits(site) == before + 1
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(lambda: outbox_count(page) == 0, what="the replay")
    assert site.uploads_seen == seen + 2
    assert count_visits(site) == before + 1  # the replay was recognised, not stored again

    # 2. the server is down while the phone sends, and comes back
    site.stop()
    try:
        page.goto("/#/home")
        page.wait_for_selector(".card:has-text('张德明')")
        check_in(page, "张德明")
        page.wait_for_timeout(500)
        assert outbox_count(page) == 1
    finally:
        site.start()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(lambda: outbox_count(page) == 0, what="the outbox after the server came back")
    assert count_visits(site) == before + 2


def test_expired_login_goes_to_login_and_keeps_the_outbox(context, site):
    page = open_app(context)
    login(page)
    page.wait_for_selector(".card:has-text('李秀英')")
    wait_offline_ready(page, site)
    before = count_visits(site)
    context.set_offline(True)
    check_in(page)
    with site.database.engine.begin() as conn:
        conn.execute(sa.text("UPDATE authtoken SET revoked_at = :now"), {"now": datetime.now(timezone.utc)})
    context.set_offline(False)
    page.wait_for_selector("#username")
    assert "登录已失效" in page.inner_text("#status")
    assert outbox_count(page) == 1 and count_visits(site) == before
    login(page)
    wait_until(lambda: outbox_count(page) == 0, what="the outbox after logging in again")
    assert count_visits(site) == before + 1


def test_a_refused_entry_leaves_the_outbox_with_its_reason(context, site):
    page = open_app(context)
    login(page)
    page.wait_for_selector(".card")
    body = json.dumps({"client_id": "5f0c7d3e-8a7e-4c55-9d67-2a4d1c3b9e10", "person_id": 999999, "mode": "phone",
                       "started_at": "2026-11-01T10:00:00+08:00"})
    page.evaluate("""async (body) => {
        await ZY.outbox.add({url: '/api/visits', method: 'POST', contentType: 'application/json',
                             body: new TextEncoder().encode(body).buffer, clientId: 'x', label: '测试记录'});
    }""", body)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(lambda: outbox_count(page) == 0, what="the refused entry to leave")
    page.goto("/#/outbox")
    page.wait_for_selector(".card.overdue:has-text('找不到该人员')")


def test_staff_review_exceptions_and_see_coverage(context, site):
    page = open_app(context)
    login(page, "staff")
    cards = page.locator("[data-visit]")
    wait_until(lambda: cards.count() > 0, what="exceptions (quick check-ins are too short)")
    cards.first.locator("summary").click()  # a line in the queue until opened (issue 28 problem 3)
    page.wait_for_selector("[data-visit] .thumbs img")
    shot(page, "06-staff-exceptions")
    first = cards.first
    visit_id = first.get_attribute("data-visit")
    first.locator("label.decision.accept").click()  # nothing is chosen for the reviewer (issue 28)
    first.locator("select").select_option(index=1)
    first.locator("button.review-submit", has_text="确认通过").click()
    page.wait_for_selector(f"[data-visit='{visit_id}']:has-text('已审核')")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT status FROM visit WHERE id = {int(visit_id)}")) == "accepted"
    page.click("a[href='#/coverage']")
    page.wait_for_selector(".card[data-place]")
    assert page.locator("svg.chart rect").count() == 6
    shot(page, "07-coverage")


def test_volunteer_sees_names_and_villages(context, site):
    page = open_app(context)
    login(page, "vol")
    page.wait_for_selector("table td")
    assert {"李秀英", "张德明"} <= set(page.locator("td").all_inner_texts())
    shot(page, "08-volunteer")


def test_for_older_eyes_and_small_screens(context, site):
    page = open_app(context)
    login(page)
    page.wait_for_selector(".card")
    for hash_ in ("#/home", f"#/person/{site.people[0]}", f"#/checkin/{site.people[0]}", "#/outbox"):
        page.goto(f"/{hash_}")
        page.wait_for_selector("main > *")
        page.wait_for_timeout(300)
        report = page.evaluate("""() => {
            const small = [];
            for (const el of document.querySelectorAll('button, a.button, a.card, a.badge, input[type=text], select, label.button')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.height && (r.height < 48 || r.width < 48)) small.push(el.outerHTML.slice(0, 80));
            }
            const fonts = [...document.querySelectorAll('main p, main li, main span, main label, main button')]
                .map(e => parseFloat(getComputedStyle(e).fontSize)).filter(Boolean);
            return {small, minFont: Math.min(...fonts), scrollWidth: document.documentElement.scrollWidth};
        }""")
        assert report["small"] == [], (hash_, report["small"])
        assert report["minFont"] >= 16, hash_
        assert report["scrollWidth"] <= 360, hash_


def test_logout_forgets_the_records_kept_for_offline_use(context, site):
    page = open_app(context)
    login(page)
    wait_offline_ready(page, site)
    page.click("button.danger:has-text('退出登录')")
    page.wait_for_selector("#username")
    keys = page.evaluate("""new Promise((resolve) => {
        const r = indexedDB.open('zhaoying');
        r.onsuccess = () => { const q = r.result.transaction('kv').objectStore('kv').getAllKeys();
                              q.onsuccess = () => resolve(q.result); };
    })""")
    assert keys == ["lang"]


def test_english_second(context, site):
    page = open_app(context)
    page.click("#lang")
    page.wait_for_selector("button[type=submit]:has-text('Log in')")
    login(page, "13900000001", "wrong")
    page.wait_for_selector("#status:has-text('Wrong username or password')")


SPY = """
window.__permissionAsked = 0;
const realAsk = Notification.requestPermission.bind(Notification);
Notification.requestPermission = (...a) => { window.__permissionAsked += 1; return realAsk(...a); };
// No push service is reachable from here (nor from China for Chrome): stand in for the browser's.
PushManager.prototype.subscribe = async function () {
  return { toJSON: () => ({ endpoint: 'https://fcm.googleapis.com/fcm/send/abc123',
    keys: { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
            auth: 'tBHItJI5svbpez7KI4CCXg' } }) };
};
"""


def test_notifications_opt_in_asks_only_on_tap_and_sends_the_subscription(context, site, monkeypatch):
    from server.notify import channels
    from server.notify.service import notify

    # the server (in this process) checks where the endpoint resolves: a public address, without DNS
    monkeypatch.setattr(channels, "resolve", lambda host, port, **kw: [(2, 1, 6, "", ("142.250.196.106", port))])

    context.grant_permissions(["notifications", "geolocation"])
    context.add_init_script(SPY)
    page = open_app(context)
    login(page)
    page.wait_for_selector(".card")
    with site.database.engine.connect() as conn:
        uid = conn.scalar(sa.text("SELECT id FROM app_user WHERE username = '13900000001'"))
    from sqlmodel import Session

    with Session(site.database.engine) as s:
        notify(s, user_ids=[uid], kind="reminder", title="本月走访提醒", body="李秀英本月还需走访 4 次", dedupe_key="t1")
        s.commit()
    page.click("#inbox-link")
    page.wait_for_selector("[data-notification]:has-text('本月走访提醒')")
    assert page.evaluate("window.__permissionAsked") == 0
    shot(page, "09-inbox")
    page.click("#push-optin")
    page.wait_for_selector("#status:has-text('消息提醒已开启')")
    assert page.evaluate("window.__permissionAsked") == 1
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT endpoint FROM pushsubscription WHERE user_id = {uid}")) == \
            "https://fcm.googleapis.com/fcm/send/abc123"
    page.click("text=全部标为已读")
    page.wait_for_function("() => !document.body.innerText.includes('全部标为已读')")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT count(*) FROM notification WHERE user_id = {uid} AND read_at IS NULL")) == 0


def test_staff_acknowledge_and_resolve_an_alert(context, site):
    from sqlmodel import Session

    from server.alerts.service import AlertSettings, raise_alert

    with Session(site.database.engine) as s:
        alert, _ = raise_alert(s, kind="visit_gap", township_id=site.township_id, title="李秀英已 12 天无人走访",
                               dedupe_key="gap:pwa", person_id=site.people[0],
                               settings=AlertSettings({"urgent": 240, "normal": 4320}))
        s.commit()
        alert_id = alert.id
    page = open_app(context)
    login(page, "staff")
    page.click("#alerts-link")
    page.wait_for_selector(f"[data-alert='{alert_id}']")
    shot(page, "10-alerts")
    page.click(f"[data-alert='{alert_id}'] button:has-text('我来处理')")
    page.wait_for_selector(f"[data-alert='{alert_id}']:has-text('处理中')")
    page.select_option(f"[data-alert='{alert_id}'] select", "medical_referral")
    page.click(f"[data-alert='{alert_id}'] button:has-text('处理完毕')")
    page.wait_for_selector(f"[data-alert='{alert_id}']", state="detached")
    with site.database.engine.connect() as conn:
        row = conn.execute(sa.text(f"SELECT status, outcome FROM alert WHERE id = {alert_id}")).one()
    assert tuple(row) == ("resolved", "medical_referral")


def test_staff_dashboard_charts_a_year(context, site):
    page = open_app(context)
    login(page, "staff")
    page.click("#dashboard-link")
    page.wait_for_selector("svg.chart")
    charts = page.locator("svg.chart")
    assert charts.count() == 2
    assert charts.nth(0).locator("rect").count() == 12 and charts.nth(1).locator("rect").count() == 12
    shot(page, "11-dashboard")


def test_volunteer_logs_an_activity_offline(context, site):
    page = open_app(context)
    login(page, "vol")
    page.wait_for_selector("#log-activity")
    page.click("#log-activity")
    page.wait_for_selector("#activity-place option", state="attached")
    page.wait_for_function("() => ZY.kv.get('teams').then(Boolean)")
    context.set_offline(True)
    page.click("button[data-kind=festival_visit]")
    page.select_option("#activity-place", label="西沟村")
    page.fill("#participants", "6")
    page.fill("#people-served", "12")
    page.set_input_files("#activity-photo", PHOTO)
    page.wait_for_selector(".thumbs img")
    shot(page, "12-activity")
    page.click("#activity-submit")
    page.wait_for_selector(SAVED)
    assert outbox_count(page) == 1
    context.set_offline(False)
    wait_until(lambda: outbox_count(page) == 0, what="the activity to be sent")
    with site.database.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT kind, participants, people_served, id FROM volunteeractivity")).one()
        photos = conn.scalar(sa.text(f"SELECT count(*) FROM visitphoto WHERE activity_id = {row[3]}"))
    assert tuple(row[:3]) == ("festival_visit", 6, 12) and photos == 1


def test_staff_open_the_persons_behind_a_month_short_of_the_quota(context, site):
    """Issue 13 item 3: one alert for the township's month ("2025-10 有2人走访未达标"), and the persons one
    tap away, with their caregiver to call."""
    from datetime import datetime, timezone

    from sqlmodel import Session

    from server.alerts.service import AlertSettings
    from server.quotas.close import raise_quota_missed
    from server.quotas.models import AgreementMonth

    with Session(site.database.engine) as s:
        for pid in site.people:
            village, caregiver, agreement = s.execute(sa.text(
                f"SELECT p.village_id, a.caregiver_id, a.id FROM person p JOIN careagreement a ON a.person_id = p.id "
                f"WHERE p.id = {pid}")).one()
            counted = 1 if pid == site.people[0] else 0
            s.add(AgreementMonth(month="2025-10", agreement_id=agreement, person_id=pid, caregiver_id=caregiver,
                                 village_id=village, self_care_level="self_care", start_on=datetime(2025, 1, 1).date(),
                                 days_due=31, quota=2, home=counted,
                                 phone_video=0, remote=0, counted=counted, flagged=0, fulfilment="not_met"))
        s.flush()
        assert raise_quota_missed(s, month_label="2025-10", at=datetime(2025, 11, 1, 0, 30, tzinfo=timezone.utc),
                                  settings=AlertSettings({"urgent": 240, "normal": 4320})) == 1
        s.commit()
    page = open_app(context)
    login(page, "staff")
    page.click("#alerts-link")
    card = page.locator("[data-alert]:has-text('2025-10 有2人走访未达标')")
    card.locator("[data-missed='2025-10']").click()
    page.wait_for_selector("#missed-of")
    assert "2025-10：2 人走访未达标" in page.inner_text("#missed-of")
    rows = page.locator("[data-person]")
    assert rows.count() == 2
    assert "计入定额 1 次，定额 2 次" in page.inner_text(f"[data-person='{site.people[0]}']")
    assert "王照料" in page.inner_text(f"[data-person='{site.people[1]}'] .caregiver")
    shot(page, "40-missed")
