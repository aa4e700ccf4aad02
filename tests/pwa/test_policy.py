"""What counts toward the month, in the app: the district admin's visit policy editor, a report
that follows it, and a caregiver recording a phone call (seed 000 item 2: 电话视频)."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.auth.models import User
from server.auth.service import make_hasher
from server.places.models import Place
from tests.pwa.conftest import PASSWORD, SAVED, count_visits, login, shot, wait_sw, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin(site):
    with Session(site.database.engine) as s:
        district = s.get(Place, s.get(Place, site.township_id).parent_id)
        s.add(User(username="admin", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                   role="district_admin", display_name="旗民政局", place_id=district.id))
        s.commit()
    return "admin"


def open_app(context):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    return page


def policy_row(site, level, month="2026-11"):
    """The version of a level's policy in force in the month (the latest from that month or before)."""
    with site.database.engine.connect() as conn:
        return conn.execute(sa.text("SELECT visits_per_month, min_home, count_phone_video, updated_by FROM quotapolicy "
                                    "WHERE self_care_level = :lv AND effective_month <= :m "
                                    "ORDER BY effective_month DESC LIMIT 1"), {"lv": level, "m": month}).one()


def test_district_admin_sets_two_home_visits_and_the_coverage_report_says_so(context, site, admin):
    page = open_app(context)
    login(page, admin)
    page.wait_for_selector("#policy-link")
    page.click("#policy-link")
    card = page.locator(".card[data-level=self_care]")
    card.wait_for()
    assert "每月至少探访1次（上门入户、电话视频、远程监测计入）" in card.inner_text()
    assert "默认（依据文件）" in card.inner_text()
    shot(page, "policy-01-quota-editor")

    # a bad edit: a minimum for a mode that does not count is refused with the reason, nothing stored
    page.fill("#visits-self_care", "2")
    page.fill("#min-self_care-home", "2")
    page.uncheck("#count-self_care-home")
    page.click("#save-self_care")
    page.wait_for_selector("#status.error")
    assert tuple(policy_row(site, "self_care"))[:2] == (1, 0)

    page.check("#count-self_care-home")
    page.click("#save-self_care")
    page.wait_for_selector(SAVED)
    wait_until(lambda: tuple(policy_row(site, "self_care"))[:2] == (2, 2), what="the policy to be stored")
    page.wait_for_selector(".card[data-level=self_care]:has-text('本地规定')")
    assert "其中上门入户至少2次" in page.inner_text("[data-level-text=self_care]")
    shot(page, "policy-02-quota-edited")

    page.goto("/#/coverage")
    page.wait_for_selector("#coverage-policy")
    text = page.inner_text("#coverage-policy")
    assert text.startswith("执行标准（区（旗）民政局设定）") and "全自理：每月至少探访2次" in text

    # back to the seeds' default, from the same screen
    page.goto("/#/quota-policy")
    page.click("#reset-self_care")
    page.wait_for_selector(".card[data-level=self_care] p.tag:has-text('默认（依据文件）')")
    # a reset is a version too (from this month), saved by the admin who reset it
    row = policy_row(site, "self_care")
    assert (row.visits_per_month, row.min_home) == (1, 0) and row.updated_by is not None


def test_township_staff_read_the_policy_but_cannot_change_it(context, site):
    page = open_app(context)
    login(page, "staff")
    page.click("#policy-link")
    page.wait_for_selector(".card[data-level=partly_disabled]")
    assert page.is_visible("text=探访标准由区（旗）民政局设定")
    assert page.locator("#save-partly_disabled").count() == 0
    assert page.is_disabled("#visits-partly_disabled")


def test_caregiver_records_a_phone_call(context, site):
    page = open_app(context)
    login(page)
    page.click(".card:has-text('张德明')")
    page.click("#start-checkin")
    page.wait_for_selector("button[data-mode=remote]")
    assert page.inner_text("#title").startswith("登记探访")
    page.click("button[data-mode=phone]")
    assert page.get_attribute("button[data-mode=phone]", "aria-pressed") == "true"
    before = count_visits(site, site.people[1])
    page.click("#submit")  # a call must say how the person is
    page.wait_for_selector(".field-error:has-text('请选择身体情况')")
    page.click("#arrive")  # 开始走访: the call's clock starts here
    page.click("button[data-field=health][data-code=well]")
    shot(page, "policy-03-check-in-by-phone")
    page.clock.fast_forward("01:30")  # a call of a minute and a half (shorter than a minute: too_short)
    page.click("#submit")
    page.wait_for_selector(SAVED)
    wait_until(lambda: count_visits(site, site.people[1]) == before + 1, what="the call to be sent")
    with site.database.engine.connect() as conn:
        mode, lat, services, status = conn.execute(sa.text(
            "SELECT mode, lat, services, status FROM visit WHERE person_id = :p ORDER BY id DESC LIMIT 1"),
            {"p": site.people[1]}).one()
    assert (mode, lat, status) == ("phone", None, "verified") and "wellbeing_call" in services
    # the call counts toward 张德明's month under the default policy
    page.goto("/#/home")
    page.wait_for_selector(".card:has-text('张德明') .month-progress")
    wait_until(lambda: "本月 1/1" in page.inner_text(".card:has-text('张德明')"), what="the progress to refresh")


def test_a_volunteer_names_the_person_visited_and_the_visit_rate_counts_it(context, site, admin):
    page = open_app(context)
    login(page, "vol")
    page.click("#log-activity")
    page.wait_for_selector("#activity-persons input[data-person]", state="attached")
    page.click("button[data-kind=visit]")
    page.check(f"#activity-persons input[data-person='{site.people[0]}']")  # 李秀英, 半失能: 失能
    shot(page, "policy-04-activity-persons")
    page.click("#activity-submit")
    page.wait_for_selector(SAVED)
    with site.database.engine.connect() as conn:
        wait_until(lambda: conn.scalar(sa.text("SELECT count(*) FROM activityperson")) == 1, what="the activity")
    page.wait_for_selector("button.danger:has-text('退出登录')")
    page.click("button.danger:has-text('退出登录')")
    page.wait_for_selector("#username")
    login(page, admin)
    page.wait_for_selector("#visit-rates-link")
    page.click("#visit-rates-link")
    page.wait_for_selector("#rates tr[data-place]")
    town = page.locator("#rates tr[data-place]").first
    assert town.inner_text().startswith("甲镇")
    town.locator("a").click()  # the township's villages
    page.wait_for_selector("#title:has-text('甲镇')")
    page.wait_for_selector("#rates tr[data-place='total']")
    total = page.locator("#rates tr[data-place='total'] td")
    # columns: 独居 空巢 留守 失能 重残 合计; 李秀英 (失能) visited by the volunteers
    assert total.nth(3).get_attribute("data-visited") == "1" and total.nth(3).get_attribute("data-total") == "1"
    assert "100%" in total.nth(3).inner_text()
    assert page.inner_text("#rates-policy").startswith("执行标准")
    shot(page, "policy-05-visit-rates")
