"""Categories as the seeds word them, in the app (issue 29 part 6).

Seed 002 item 3: 对独居、空巢、留守、失能、重残、计划生育特殊家庭等特殊困难老年人进行定期探访 — township staff tick
计划生育特殊家庭 on a person (its own group, not 失独) and the 月探访率 screen shows it as its own column,
counting those 60 and over. Seed 002 附件2 第5项 gives 特困 65 元 and 一二级残疾 75 元 a bath and says
nothing of a person in both: the district admin decides on the 补贴标准 screen, which says plainly
while it is undecided that the first group listed applies."""

import json

import pytest
import sqlalchemy as sa

from tests.pwa.conftest import login, shot, wait_until
from tests.pwa.test_policy import admin, open_app  # noqa: F401  (admin: the district admin's login, a fixture)

pytestmark = pytest.mark.browser


def flags_of(site, person_id):
    with site.database.engine.connect() as conn:
        raw = conn.scalar(sa.text("SELECT risk_flags FROM person WHERE id = :id"), {"id": person_id})
    return json.loads(raw) if isinstance(raw, str) else raw


def test_staff_tick_family_planning_and_the_visit_rates_show_it_as_its_own_group(context, site):
    page = open_app(context)
    login(page, "staff")
    page.wait_for_selector("#person-groups-link")
    page.click("#person-groups-link")
    page.fill("#cat-q", "李秀英")
    page.click("#cat-search")
    who = site.people[0]
    card = page.locator(f"#cat-found .card[data-person='{who}']")
    card.wait_for()
    assert "82岁" in card.inner_text() or "81岁" in card.inner_text()
    assert "计划生育特殊家庭" in card.inner_text() and "失独" in card.inner_text()
    page.check(f"#cat-{who}-family_planning_special")
    shot(page, "categories-01-person-groups")
    card.locator("button[data-action=save-groups]").click()
    page.wait_for_selector("#status:has-text('已保存李秀英的特殊困难情形：计划生育特殊家庭')")
    wait_until(lambda: flags_of(site, who) == ["family_planning_special"], what="the flag stored")

    page.goto("/#/visit-rates")
    page.wait_for_selector("#rates tr[data-place='total']")
    head = page.locator("#rates th[data-group]")
    groups = [head.nth(k).get_attribute("data-group") for k in range(head.count())]
    assert groups == ["lives_alone", "empty_nest", "left_behind", "disabled", "severe_disability",
                      "family_planning_special", "any"]
    assert page.inner_text("#rates th[data-group=family_planning_special]") == "计划生育特殊家庭"
    cell = page.locator("#rates tr[data-place='total'] td").nth(groups.index("family_planning_special"))
    assert cell.get_attribute("data-total") == "1"  # 李秀英, 80 and more: an 老年人
    assert "60周岁" in page.inner_text("#rates-elderly")
    shot(page, "categories-02-visit-rates")
    # the screen links back to where the groups are set
    page.click("#rates-groups-link")
    page.wait_for_selector("#cat-q")


def test_the_district_decides_which_rate_applies_to_two_groups(context, site, admin):
    page = open_app(context)
    login(page, "staff")  # township staff read the rule, and may not change it
    page.wait_for_selector("#services-link")
    page.goto("/#/service-policy")
    page.wait_for_selector("#svc-two-groups")
    state = page.inner_text("#svc-rule-state")
    assert state.startswith("区民政局尚未决定：按顺序取第一个：分散供养特困、低保、一二级残疾、失独")
    assert page.locator("#svc-rule-save").count() == 0 and page.is_disabled("#svc-group-rule")
    page.goto("/#/staff")
    page.wait_for_selector("button.danger:has-text('退出登录')")
    page.click("button.danger:has-text('退出登录')")
    page.wait_for_selector("#username")

    login(page, admin)
    page.wait_for_selector("#district-rate, #services-link")
    page.goto("/#/service-policy")
    page.wait_for_selector("#svc-two-groups")
    assert page.inner_text("#svc-rule-state").startswith("区民政局尚未决定")
    page.locator("#svc-two-groups").scroll_into_view_if_needed()
    shot(page, "categories-03-two-groups-undecided")
    page.click("#svc-rule-save")  # nothing chosen: said, nothing stored
    page.wait_for_selector("#status.error:has-text('区民政局尚未决定')")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM servicegrouprule")) == 0
    page.select_option("#svc-group-rule", "higher")
    page.click("#svc-rule-save")
    page.wait_for_selector("#svc-rule-state:has-text('取较高标准')")
    with site.database.engine.connect() as conn:
        wait_until(lambda: conn.scalar(sa.text("SELECT rule FROM servicegrouprule")) == "higher", what="the rule")
    page.locator("#svc-two-groups").scroll_into_view_if_needed()
    shot(page, "categories-04-two-groups-higher")
