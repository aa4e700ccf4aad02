"""Walk (b) of issue 29's "Must show": a person's evaluation records a wish for centralised care
(seed 001 annex 3, 集中供养意愿); staff move them into a care home through the move screen; the
集中供养意愿 report counts the move (seed 004 item 2: 确保有集中供养意愿的特困人员集中供养率达到100%);
later the resident's death is recorded through the exit screen, and the township finds its 丧葬 task
(seed 004 item 2: 做好特困人员身故基本殡葬服务) — the stay in the home ending that day."""

from datetime import date

import pytest
from sqlmodel import Session

from server.care.models import CareHome
from tests.pwa.conftest import INSTANT, login, outbox_count, shot, wait_sw, wait_until
from tests.pwa.test_residents import scalar

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def home(site):
    with Session(site.database.engine) as s:
        h = CareHome(seq=1, name="甲镇敬老院", place_id=site.township_id, beds=40, staff=4)
        s.add(h)
        s.commit()
        return h.id


def report_row(page) -> list[str]:
    page.wait_for_selector("#centralisation-table td:has-text('甲镇')")
    return page.locator("#centralisation-table tr:has(td:has-text('甲镇')) td").all_inner_texts()


def test_wish_move_report_death_and_funeral_task(context, site, home):
    person = site.people[0]  # 李秀英, at home with her caregiver
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")

    # 1. the door-to-door evaluation records her wish to live in a care home
    page.click("#evaluations-link")
    page.click(f"[data-due='{person}']")
    page.wait_for_selector("#care-quality-notes")
    page.fill("#assessed-on", "2026-11-02")
    for field, code in [("housing", "own"), ("living_environment", "fair"), ("quality_of_life", "fair"),
                        ("care_quality", "fair"), ("treated_promptly", "true"), ("subsidy_self_controlled", "true"),
                        ("rights_infringed", "false"), ("overall", "good"), ("wishes_centralised", "true")]:
        page.click(f"#eval-{field} button[data-code='{code}']")
    page.click("#eval-submit")
    wait_until(lambda: outbox_count(page) == 0 and scalar(site, "SELECT count(*) FROM assessment") == 1,
               what="the evaluation to be sent")
    assert scalar(site, "SELECT wishes_centralised FROM person WHERE id = :p", p=person) == 1
    page.goto("/#/centralisation")
    assert report_row(page)[1:] == ["1", "0", "0%"]  # wished, not moved yet
    shot(page, "walk-b-1-wished")

    # 2. staff move her into the township's care home from 5 November
    page.goto(f"/#/move/{person}")
    page.wait_for_selector("#ch-move-save")
    page.select_option("#ch-move-home", str(home))
    page.fill("#ch-move-day", "2026-11-05")
    page.fill("#ch-move-note", "本人自愿入住")
    shot(page, "walk-b-2-move")
    page.click("#ch-move-save")
    page.wait_for_selector(f"#ch-residents [data-person='{person}']")
    assert scalar(site, "SELECT status || '/' || care_home_id FROM person WHERE id = :p", p=person) == f"centralised/{home}"

    # 3. the 集中供养意愿 report counts the move
    page.goto("/#/centralisation")
    page.wait_for_function("() => [...document.querySelectorAll('#centralisation-table td')]"
                           ".some((td) => td.textContent === '100%')")
    assert report_row(page)[1:] == ["1", "1", "100%"]
    shot(page, "walk-b-3-report")

    # 4. later she dies: the exit screen, reached from the roster where residents are listed by home
    page.goto("/#/staff")
    page.click("#roster-link")
    card = page.locator(f"#lc-residents [data-person='{person}']")
    card.wait_for()
    assert card.locator("[data-home]").inner_text() == "甲镇敬老院"
    card.locator("[data-action=exit]").click()
    page.wait_for_selector("#lc-exit-save")
    day = INSTANT.date().isoformat()
    page.fill("#lc-exit-on", day)
    page.select_option("#lc-exit-reason", "deceased")
    page.click("#lc-exit-save")
    page.click("#lc-exit-confirm-yes")
    page.wait_for_selector("#status:has-text('已生成丧葬事宜办理任务')")
    assert scalar(site, "SELECT status FROM person WHERE id = :p", p=person) == "deceased"
    assert scalar(site, "SELECT end_on FROM careresidence WHERE person_id = :p", p=person) == day
    assert date.fromisoformat(day) > date(2026, 11, 5)

    # 5. the township's 丧葬 task, on the alerts screen; the report still counts her move
    task = scalar(site, "SELECT id FROM alert WHERE kind = 'funeral' AND person_id = :p", p=person)
    page.goto("/#/alerts")
    page.wait_for_selector(f"[data-alert='{task}']")
    assert "李秀英去世：办理丧葬事宜" in page.inner_text(f"[data-alert='{task}']")
    shot(page, "walk-b-4-funeral-task")
    page.goto("/#/centralisation")
    page.wait_for_selector("#centralisation-table td:has-text('甲镇')")
    assert report_row(page)[1:] == ["1", "1", "100%"]
