"""The field side as caregivers and volunteers meet it on a 360 px phone: a visit's timing and
fate, a shared phone, a weak signal, a lost tab, errors out of sight, no GPS, the team's month."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server import clock as server_clock
from server.auth.models import User
from tests.pwa.conftest import (
    PASSWORD,
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
SECOND_CAREGIVER = "13900000002"
SH = ZoneInfo("Asia/Shanghai")


def open_app(context, hash_=""):
    page = context.new_page()
    page.goto("/" + hash_)
    wait_sw(page)
    return page


def open_checkin(page, person="李秀英"):
    page.wait_for_selector(f".card:has-text('{person}')")
    page.click(f".card:has-text('{person}')")
    page.click("#start-checkin")
    page.wait_for_selector("#arrive")


def quick_visit(page):
    """Arrive, take a photo and send at once: too short to count, so 提交 twice (the first tap says why)."""
    page.click("#arrive")
    page.set_input_files("#photo-input", PHOTO)
    page.wait_for_selector("#photos img")
    page.click("#submit")
    page.wait_for_selector("#too-short-error")
    page.click("#submit")


def in_viewport(page, selector) -> bool:
    return page.evaluate("""(sel) => {
        const r = document.querySelector(sel).getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
    }""", selector)


def sql(site, query, **params):
    with site.database.engine.begin() as conn:
        return conn.execute(sa.text(query), params)


def api(site):
    """The live app's own client (same database), for what staff do elsewhere."""
    client = site.app.test_client()

    def as_user(username):
        r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.get_json()
        return {"Authorization": f"Bearer {r.get_json()['access_token']}"}
    return client, as_user


@pytest.fixture(scope="module")
def second_caregiver(site):
    """Another caregiver of the same village, sharing the first one's phone."""
    first = sql(site, "SELECT password_hash, place_id FROM app_user WHERE username = '13900000001'").one()
    with Session(site.database.engine) as s:
        user = User(username=SECOND_CAREGIVER, password_hash=first[0], role="caregiver", display_name="赵照料",
                    place_id=first[1])
        s.add(user)
        s.commit()
        return user.id


def last_visit(site):
    return sql(site, "SELECT id, started_at, ended_at, status, exceptions, caregiver_id FROM visit "
                     "ORDER BY id DESC LIMIT 1").one()


def as_utc(value):
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


# ---- 1. visit timing a caregiver understands -------------------------------------------------------


def test_a_two_minute_visit_says_why_it_will_not_count_before_it_is_sent(context, site):
    minimum = site.app.config["VISIT_MIN_MINUTES_HOME"]
    page = open_app(context)
    login(page)
    open_checkin(page)
    # the form lies open three minutes before the caregiver arrives: that time is not the visit
    assert page.is_visible("#arrive") and not page.is_visible("#visit-timer")
    page.clock.fast_forward("03:00")
    page.click("#arrive")
    arrived = server_clock.now() + timedelta(minutes=3)
    page.wait_for_function("() => document.querySelector('#gps-status').textContent.includes('12')")
    assert f"至少 {minimum} 分钟才计入本月次数" in page.inner_text("#min-minutes")
    page.set_input_files("#photo-input", PHOTO)
    page.wait_for_selector("#photos img")
    page.clock.fast_forward("02:00")
    page.wait_for_function("() => document.querySelector('#visit-timer').textContent.startsWith('02:')")
    warning = page.inner_text("#too-short")
    assert page.is_visible("#too-short") and f"不足 {minimum} 分钟" in warning and "不计入本月次数" in warning
    shot(page, "field-01-visit-timer")

    before = count_visits(site)
    page.click("#submit")  # the first tap only says so, beside the button, in view
    page.wait_for_selector("#too-short-error")
    assert in_viewport(page, "#too-short-error") and "再点一次" in page.inner_text("#too-short-error")
    assert page.inner_text("#submit") == "仍然提交（转交审核）"
    shot(page, "field-02-too-short")
    assert count_visits(site) == before
    page.click("#submit")
    wait_until(lambda: count_visits(site) == before + 1, what="the visit to be stored")
    _, started, ended, status, exceptions, _ = last_visit(site)
    # started_at is the arrival (not the opening of the form) and the visit lasted two minutes
    assert abs((as_utc(started).replace(tzinfo=None) - arrived.replace(tzinfo=None)).total_seconds()) < 30
    assert 110 <= (as_utc(ended) - as_utc(started)).total_seconds() <= 150
    assert status == "exception" and "too_short" in exceptions
    # the month counter says what counts and what waits
    page.wait_for_selector(".card:has-text('李秀英') .month-progress:has-text('另有 1 次待审核')")
    assert "本月 0/" in page.inner_text(".card:has-text('李秀英') .month-progress")


# ---- every visit's fate, the person card --------------------------------------------------------------


def test_the_person_card_shows_each_visits_fate_photos_and_a_call_button(context, site):
    pid = site.people[1]
    sql(site, "UPDATE person SET phone = '13812345678' WHERE id = :p", p=pid)
    page = open_app(context)
    login(page)
    open_checkin(page, "张德明")
    quick_visit(page)
    wait_until(lambda: sql(site, "SELECT count(*) FROM visit WHERE person_id = :p", p=pid).scalar() == 1,
               what="the visit to be stored")
    visit_id = sql(site, "SELECT id FROM visit WHERE person_id = :p", p=pid).scalar()

    client, as_user = api(site)
    r = client.post(f"/api/visits/{visit_id}/review", headers=as_user("staff"),
                    json={"decision": "reject", "reason_code": "not_at_home", "note": "村委会说当天没人来"})
    assert r.status_code == 200

    page.goto(f"/#/person/{pid}")
    card = f"[data-visit='{visit_id}']"
    page.wait_for_selector(f"{card} .visit-status")
    text = page.inner_text(card)
    assert "未通过审核，不计入" in text and "核实未上门" in text and "村委会说当天没人来" in text
    page.wait_for_selector(f"{card} .thumbs img")  # the photo, through its authorised URL
    assert page.get_attribute("#call-person", "href") == "tel:13812345678"
    page.locator(card).scroll_into_view_if_needed()
    shot(page, "field-03-person-history")
    page.click(f"{card} [data-photo]")
    page.wait_for_selector("#photo-large")

    # the decision is in the caregiver's inbox, and leads back to the person
    page.goto("/#/inbox")
    page.wait_for_selector("[data-notification]:has-text('未通过审核')")
    assert page.get_attribute("[data-notification]:has-text('未通过审核')", "href") == f"#/person/{pid}"
    shot(page, "field-04-inbox-review")


def test_a_waiting_visit_says_why_in_plain_words(context, site):
    client, as_user = api(site)
    pid = site.people[0]
    at = server_clock.now().isoformat()
    r = client.post("/api/visits", headers=as_user("13900000001"), json={
        "client_id": "8d6f6c0e-2b1a-4f43-9a55-6f1e0c2d7b11", "person_id": pid, "mode": "phone", "started_at": at,
        "ended_at": at, "services": ["wellbeing_call"], "observations": {"health": "well"}})
    assert r.status_code == 201 and r.get_json()["verification"]["exceptions"] == ["too_short"]
    page = open_app(context)
    login(page)
    page.wait_for_selector(".card[data-person]")
    page.goto(f"/#/person/{pid}")
    waiting = f"[data-visit='{r.get_json()['id']}']"
    page.wait_for_selector(waiting)
    text = page.inner_text(waiting)
    assert "待审核，暂不计入" in text and "走访只有 0 分钟，不足 1 分钟" in text and "核实后会通知您" in text


# ---- 2. a shared phone -----------------------------------------------------------------------------------


def test_a_shared_phone_keeps_the_first_caregivers_visit_until_they_log_in_again(context, site, second_caregiver):
    first_id = sql(site, "SELECT id FROM app_user WHERE username = '13900000001'").scalar()
    page = open_app(context)
    login(page)
    page.wait_for_selector(".card:has-text('李秀英')")
    wait_until(lambda: page.evaluate("Promise.all([ZY.kv.get('person:%d'), ZY.kv.get('catalogue:' + I18N.lang)])"
                                     ".then((got) => got.every(Boolean))" % site.people[0]),
               what="the person and the catalogue kept for offline use")
    before = count_visits(site)

    context.set_offline(True)
    open_checkin(page)
    quick_visit(page)
    page.wait_for_selector(SAVED)
    assert outbox_count(page) == 1

    page.click("#logout")  # unsent work: asked first, offered to send
    page.wait_for_selector("#logout-warning")
    assert "还有 1 条记录没有发送" in page.inner_text("#logout-warning")
    shot(page, "field-05-logout-unsent")
    page.click("#logout-send")  # still offline: nothing goes, nothing is lost, still logged in
    page.wait_for_selector("#status.error")
    assert outbox_count(page) == 1 and page.is_visible("#logout-warning")
    page.click("#logout-anyway")
    page.wait_for_selector("#username")
    context.set_offline(False)

    # the second caregiver logs in on the same phone: the first one's visit is neither sent nor lost
    login(page, SECOND_CAREGIVER)
    page.wait_for_selector("#logout")
    page.wait_for_timeout(1500)
    assert count_visits(site) == before and outbox_count(page) == 1
    assert page.is_hidden("#outbox-badge")
    page.goto("/#/outbox")
    page.wait_for_selector("#others-entries")
    assert "另有 1 条记录属于 王照料" in page.inner_text("#others-entries")
    assert page.locator("[data-entry]").count() == 0  # the other's record is counted, not shown
    shot(page, "field-06-outbox-others")
    page.goto("/#/home")
    page.click("#logout")  # nothing of their own waits: no question
    page.wait_for_selector("#username")

    login(page)  # the first caregiver again: their visit goes, under their own login
    wait_until(lambda: count_visits(site) == before + 1, what="the first caregiver's visit to be stored")
    assert last_visit(site)[5] == first_id
    wait_until(lambda: outbox_count(page) == 0, what="the outbox to empty")
    assert sql(site, "SELECT count(*) FROM visit WHERE caregiver_id = :u", u=second_caregiver).scalar() == 0


# ---- 4. retry with backoff while online -------------------------------------------------------------------


def test_a_failing_upload_is_retried_without_anyone_tapping(context, site, monkeypatch):
    page = open_app(context)
    login(page)
    answered = []
    app = site.app

    def busy_once(environ, start_response):
        """The server answers the first upload 503 (overloaded), while the phone stays online."""
        if environ["PATH_INFO"] == "/api/visits" and environ["REQUEST_METHOD"] == "POST" and not answered:
            answered.append(503)
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            start_response("503 SERVICE UNAVAILABLE", [("Content-Type", "application/json")])
            return [b'{"code": 503, "status": "Service Unavailable", "message": "busy", "reason": "busy"}']
        return app(environ, start_response)
    monkeypatch.setattr(site, "app", busy_once)
    before = count_visits(site)
    open_checkin(page)
    quick_visit(page)
    wait_until(lambda: answered, what="the first (failing) upload")
    page.evaluate("location.hash = '#/outbox'")  # the same page: its timer runs on
    page.wait_for_selector("[data-entry] .next-try:has-text('下次自动重试')")
    entry = page.inner_text("[data-entry]")
    assert "上次尝试" in entry and "服务器暂时出错（HTTP 503）" in entry
    shot(page, "field-07-outbox-retry")
    assert count_visits(site) == before
    # no tap, no `online`, no switching apps: the next try comes by itself 5 s (±20%) later
    wait_until(lambda: count_visits(site) == before + 1, timeout=20, what="the retry to store the visit")
    wait_until(lambda: outbox_count(page) == 0, what="the outbox to empty")


def test_a_503_with_retry_after_waits_as_long_as_the_server_asks(context, site, monkeypatch):
    """The server's database is restarting: 503 with Retry-After: 60. The next try waits those 60 s,
    not the first backoff's 5 s (a thousand phones coming back at once would find it still down)."""
    page = open_app(context)
    login(page)
    app = site.app

    def restarting(environ, start_response):
        if environ["PATH_INFO"] == "/api/visits" and environ["REQUEST_METHOD"] == "POST":
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            start_response("503 SERVICE UNAVAILABLE", [("Content-Type", "application/json"), ("Retry-After", "60")])
            return [b'{"code": 503, "status": "Service Unavailable", "message": "db", "reason": "database_unavailable"}']
        return app(environ, start_response)
    monkeypatch.setattr(site, "app", restarting)
    open_checkin(page)
    quick_visit(page)
    waits = lambda: page.evaluate(  # noqa: E731
        "() => ZY.outbox.all().then((rows) => rows.filter((r) => r.attempts).map((r) => r.nextTry - r.lastAttempt))")
    wait_until(waits, what="the refused upload to be kept for later")
    assert waits() == [60000]


def test_the_backoff_doubles_from_5_seconds_to_5_minutes_with_jitter(context, site):
    page = open_app(context)
    waits = page.evaluate("() => [1, 2, 3, 4, 7, 12].map((n) => [0, 1, 2, 3, 4, 5, 6, 7].map(() => ZY.backoff(n)))")
    for n, samples in zip([1, 2, 3, 4, 7, 12], waits):
        base = min(300_000, 5000 * 2 ** (n - 1))
        assert all(0.8 * base <= w <= 1.2 * base for w in samples), (n, samples)
        assert len(set(samples)) > 1  # jittered


# ---- 5. never lose work ------------------------------------------------------------------------------------


def draft_saved(page, with_photo=True):
    def saved():
        return page.evaluate("""(photo) => ZY.tx('drafts', 'readonly', (s) => ZY.req2p(s.getAll()))
            .then((rows) => rows.some((r) => (r.state.note || '').includes('煤') && (!photo || r.photos.length === 1)))""",
                             with_photo)
    wait_until(saved, what="the draft to be kept")


def test_a_reload_or_a_killed_tab_mid_form_restores_the_draft_with_its_photo(context, site):
    page = open_app(context)
    login(page)
    open_checkin(page)
    page.click("#arrive")
    page.set_input_files("#photo-input", PHOTO)
    page.wait_for_selector("#photos img")
    page.click("button[data-field=health][data-code=unwell]")
    page.check("input[value=home_cleaning]")
    page.fill("#note", "家里没煤了")
    draft_saved(page)
    started = page.inner_text("#started-at")

    page.on("dialog", lambda d: d.accept())  # the browser asks before a reload loses nothing here
    page.reload()
    page.wait_for_selector("#photos img")
    assert page.input_value("#note") == "家里没煤了"
    assert page.get_attribute("button[data-field=health][data-code=unwell]", "aria-pressed") == "true"
    assert page.is_checked("input[value=home_cleaning]")
    assert page.inner_text("#started-at") == started and page.is_visible("#visit-timer")
    page.wait_for_selector("#status:has-text('已恢复上次没有提交的内容')")
    shot(page, "field-08-draft-restored")
    url = page.url

    page.close()  # Android kills the tab while the camera is open: no unload handler runs
    page = context.new_page()
    page.goto(url.replace("#/checkin/", "#/person/"))
    page.click("#start-checkin")
    page.wait_for_selector("#photos img")
    assert page.input_value("#note") == "家里没煤了"

    # ‹ back with changes asks first; staying keeps the form as it is
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("#back")
    wait_until(lambda: asked, what="the leave question")
    assert "离开" in asked[0]
    page.wait_for_timeout(300)
    assert page.is_visible("#note") and page.input_value("#note") == "家里没煤了"

    # sent: the draft is gone, the next check-in starts empty
    page.click("#submit")
    page.wait_for_selector("#too-short-error")
    page.click("#submit")
    page.wait_for_selector(SAVED)
    assert page.evaluate("ZY.tx('drafts', 'readonly', (s) => ZY.req2p(s.count()))") == 0


def test_the_activity_form_keeps_its_draft_too(context, site):
    page = open_app(context)
    login(page, "vol")
    page.click("#log-activity")
    page.wait_for_selector("#activity-place option", state="attached")
    page.click("button[data-kind=cleanup_help]")
    page.fill("#participants", "4")
    page.set_input_files("#activity-photo", PHOTO)
    page.wait_for_selector("#activity-photos img")
    page.fill("#activity-note", "帮五保户拉煤")
    draft_saved(page)
    page.on("dialog", lambda d: d.accept())
    page.reload()
    page.wait_for_selector("#activity-photos img")
    assert page.get_attribute("button[data-kind=cleanup_help]", "aria-pressed") == "true"
    assert page.input_value("#participants") == "4" and page.input_value("#activity-note") == "帮五保户拉煤"


# ---- 3. errors beside the field, in view ---------------------------------------------------------------------


def test_an_error_is_beside_its_field_and_in_view_after_submit(context, site):
    page = open_app(context)
    login(page)
    open_checkin(page)
    page.click("#arrive")
    page.click("#submit")  # at the bottom of a long form, without the photo a home visit needs
    page.wait_for_selector("#take-photo-error")
    assert "上门走访请先拍一张照片" in page.inner_text("#take-photo-error")
    assert in_viewport(page, "#take-photo-error")
    assert page.evaluate("document.activeElement.id") == "take-photo"
    shot(page, "field-09-error-in-view")
    # adding the photo clears it
    page.set_input_files("#photo-input", PHOTO)
    page.wait_for_selector("#photos img")
    assert page.locator("#take-photo-error").count() == 0

    vol = open_app(context.browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                               base_url=site.url, device_scale_factor=1))
    login(vol, "vol")
    vol.click("#log-activity")
    vol.wait_for_selector("#activity-place option", state="attached")
    vol.fill("#participants", "很多")
    vol.click("#activity-submit")
    vol.wait_for_selector("#activity-kinds-error")
    assert "请选择活动类型" in vol.inner_text("#activity-kinds-error")
    assert in_viewport(vol, "#activity-kinds-error")
    assert vol.evaluate("document.activeElement.closest('#activity-kinds') !== null")
    assert "整数" in vol.inner_text("#participants-error")
    vol.context.close()


# ---- 10. no GPS ----------------------------------------------------------------------------------------------


@pytest.fixture
def no_gps_context(browser, site):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, locale="zh-CN",
                              base_url=site.url)  # location never allowed
    ctx.clock.install(time=server_clock.now())
    yield ctx
    ctx.close()


def test_when_location_fails_the_caregiver_is_told_how_to_turn_it_on(no_gps_context, site):
    page = open_app(no_gps_context)
    login(page)
    open_checkin(page)
    page.click("#arrive")
    page.wait_for_selector("#gps-help")
    help_text = page.inner_text("#gps-help")
    assert "定位失败" in page.inner_text("#gps-status")
    assert "允许本网页使用位置" in help_text and "位置信息" in help_text
    assert "转交镇街专职人员审核" in help_text and "不计入本月次数" in help_text
    page.locator("#gps-help").scroll_into_view_if_needed()
    shot(page, "field-10-gps-help")


def test_in_wechat_the_help_says_to_open_the_system_browser(browser, site):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", base_url=site.url,
                              user_agent="Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 (KHTML, like Gecko) "
                                         "Chrome/86.0 Mobile Safari/537.36 MicroMessenger/8.0.40")
    ctx.clock.install(time=server_clock.now())
    try:
        page = open_app(ctx)
        login(page)
        open_checkin(page)
        page.click("#arrive")
        page.wait_for_selector("#gps-help")
        assert "在浏览器打开" in page.inner_text("#gps-help")
    finally:
        ctx.close()


# ---- the volunteer team's month ---------------------------------------------------------------------------------


def test_the_volunteer_home_lists_what_the_team_logged_this_month(context, site):
    client, as_user = api(site)
    h = as_user("vol")
    team = client.get("/api/activities/teams", headers=h).get_json()[0]
    day = server_clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    last_month = day.replace(day=1) - timedelta(days=3)
    for held_on, kind in ((day, "festival_visit"), (last_month, "policy_publicity")):
        r = client.post("/api/activities", headers=h, json={"team_id": team["id"], "kind": kind, "held_on": held_on.isoformat(),
                                                             "place_id": team["township_id"], "participants": 6,
                                                             "people_served": 9})
        assert r.status_code == 201
    page = open_app(context)
    login(page, "vol")
    page.wait_for_selector("#team-activities [data-activity]")
    cards = page.locator("#team-activities [data-activity]")
    texts = [cards.nth(i).inner_text() for i in range(cards.count())]
    assert any("节日慰问" in x and "6 人参加，服务 9 人" in x for x in texts)
    assert not any("政策宣传" in x for x in texts)  # last month's is not this month's
    assert f"本月已登记 {len(texts)} 次活动" in page.inner_text("#team-activities")
    shot(page, "field-11-volunteer-team-month")

