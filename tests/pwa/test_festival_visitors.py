"""Festival visits by social forces (issue 29 part 7) in Chromium at 360×740. Seed 000 item 12: 在重要节日，
发动社会力量，对特困人员进行走访慰问 — a volunteer logs a 节日慰问 naming 张德明 and the festival report
counts him, visited by the team; a district admin, in the app, stops counting volunteers' visits
and the report no longer does."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.auth.models import User
from server.auth.service import make_hasher
from server.pairing.models import FestivalCampaign
from tests.pwa.conftest import INSTANT, PASSWORD, SAVED, login, outbox_count, shot, wait_until
from tests.pwa.test_casework import logout
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def campaign(site):
    """A mid-autumn window around the tests' instant, set by the district admin; no unit is paired with 甲镇."""
    with Session(site.database.engine) as s:
        district_id = s.scalar(sa.text("SELECT id FROM place WHERE level = 'district'"))
        admin = User(username="admin", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                     role="district_admin", display_name="区民政局", place_id=district_id)
        s.add(admin)
        s.flush()
        c = FestivalCampaign(year=INSTANT.year, festival="mid_autumn", starts_on=INSTANT.date() - timedelta(days=5),
                             ends_on=INSTANT.date() + timedelta(days=5), created_by=admin.id)
        s.add(c)
        s.commit()
        return c.id


def test_a_volunteers_festival_visit_counts_and_the_district_decides_whose_do(context, site, campaign):
    """Seed 000 item 12: the volunteer team's 节日慰问 naming 张德明 makes him visited (甲镇 has no paired
    unit: 0% before); the district admin unticks volunteer teams in the app, and it no longer counts."""
    page = open_app(context)
    login(page, "vol")
    page.wait_for_selector("#log-activity")
    page.click("#log-activity")
    page.wait_for_selector("#activity-persons input[data-person]", state="attached")
    page.click("button[data-kind=festival_visit]")
    page.check(f"#activity-persons input[data-person='{site.people[1]}']")
    page.click("#activity-submit")
    page.wait_for_selector(SAVED)
    with site.database.engine.connect() as conn:
        wait_until(lambda: conn.scalar(sa.text("SELECT count(*) FROM activityperson")) == 1, what="the festival visit")
    wait_until(lambda: outbox_count(page) == 0, what="the outbox to empty")  # else logout asks about it
    page.evaluate("location.hash = '#/'")
    page.wait_for_selector("#log-activity")  # the home drawn again: its logout button is the one to press
    logout(page)
    login(page, "admin")
    page.click("#festivals-link")
    page.wait_for_selector("#festival-visitors")
    # the setting, with its default and the passage it reads
    assert page.is_checked("#fest-visitor-cadre") and page.is_checked("#fest-visitor-volunteer")
    assert "发动社会力量" in page.inner_text("#fest-visitors-source")
    page.click(f".card[data-festival='{campaign}']")
    page.wait_for_selector("#festival-total")
    assert page.inner_text("#festival-total") == "已走访1/2人（50%）"
    assert page.inner_text("#festival-by-whom") == "其中结对干部走访0人，志愿服务队慰问1人"
    page.click("#festival-visited")
    page.wait_for_selector("#visited tr")
    assert page.locator("#visited tr").all_inner_texts() == ["张德明\t西沟村\t甲镇志愿服务队（志愿者）"]
    shot(page, "29-7-festival-visited-by-a-team")

    # cadres only: the district admin unticks volunteer teams and saves
    page.go_back()  # one screen at a time: a screen still drawing when the next is asked for draws over it
    page.wait_for_selector("#festival-total")
    page.go_back()
    page.wait_for_selector("#festival-visitors")
    page.uncheck("#fest-visitor-volunteer")
    page.uncheck("#fest-visitor-cadre")
    page.click("#fest-visitors-save")
    page.wait_for_selector(".field-error:has-text('请至少选择一种')")  # nothing ticked: said, nothing sent
    page.check("#fest-visitor-cadre")
    page.click("#fest-visitors-save")
    page.wait_for_function("() => document.querySelector('#fest-visitors-text').textContent.endsWith('：结对干部')")
    shot(page, "29-7-festival-visitors-setting")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT visitors FROM festivalpolicy")) in ('["cadre"]', ["cadre"])
    page.click(f".card[data-festival='{campaign}']")
    page.wait_for_selector("#festival-total")
    assert page.inner_text("#festival-total") == "已走访0/2人（0%）"
    assert page.inner_text("#festival-policy") == "计入节日走访慰问的走访：结对干部"
