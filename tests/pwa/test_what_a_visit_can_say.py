"""Issue 29 part 9 in Chromium at 360×740: what a caregiver sees at the home reaches the township —
精神状态 低落 and 食物和生活用品 缺乏 are tasks on the staff's alert desk, with the visit they came from."""

import pytest
import sqlalchemy as sa

from server import clock as server_clock
from tests.pwa.conftest import HOME, SAVED, count_visits, login, shot, wait_until
from tests.pwa.test_field import open_app, open_checkin, quick_visit

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_context(browser, site):
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1, locale="zh-CN",
                              base_url=site.url, geolocation={"latitude": HOME[0], "longitude": HOME[1], "accuracy": 12},
                              permissions=["geolocation"])
    ctx.clock.install(time=server_clock.now())
    yield ctx
    ctx.close()


def test_low_spirits_and_no_food_seen_at_the_home_are_tasks_staff_see(context, staff_context, site):
    """Seed 000 item 12: 对遭遇特殊困难的特困人员…及时予以救助和帮扶, 由专业社工组织为特困人员提供心理慰藉 —
    the caregiver taps 低落 and 缺乏 on the check-in; township staff find both tasks on their alert desk,
    each with the visit's observations marked 需关注."""
    page = open_app(context)
    login(page)
    open_checkin(page)
    page.click("button[data-field=mood][data-code=low]")
    page.click("button[data-field=food_supplies][data-code=none]")
    page.fill("#note", "老人说心里难受，米缸空了")
    assert page.get_attribute("button[data-field=mood][data-code=low]", "aria-pressed") == "true"
    shot(page, "29-9-checkin-low-no-food")
    quick_visit(page)
    page.wait_for_selector(SAVED)
    wait_until(lambda: count_visits(site, site.people[0]) == 1, what="the visit to reach the server")
    with site.database.engine.connect() as conn:
        alerts = dict(conn.execute(sa.text("SELECT kind, id FROM alert WHERE person_id = :p"), {"p": site.people[0]}).all())
    assert set(alerts) == {"no_food", "mood_low"}

    desk = open_app(staff_context)
    login(desk, "staff")
    desk.click("#alerts-link")
    food = desk.locator(f"[data-alert='{alerts['no_food']}']")
    food.wait_for()
    assert food.locator("h3").inner_text() == "李秀英家中缺乏食物和生活用品，需及时救助"
    mood = desk.locator(f"[data-alert='{alerts['mood_low']}']")
    assert mood.locator("h3").inner_text() == "李秀英精神状态低落，需安排心理慰藉"
    assert mood.locator(".sla").inner_text().startswith("处理时限：")
    items = mood.locator(".observations li").all_inner_texts()
    assert any(i.startswith("精神：低落") and "需关注" in i for i in items)
    assert any(i.startswith("食物用品：缺乏") and "需关注" in i for i in items)
    assert mood.locator(".visit-note").inner_text() == "老人说心里难受，米缸空了"
    mood.scroll_into_view_if_needed()
    shot(desk, "29-9-alert-desk-mood-low")


def test_an_unsafe_house_seen_under_more_reaches_staff_marked(context, staff_context, site):
    """Seed 002 item 3 (及时了解…安全风险、家庭赡养、关爱保护等情况): on a home visit the three sit folded
    under 更多情况, never on a call; the caregiver opens it, taps 房屋不安全 and sends; township staff
    find the urgent alert with 安全风险：房屋不安全 marked 需关注."""
    before = count_visits(site, site.people[0])  # the module's site keeps what earlier tests sent
    page = open_app(context)
    login(page)
    open_checkin(page)
    more = page.locator("#more-observed")
    assert more.is_visible() and more.get_attribute("open") is None  # folded: the form stays short
    assert not page.is_visible("button[data-field=safety_risk]")
    page.click("#modes button[data-mode=phone]")
    assert not more.is_visible()  # a call cannot see the house
    page.click("#modes button[data-mode=home]")
    page.click("#more-observed > summary")
    assert more.locator("summary").inner_text() == "更多情况"
    page.click("button[data-field=safety_risk][data-code=house_unsafe]")
    assert page.get_attribute("button[data-field=safety_risk][data-code=house_unsafe]", "aria-pressed") == "true"
    shot(page, "29-9-checkin-more-house-unsafe")
    quick_visit(page)
    page.wait_for_selector(SAVED)
    wait_until(lambda: count_visits(site, site.people[0]) == before + 1, what="the visit to reach the server")
    with site.database.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT id, safety_risk, family_support, care_need FROM visit WHERE person_id = :p "
                                   "ORDER BY id DESC LIMIT 1"), {"p": site.people[0]}).one()
        alerts = dict(conn.execute(sa.text("SELECT kind, id FROM alert WHERE person_id = :p AND detail LIKE :v"),
                                   {"p": site.people[0], "v": f'%"visit_id": {row.id}%'}).all())
    assert tuple(row)[1:] == ("house_unsafe", None, None)  # the other two left empty
    assert set(alerts) == {"house_unsafe"}

    desk = open_app(staff_context)
    login(desk, "staff")
    desk.click("#alerts-link")
    house = desk.locator(f"[data-alert='{alerts['house_unsafe']}']")
    house.wait_for()
    assert house.locator("h3").inner_text() == "李秀英的房屋不安全，需及时处置"
    items = house.locator(".observations li").all_inner_texts()
    assert any(i.startswith("安全风险：房屋不安全") and "需关注" in i for i in items)
    house.scroll_into_view_if_needed()
    shot(desk, "29-9-alert-desk-house-unsafe")
