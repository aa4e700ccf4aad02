"""Issue 28 (9) in Chromium at 360×740: 月探访率's 合计 column was cut off (now the table scrolls
sideways under its first column, which stays); the district was 全旗（区）概况 and 已上报旗区 (now
its own name from the place tree: 测试旗概况, 已上报测试旗民政局)."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server import clock as server_clock
from server.alerts.service import AlertSettings, raise_alert
from server.auth.models import User
from server.auth.service import make_hasher
from tests.pwa.conftest import PASSWORD, login, shot
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def district(site):
    with Session(site.database.engine) as s:
        district_id = s.scalar(sa.text("SELECT id FROM place WHERE level = 'district'"))
        s.add(User(username="district", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                   role="district_admin", display_name="旗民政局", place_id=district_id))
        alert, _ = raise_alert(s, kind="visit_gap", township_id=site.township_id, title="李秀英 超过30天未探访",
                               dedupe_key="tables-1", settings=AlertSettings({"urgent": 240, "normal": 4320}),
                               person_id=site.people[0], now=server_clock.now())
        alert.level = "district"  # escalated: nobody acted in time
        s.add(alert)
        s.commit()
        return alert.id


def test_the_visit_rate_table_scrolls_under_its_place_column(context, site):
    page = open_app(context)
    login(page, "staff")
    page.wait_for_selector("#visit-rates-link")
    page.click("#visit-rates-link")
    page.wait_for_selector("#rates tr.total")
    wrap = page.locator(".rates-wrap")
    # wider than the phone: the table scrolls, the page does not
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    first = page.locator("#rates tbody tr").first.locator("td").first
    # 东营子村 on one line (it broke into 东营 / 子村)
    assert first.evaluate("td => { const r = document.createRange(); r.selectNodeContents(td);"
                          " return r.getClientRects().length; }") == 1
    left = first.bounding_box()["x"]
    shot(page, "28-9-rates-start")
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    page.wait_for_function("() => { const w = document.querySelector('.rates-wrap');"
                           " return w.scrollLeft > 0 && w.scrollLeft + w.clientWidth >= w.scrollWidth - 1; }")
    total = page.locator("#rates thead th").last
    assert total.inner_text() == "合计"
    box = total.bounding_box()
    assert box["x"] + box["width"] <= 360  # 合计 in full view
    assert first.bounding_box()["x"] == left  # the place column stayed where it was
    assert page.locator("#rates tr.total th").first.inner_text() == "合计"
    shot(page, "28-9-rates-scrolled")


def test_the_district_is_called_by_its_own_name(context, site, district):
    page = open_app(context)
    login(page, "district")
    page.wait_for_selector("#alert-sla")
    assert page.inner_text("#title") == "测试旗概况"
    assert page.inner_text("#sla-escalated span") == "已上报测试旗民政局"
    assert page.inner_text("#sla-escalated strong") == "1"
    shot(page, "28-9-district-home")
    page.click("#sla-escalated")
    card = page.locator(f"[data-alert='{district}']")
    card.wait_for()
    assert card.locator(".tag.red").first.inner_text() == "已上报测试旗民政局"
    assert "区（旗）" not in page.inner_text("main")
