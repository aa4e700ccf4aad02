"""Issue 27 on screen, in Chromium at 360×740: every month is closed (已结算, its record), or live, or past
and not closed, and each screen says which; coverage's headline and its rows never contradict (月探访率
apart from 照料服务履约); a closed month's amendments (更正) are marked and listed; a quota change applies
from the month chosen; a caregiver is not sent to a person in hospital; staff correct a 纳入日期."""

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server import jobs
from server.auth.models import User
from server.auth.service import make_hasher
from server.care.models import CareAgreement
from server.pairing.models import Cadre, Pairing, PairingUnit
from server.people import idnumber
from server.people.models import Absence, Person
from server.wiring import Settings
from server.visits.models import Visit
from tests.pwa.conftest import HOME, PASSWORD, login, shot, wait_until
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser

SH = ZoneInfo("Asia/Shanghai")


def _visit(s, person_id, user_id, when, *, status="verified", pairing_id=None):
    v = Visit(client_id=str(uuid.uuid4()), person_id=person_id, caregiver_id=user_id, mode="home", started_at=when,
              ended_at=when + timedelta(minutes=25), lat=HOME[0], lon=HOME[1], accuracy_m=10, status=status,
              content_hash=uuid.uuid4().hex * 2, received_at=when, pairing_id=pairing_id,
              exceptions=["outside_geofence"] if status == "exception" else [])
    s.add(v)
    s.flush()
    return v.id


@pytest.fixture(scope="module")
def october(site):
    """October 2026, closed at 00:30 on 1 November as the scheduler does: in 东营子村 李秀英 was looked in on
    by her paired cadre only and 赵桂兰 by her caregiver; 张德明's (西沟村) only visit waited for review at
    the close. Returns the ids the tests need."""
    hasher = make_hasher(time_cost=1, memory_kib=8)
    with Session(site.database.engine) as s:
        district_id = s.scalar(sa.text("SELECT parent_id FROM place WHERE id = :t"), {"t": site.township_id})
        east, west = (s.scalar(sa.text("SELECT id FROM place WHERE name = :n"), {"n": n}) for n in ("东营子村", "西沟村"))
        caregiver = s.scalar(sa.select(User).where(User.username == "13900000001"))
        admin = User(username="admin", password_hash=hasher.hash(PASSWORD), role="district_admin",
                     display_name="旗民政局", place_id=district_id)
        cadre_user = User(username="cadre", password_hash=hasher.hash(PASSWORD), role="cadre", display_name="赵干部",
                          place_id=district_id)
        unit = PairingUnit(name="区委办公室", district_id=district_id)
        s.add_all([admin, cadre_user, unit])
        s.flush()
        born = date(1950, 5, 1)
        third = Person(name="赵桂兰", sex="F", birth_date=born, id_number=idnumber.make("150430", born, 102, "F"),
                       self_care_level="self_care", village_id=east, address="东营子村9号", home_lat=HOME[0],
                       home_lon=HOME[1], home_location_state="confirmed", enrolled_on=date(2020, 1, 1))
        cadre = Cadre(user_id=cadre_user.id, unit_id=unit.id, rank="other")
        s.add_all([third, cadre])
        s.flush()
        s.add(CareAgreement(person_id=third.id, caregiver_id=caregiver.id, relation="relative",
                            signed_on=date(2026, 9, 1), start_on=date(2026, 9, 1)))
        pairing = Pairing(cadre_id=cadre.id, person_id=site.people[0], started_on=date(2026, 9, 1), created_by=admin.id)
        s.add(pairing)
        s.flush()
        _visit(s, site.people[0], cadre_user.id, datetime(2026, 10, 9, 15, tzinfo=SH), pairing_id=pairing.id)
        _visit(s, third.id, caregiver.id, datetime(2026, 10, 12, 10, tzinfo=SH))
        waiting = _visit(s, site.people[1], caregiver.id, datetime(2026, 10, 30, 16, tzinfo=SH), status="exception")
        s.commit()
        ids = {"east": east, "west": west, "third": third.id, "waiting": waiting}
    settings = Settings.from_config({**site.app.config, "VAPID_PRIVATE_KEY": None, "SMS_WEBHOOK_URL": None})
    jobs.run("month_close", site.database, at=datetime(2026, 11, 1, 0, 30, tzinfo=SH), settings=settings)
    return ids


def fits_a_small_phone(page) -> None:
    """Nothing wider than 360 px, every control a thumb can hit (48 px), as the caregiver's screens."""
    report = page.evaluate("""() => {
        const small = [];
        for (const el of document.querySelectorAll('main button, main a.button, main a.card, main select, main input[type=date]')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.height && (r.height < 48 || r.width < 48)) small.push(el.outerHTML.slice(0, 80));
        }
        return {small, scrollWidth: document.documentElement.scrollWidth};
    }""")
    assert report == {"small": [], "scrollWidth": 360}, report


def pick_month(page, month):
    page.wait_for_selector("#month-pick")
    page.select_option("#month-pick", month)
    page.wait_for_function("(m) => location.hash.endsWith('_' + m) && document.querySelector('#month-pick')"
                           " && document.querySelector('#month-pick').value === m", arg=month)


def test_a_closed_month_on_coverage_says_so_and_its_rows_agree_with_the_headline(context, site, october):
    page = open_app(context)
    login(page, "staff")
    page.click("a[href='#/coverage']")
    page.wait_for_selector("#coverage-total")
    # this month first, live; October closed on 1 November (Shanghai), and with it the months before it
    # never closed (the close catches up a year)
    options = page.locator("#month-pick option")
    assert options.first.inner_text() == "本月（实时）"
    assert page.inner_text("#month-state") == "实时统计"
    assert page.inner_text("#month-pick option[value='2026-10']") == "2026年10月 · 已结算 11月1日"
    assert page.inner_text("#month-pick option[value='2026-09']") == "2026年9月 · 已结算 11月1日"
    assert options.count() == 13
    pick_month(page, "2026-10")
    assert page.evaluate("location.hash") == f"#/coverage/{site.township_id}_2026-10"
    page.wait_for_selector("#month-state:has-text('已结算（11月1日）')")
    # the township: 3 on October's roster, 2 looked in on; of 3 agreements, 1 met (李秀英's cadre is not her caregiver)
    total = page.locator("#coverage-total")
    assert total.locator(".visited-count").inner_text() == "2/3 人已探访"
    assert total.locator(".fulfil-count").inner_text() == "照料服务履约：1/3 份协议达标"
    assert total.locator(".rate").inner_text() == "67%"
    fits_a_small_phone(page)
    shot(page, "months-01-coverage-closed")

    # a village keeps the month, and its rows say what its headline says
    page.click(f".card[data-place='{october['east']}']")
    page.wait_for_selector(f"[data-person='{site.people[0]}']")
    assert page.evaluate("location.hash") == f"#/coverage/{october['east']}_2026-10"
    assert page.input_value("#month-pick") == "2026-10"
    assert "已结算（11月1日）" in page.inner_text("#month-state")
    headline = page.inner_text("#coverage-total .visited-count")
    visited, active = (int(n) for n in headline.split(" ")[0].split("/"))
    assert page.locator("[data-person]").count() == active == 2
    assert page.locator("[data-person][data-visited=true]").count() == visited == 2
    assert page.locator("[data-person][data-visited=true] .visited:has-text('已探访')").count() == visited
    # looked in on by her paired cadre only: visited for 月探访率, her caregiver's 履约 not met
    li = page.locator(f"[data-person='{site.people[0]}']")
    assert li.locator(".visited").inner_text() == "已探访（结对干部 1 次）"
    assert li.locator(".fulfilment").inner_text() == "照料服务履约：本人计入 0/1 次 未达标"
    zhao = page.locator(f"[data-person='{october['third']}']")
    assert zhao.locator(".visited").inner_text() == "已探访（照料人 1 次）"
    assert zhao.locator(".fulfilment").inner_text().endswith("本人计入 1/1 次 达标")
    li.scroll_into_view_if_needed()
    shot(page, "months-02-village-persons")

    # the unvisited of the township, in the same month
    page.go_back()
    page.click("#unvisited-link")
    page.wait_for_selector(f"[data-person='{site.people[1]}']")
    assert page.evaluate("location.hash") == f"#/unvisited/{site.township_id}_2026-10"
    assert "已结算（11月1日）" in page.inner_text("#month-state")
    assert page.locator("[data-person]").count() == 1
    assert page.inner_text(f"[data-person='{site.people[1]}'] .visited") == "未探访"
    # English second: the same month, in the user's language
    page.click("#lang")
    page.wait_for_selector("#month-state:has-text('Closed (November 1)')")
    assert page.inner_text("#title") == "Not visited"
    assert page.inner_text(f"[data-person='{site.people[1]}'] .fulfilment") == "Caregiver's own visits: 0/1 not met"
    page.click("#lang")
    page.wait_for_selector("#month-state:has-text('已结算（11月1日）')")
    # an old link without a month still opens this month
    page.goto(f"/#/coverage/{site.township_id}")
    page.wait_for_selector("#month-state:has-text('实时统计')")
    assert page.input_value("#month-pick") == page.locator("#month-pick option").first.get_attribute("value")


def test_an_amended_row_is_marked_and_the_amendments_screen_says_what_changed(context, site, october):
    page = open_app(context)
    login(page, "staff")
    # 18 November: staff accept the visit that waited for review at October's close
    card = page.locator(f"[data-visit='{october['waiting']}']")
    card.locator("summary").click()  # a line in the queue until opened (issue 28 problem 3)
    card.locator("label.decision.accept").click()
    card.locator("select").select_option(index=1)
    assert card.locator("button.review-submit").inner_text() == "确认通过"
    card.locator("button.review-submit").click()
    page.wait_for_selector(f"[data-visit='{october['waiting']}']:has-text('已审核')")
    with site.database.engine.connect() as conn:
        wait_until(lambda: conn.scalar(sa.text("SELECT count(*) FROM monthamendment")) == 1, what="the amendment")

    page.goto(f"/#/coverage/{site.township_id}_2026-10")
    page.wait_for_selector("#amendments-link")
    assert page.inner_text("#amendments-link") == "更正 1 人，查看"
    assert page.inner_text("#coverage-total .visited-count") == "3/3 人已探访"
    assert page.inner_text("#coverage-total .fulfil-count") == "照料服务履约：2/3 份协议达标"
    page.click(f".card[data-place='{october['west']}']")
    row = page.locator(f"[data-person='{site.people[1]}']")
    row.wait_for()
    assert row.locator("[data-amended]").inner_text() == "更正 11月18日"
    assert row.get_attribute("data-visited") == "true"
    assert row.locator(".fulfilment").inner_text().endswith("本人计入 1/1 次 达标")
    row.scroll_into_view_if_needed()
    shot(page, "months-03-amended-row")

    page.go_back()
    page.wait_for_selector(f".card[data-place='{october['west']}']")
    page.click("#amendments-link")
    amendment = page.locator(f"[data-amendment][data-person='{site.people[1]}']")
    amendment.wait_for()
    assert page.evaluate("location.hash") == f"#/amendments/2026-10_{site.township_id}"
    assert page.inner_text("#amendments-of") == "甲镇 · 2026年10月 · 已结算（11月1日）"
    text = amendment.inner_text()
    assert "张德明" in text and "西沟村" in text and "结算后审核通过/驳回的探访" in text and "民政专干" in text
    assert "11月18日" in text
    changes = amendment.locator(".changes li").all_inner_texts()
    assert "月探访率：未探访 → 已探访" in changes and "照料服务履约：未达标 → 达标" in changes
    assert page.locator("[data-amendment]").count() == 1
    assert page.is_visible("#back")
    fits_a_small_phone(page)
    shot(page, "months-04-amendments")
    page.click("#amendments-back")
    page.wait_for_selector("#coverage-total")
    assert page.evaluate("location.hash") == f"#/coverage/{site.township_id}_2026-10"


def quota_rows(site, level):
    with site.database.engine.connect() as conn:
        return conn.execute(sa.text("SELECT effective_month, visits_per_month FROM quotapolicy WHERE self_care_level = :lv "
                                    "ORDER BY effective_month"), {"lv": level}).all()


def test_a_quota_change_applies_from_the_month_chosen_and_the_history_shows_it(context, site, october):
    page = open_app(context)
    login(page, "admin")
    page.wait_for_selector("#policy-link")
    page.click("#policy-link")
    card = page.locator(".card[data-level=partly_disabled]")
    card.wait_for()
    # this month and the next twelve; never a past (or closed) month
    months = card.locator("#from-partly_disabled option")
    values = [months.nth(k).get_attribute("value") for k in range(months.count())]
    assert values[0] == "2026-11" and values[-1] == "2027-11" and len(values) == 13
    assert min(values) == "2026-11" and "2026-10" not in values
    assert months.first.inner_text() == "2026年11月（本月）"
    assert page.input_value("#from-partly_disabled") == "2026-11"

    with page.expect_response("**/api/quotas?month=2026-12"):  # the fields show December's rule, to edit
        page.select_option("#from-partly_disabled", "2026-12")
    page.wait_for_timeout(100)
    page.fill("#visits-partly_disabled", "3")
    page.click("#save-partly_disabled")
    page.wait_for_selector("#status:has-text('已保存：2026年12月起每月至少探访3次')")
    # the seeds' default (from always) stands for November; December has the new rule
    assert [tuple(r) for r in quota_rows(site, "partly_disabled")] == [("2000-01", 1), ("2026-12", 3)]
    version = page.locator("[data-history=partly_disabled] li[data-month='2026-12']")
    version.wait_for()
    history = page.locator("[data-history=partly_disabled] li")
    assert history.first.inner_text().startswith("本月执行 默认（依据文件）：每月至少探访1次")
    assert version.inner_text().startswith("2026年12月起：每月至少探访3次")
    assert "（旗民政局 " in version.inner_text() and version.inner_text().endswith("设定）")
    # this month's rule is unchanged, on the screen and for the server
    assert page.inner_text("[data-level-text=partly_disabled]").startswith("每月至少探访1次")
    assert page.input_value("#from-partly_disabled") == "2026-11"
    assert page.input_value("#visits-partly_disabled") == "1"
    # choosing December shows December's rule in the fields
    page.select_option("#from-partly_disabled", "2026-12")
    page.wait_for_function("() => document.querySelector('#visits-partly_disabled').value === '3'")
    fits_a_small_phone(page)
    page.locator("[data-history=partly_disabled]").scroll_into_view_if_needed()
    shot(page, "months-05-quota-history")

    # the reminder: no policy paper gives a number, the district sets it
    box = page.locator("#reminder-setting")
    assert page.input_value("#reminder-days-left") == "7"
    assert "文件未规定天数" in box.inner_text() and "默认7天" in box.inner_text()
    page.fill("#reminder-days-left", "10")
    page.click("#save-reminder")
    page.wait_for_selector("#status:has-text('已保存：月底前 10 天提醒')")
    with site.database.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT reminder_days_left, volunteer_visits_count FROM schedulepolicy")).one()
    assert tuple(row) == (10, True)
    page.fill("#reminder-days-left", "40")
    page.click("#save-reminder")
    page.wait_for_selector("#reminder-days-left-error:has-text('请填1到27之间的整数')")
    assert page.evaluate("document.activeElement.id") == "reminder-days-left"
    box.scroll_into_view_if_needed()
    shot(page, "months-06-reminder-setting")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT reminder_days_left FROM schedulepolicy")) == 10


def test_a_person_in_hospital_today_is_not_someone_to_go_and_see(context, site, october):
    with Session(site.database.engine) as s:
        staff = s.scalar(sa.text("SELECT id FROM app_user WHERE username = 'staff'"))
        s.add(Absence(person_id=site.people[0], kind="hospital", start_on=date(2026, 11, 15), end_on=date(2026, 12, 10),
                      recorded_by=staff))
        s.commit()
    page = open_app(context)
    login(page)
    card = page.locator(f".card[data-person='{site.people[0]}']")
    card.wait_for()
    assert card.locator(".month-state").inner_text() == "住院中（至 12月10日）"
    assert "该去看看了" not in card.inner_text()
    shot(page, "months-07-caregiver-away")


def test_the_report_centre_the_dashboard_and_the_rates_mark_a_closed_month(context, site, october, tmp_path):
    page = open_app(context)
    login(page, "staff")
    page.click("#reports-link")
    page.wait_for_selector("#report-month")
    assert page.locator("#report-month option").first.inner_text() == "本月（实时）"
    assert "尚未结算" in page.inner_text("#report-month-hint")
    page.select_option("#report-month", "2026-10")
    assert page.inner_text("#report-month option[value='2026-10']") == "2026年10月 · 已结算 11月1日"
    assert page.inner_text("#report-month-hint").startswith("该月已结算（11月1日）")
    shot(page, "months-08-report-centre")
    with page.expect_download() as got:
        page.click("#download-csv")
    path = tmp_path / "coverage.csv"
    got.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert "已结算（2026-11-01）" in text
    assert any(r and r[0] == "甲镇" for r in csv.reader(io.StringIO(text)))

    # the dashboard: October closed (✓), this month as counted
    page.goto("/#/dashboard")
    page.wait_for_selector("#dashboard-now")
    labels = page.locator("svg.chart").first.locator("text").all_text_contents()
    assert "10✓" in labels and "11" in labels and "9✓" in labels
    assert page.inner_text("#dashboard-closed").startswith("✓ 已结算")
    assert page.inner_text("#dashboard-now").startswith("本月：")
    shot(page, "months-10-dashboard")

    # 月探访率 by group: the month picked, kept going down a level
    page.goto("/#/staff")
    page.click("#logout")
    page.wait_for_selector("#username")
    login(page, "admin")
    page.wait_for_selector("#alert-sla")
    # the district home: this month's two measures, and how they were counted
    assert page.inner_text("#district-rate .visited-count").endswith("人已探访")
    assert page.inner_text("#district-rate .fulfil-count").startswith("照料服务履约：")
    assert page.inner_text("#district-state") in ("实时统计",) or "每5分钟更新" in page.inner_text("#district-state")
    shot(page, "months-12-district-home")
    page.goto("/#/visit-rates")
    pick_month(page, "2026-10")
    page.wait_for_selector("#month-state:has-text('已结算（11月1日）')")
    page.locator("#rates tr[data-place] a").first.click()
    page.wait_for_selector("#title:has-text('甲镇')")
    assert page.evaluate("location.hash") == f"#/visit-rates/{site.township_id}_2026-10"
    assert page.input_value("#month-pick") == "2026-10"
    shot(page, "months-09-visit-rates-closed")


def test_staff_correct_a_persons_enrolment_date(context, site, october):
    page = open_app(context)
    login(page, "staff")
    page.click("#roster-link")
    page.fill("#lc-q", "张德明")
    page.click("#lc-search")
    card = page.locator(f"#lc-found [data-person='{site.people[1]}']")
    card.wait_for()
    day = card.locator("input[type=date]")
    assert day.input_value() == "2020-01-01"
    assert "纳入日期" in card.inner_text()
    day.fill("2027-01-05")
    card.locator("[data-action=enrolled]").click()
    error = card.locator(".field-error")
    error.wait_for()
    assert error.inner_text() == "纳入日期不能晚于今天"
    fits_a_small_phone(page)
    shot(page, "months-11-enrolment-refused")
    day.fill("2019-06-01")
    card.locator("[data-action=enrolled]").click()
    page.wait_for_selector("#status:has-text('已保存张德明的纳入日期：2019-06-01')")
    assert card.locator(".field-error").count() == 0
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT enrolled_on FROM person WHERE id = {site.people[1]}")) == "2019-06-01"
