"""Residents have a life, in the app (issue 29 part 2): the roster screen lists the care homes'
residents, each marked with their home; staff record a resident's death through the same exit
screen — no "move into a care home" among the reasons — and the township gets its 丧葬 task (seed
004 item 2: 做好特困人员身故基本殡葬服务), the stay in the home ending that day (seed 004 item 4, 进退有序)."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.care.models import CareHome, CareResidence
from server.people import idnumber
from server.people.models import Person
from tests.pwa.conftest import INSTANT, login, shot

pytestmark = pytest.mark.browser


def scalar(site, sql, **params):
    with site.database.engine.connect() as conn:
        return conn.scalar(sa.text(sql), params)


@pytest.fixture(scope="module")
def resident(site):
    """赵桂兰 of 西沟村 lives in 甲镇敬老院 since 1 November."""
    with Session(site.database.engine) as s:
        village_id = s.scalar(sa.select(Person.village_id).where(Person.id == site.people[1]))
        home = CareHome(seq=1, name="甲镇敬老院", place_id=site.township_id, beds=40, staff=4)
        s.add(home)
        s.flush()
        born = date(1946, 5, 4)
        p = Person(name="赵桂兰", sex="F", birth_date=born, id_number=idnumber.make("150430", born, 300, "F"),
                   self_care_level="partly_disabled", village_id=village_id, status="centralised",
                   support_mode="centralised", care_home_id=home.id, enrolled_on=date(2020, 1, 1))
        s.add(p)
        s.flush()
        s.add(CareResidence(person_id=p.id, care_home_id=home.id, start_on=date(2026, 11, 1)))
        s.commit()
        return p.id


def test_a_residents_death_is_recorded_from_the_roster_and_the_funeral_task_follows(context, site, resident):
    page = context.new_page()
    page.goto("/")
    login(page, "staff")
    page.click("#roster-link")
    card = page.locator(f"#lc-residents [data-person='{resident}']")
    card.wait_for()
    assert card.locator("[data-home]").inner_text() == "甲镇敬老院"
    assert "集中供养" in card.inner_text()
    assert card.locator("[data-action=absence]").count() == 0  # a stay away from home is home care's
    # the home-care persons are not among the residents
    assert page.locator(f"#lc-residents [data-person='{site.people[0]}']").count() == 0
    shot(page, "residents-1-roster")

    card.locator("[data-action=exit]").click()
    page.wait_for_selector("#lc-exit-save")
    reasons = page.locator("#lc-exit-reason option").evaluate_all("os => os.map((o) => o.value)")
    assert reasons == ["", "deceased", "moved_away", "not_eligible"]
    assert "在敬老院的集中供养结束" in page.inner_text("main")
    # a day before the move into the home is refused, said in words, nothing stored
    page.fill("#lc-exit-on", "2026-10-30")
    page.select_option("#lc-exit-reason", "deceased")
    page.click("#lc-exit-save")
    page.click("#lc-exit-confirm-yes")
    page.wait_for_selector("#status.error:has-text('退出日期不能早于入住日期')")
    assert scalar(site, "SELECT count(*) FROM personexit WHERE person_id = :p", p=resident) == 0
    page.click("#lc-exit-confirm-no")
    day = INSTANT.date().isoformat()
    page.fill("#lc-exit-on", day)
    page.fill("#lc-exit-note", "病故")
    page.click("#lc-exit-save")
    assert "在敬老院的供养当日结束" in page.inner_text("#lc-exit-confirm-text")
    shot(page, "residents-2-exit")
    page.click("#lc-exit-confirm-yes")
    page.wait_for_selector("#status:has-text('已生成丧葬事宜办理任务')")
    page.wait_for_selector(f"[data-exit='{resident}']")
    assert scalar(site, "SELECT status FROM person WHERE id = :p", p=resident) == "deceased"
    assert str(scalar(site, "SELECT end_on FROM careresidence WHERE person_id = :p", p=resident)) == day
    task = scalar(site, "SELECT id FROM alert WHERE kind = 'funeral' AND person_id = :p", p=resident)
    assert page.locator(f"#lc-residents [data-person='{resident}']").count() == 0

    page.goto("/#/alerts")
    page.wait_for_selector(f"[data-alert='{task}']")
    assert "赵桂兰去世：办理丧葬事宜" in page.inner_text(f"[data-alert='{task}']")
    shot(page, "residents-3-funeral-task")
