"""The case around the visits in the app: staff work through the review list of the March
campaign (a reviewed person leaves the list), record a death and a hospital stay; the caregiver
reports a stay away and sees who left their care."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

from tests.pwa.conftest import login, shot

pytestmark = pytest.mark.browser

MARCH = datetime(2027, 3, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the review campaign 2027-03 is open


@pytest.fixture(scope="module")
def clock():
    """This module's server and browser run in March 2027, the month of the yearly review."""
    with time_machine.travel(MARCH, tick=True):
        yield


def scalar(site, sql, **params):
    with site.database.engine.connect() as conn:
        return conn.scalar(sa.text(sql), params)


def test_staff_record_a_review_and_the_person_leaves_the_not_reviewed_list(context, site):
    first, second = site.people
    page = context.new_page()
    page.goto("/")
    login(page, "staff")
    page.click("#reviews-link")
    page.wait_for_selector("#rv-pending [data-person]")
    assert page.locator("#rv-pending [data-person]").count() == 2
    assert page.inner_text("#rv-state") == "进行中，2027-03-31截止"
    assert page.inner_text("#rv-pending-title") == "未复核（2人）"
    assert "应复核2人，已复核0人（0%）" in page.inner_text("main")
    shot(page, "review-1-list")

    card = page.locator(f"#rv-pending [data-person='{first}']")
    card.locator("select").first.select_option("home_survey")
    card.locator("button[type=submit]").click()
    page.wait_for_selector(f"#rv-done [data-reviewed='{first}']")
    assert page.locator(f"#rv-pending [data-person='{first}']").count() == 0
    assert page.locator(f"#rv-pending [data-person='{second}']").count() == 1
    assert page.inner_text("#rv-pending-title") == "未复核（1人）"
    assert "应复核2人，已复核1人（50%）" in page.inner_text("main")
    assert "入户调查" in page.inner_text(f"#rv-done [data-reviewed='{first}']")
    assert scalar(site, "SELECT method || '/' || result FROM reviewrecord WHERE person_id = :p AND campaign = '2027-03'",
                  p=first) == "home_survey/continue"
    shot(page, "review-2-recorded")

    # an exit needs its reason written down before it is sent
    card = page.locator(f"#rv-pending [data-person='{second}']")
    card.locator("select").nth(1).select_option("exit")
    card.locator("button[type=submit]").click()
    page.wait_for_selector("#status.error:has-text('退出请在备注中写明原因')")
    assert scalar(site, "SELECT count(*) FROM reviewrecord WHERE person_id = :p", p=second) == 0


def test_staff_record_a_death_and_a_hospital_stay(context, site):
    first, second = site.people
    page = context.new_page()
    page.goto("/")
    login(page, "staff")
    page.click("#roster-link")
    page.wait_for_selector("#lc-budget [data-township]")
    assert "特困人员2人，预算480元" in page.inner_text("#lc-budget")
    page.fill("#lc-q", "李秀英")
    page.click("#lc-search")
    page.wait_for_selector(f"#lc-found [data-person='{first}']")
    shot(page, "lifecycle-1-roster")
    with page.expect_download() as download:
        page.click("text=下载补贴使用表")
    assert download.value.suggested_filename == "甲镇2027年住院照料护理补贴使用情况.xlsx"

    page.click(f"#lc-found [data-person='{first}'] [data-action=absence]")
    page.wait_for_selector("#lc-absence-save")
    page.fill("#lc-start", "2027-03-02")
    page.fill("#lc-end", "2027-03-09")
    page.fill("#lc-paid", "一百")
    page.click("#lc-absence-save")
    page.wait_for_selector("#status.error:has-text('补贴金额请填整数')")
    page.fill("#lc-paid", "120")
    page.click("#lc-absence-save")
    page.wait_for_selector("[data-absence]")
    assert "照料护理补贴 120 元" in page.inner_text("[data-absence]")
    shot(page, "lifecycle-2-absence")

    page.goto(f"/#/exit/{second}")
    page.wait_for_selector("#lc-exit-save")
    page.fill("#lc-exit-on", "2027-03-11")
    # a move into one of the district's homes is the move screen's (issue 29 part 3): the reason says where
    assert page.locator("#lc-exit-move-hint").is_hidden()
    page.select_option("#lc-exit-reason", "care_home")
    assert page.get_attribute("#lc-exit-move-hint a", "href") == f"#/move/{second}"
    page.select_option("#lc-exit-reason", "deceased")
    assert page.locator("#lc-exit-move-hint").is_hidden()
    page.fill("#lc-exit-note", "病故")
    shot(page, "lifecycle-3-exit")
    page.click("#lc-exit-save")
    page.click("#lc-exit-confirm-yes")  # what it will do, said, then confirmed (issue 28 problem 7)
    page.wait_for_selector("#status:has-text('已生成丧葬事宜办理任务')")
    page.wait_for_selector(f"[data-exit='{second}']")
    assert "2027-03-11退出：去世" in page.inner_text(f"[data-exit='{second}']")
    assert scalar(site, "SELECT status FROM person WHERE id = :p", p=second) == "deceased"
    assert scalar(site, "SELECT title FROM alert WHERE kind = 'funeral' AND person_id = :p", p=second) == \
        "张德明去世：办理丧葬事宜"


def test_the_caregiver_reports_a_stay_away_and_sees_who_left(context, site):
    first, second = site.people
    page = context.new_page()
    page.goto("/")
    login(page)
    page.wait_for_selector(f"[data-person='{first}']")
    assert page.locator(f"[data-person='{second}']").count() == 0  # died on the 11th: gone from the list
    page.click("#left-care-link")
    page.wait_for_selector(f"[data-left='{second}']")
    assert "2027-03-11退出：去世" in page.inner_text(f"[data-left='{second}']")
    shot(page, "lifecycle-4-left-care")
    page.goto(f"/#/person/{first}")
    page.click("#report-absence")
    page.wait_for_selector("#lc-absence-save")
    assert page.locator("#lc-paid").count() == 0  # what was paid is the township's to record
    page.select_option("#lc-kind", "family")
    page.fill("#lc-start", "2027-03-12")
    page.fill("#lc-end", "2027-03-20")
    page.click("#lc-absence-save")
    page.wait_for_selector("[data-absence] >> text=投亲靠友（外出）")
    assert scalar(site, "SELECT count(*) FROM absence WHERE person_id = :p AND kind = 'family'", p=first) == 1
    shot(page, "lifecycle-5-caregiver-absence")
