"""Care homes and the move into one, in the app, in real Chromium (issue 29 parts 1 and 3). Seed 001
annex 2 and 二(二)4: a district admin sets the occupancy target (default 60%, its source shown) and
adds a home with 负责人 and 电话; seed 004 item 2 (有集中供养意愿的特困人员集中供养率达到100%): township
staff record a wish, which opens a task on the alerts screen; its button opens the move screen
(#/move/<person_id>), the move lands the person in the home and closes the task."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.auth.models import User
from server.auth.service import make_hasher
from tests.pwa.conftest import PASSWORD, login, shot, wait_sw

pytestmark = pytest.mark.browser


def rows(site, query):
    with site.database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query))]


def logout(page):
    page.evaluate("location.hash = '#/'")
    page.click("button.danger:has-text('退出登录')")
    page.wait_for_selector("#username")


def test_a_home_added_a_wish_recorded_and_the_move_made_in_the_app(context, site):
    with Session(site.database.engine) as s:
        district_id = s.execute(sa.text("SELECT id FROM place WHERE level = 'district'")).scalar_one()
        s.add(User(username="admin", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                   role="district_admin", display_name="民政局", place_id=district_id))
        s.commit()
    person = site.people[0]  # 李秀英, at home under an agreement
    page = context.new_page()
    page.goto("/")
    wait_sw(page)

    # the district admin: the target with its default and source, then a new home
    login(page, "admin")
    page.click("#care-homes-link")
    page.wait_for_selector("#ch-policy")
    assert page.input_value("#ch-target") == "60"
    assert "二(二)4" in page.inner_text("#ch-target-source")
    page.fill("#ch-target", "0")
    page.click("#ch-policy-save")
    page.wait_for_selector("#ch-target-error")  # told beside the field; nothing saved
    assert rows(site, "SELECT count(*) FROM carehomepolicy") == [(0,)]
    page.fill("#ch-target", "65")
    page.click("#ch-policy-save")
    page.wait_for_selector("#status:has-text('65%')")
    page.click("#ch-add summary")
    page.fill("#ch-new-name", "甲镇敬老院")
    page.select_option("#ch-new-place", label="甲镇")
    page.fill("#ch-new-beds", "30")
    page.fill("#ch-new-staff", "3")
    page.fill("#ch-new-other", "10")
    page.fill("#ch-new-head", "胡院长")
    page.fill("#ch-new-phone", "15047678599")
    shot(page, "care-homes-01-add")
    page.click("#ch-new-save")
    page.wait_for_selector("#ch-edit")  # the new home's screen
    [(home_id, other, head, phone)] = rows(site, "SELECT id, other_residents, head_name, phone FROM carehome")
    assert (other, head, phone) == (10, "胡院长", "15047678599")
    assert "还应入住10人" in page.inner_text(f"[data-home='{home_id}']")  # 65% of 30 → 20, 10 there
    logout(page)

    # township staff: the wish opens a task; its button opens the move
    login(page, "staff")
    page.wait_for_selector("#alerts-link")
    page.evaluate(f"location.hash = '#/move/{person}'")
    page.wait_for_selector("#ch-wish")
    page.check("#ch-wish")
    page.click("#ch-wish-save")
    page.wait_for_selector("#status:has-text('已登记李秀英的集中供养意愿')")
    [(task_id,)] = rows(site, "SELECT id FROM alert WHERE kind = 'centralisation_wish' AND status = 'open'")
    page.evaluate("location.hash = '#/alerts'")
    page.wait_for_selector(f"[data-alert='{task_id}'] [data-move='{person}']")
    shot(page, "care-homes-02-task")
    page.click(f"[data-alert='{task_id}'] [data-move='{person}']")
    page.wait_for_selector("#ch-move-home")
    page.click("#ch-move-save")  # no home chosen: said beside the list
    page.wait_for_selector("#ch-move-home-error")
    page.select_option("#ch-move-home", str(home_id))
    page.fill("#ch-move-note", "本人同意入住")
    shot(page, "care-homes-03-move")
    page.click("#ch-move-save")
    page.wait_for_selector(f"#ch-residents [data-person='{person}']")
    assert "李秀英" in page.inner_text("#ch-residents")
    # a resident's death or departure is one tap away: the exit screen (issue 29 part 2)
    assert page.get_attribute(f"#ch-residents [data-person='{person}'] a[data-action=exit]", "href") == f"#/exit/{person}"
    shot(page, "care-homes-04-resident")
    assert rows(site, f"SELECT status, support_mode, care_home_id FROM person WHERE id = {person}") == [
        ("centralised", "centralised", home_id)]
    assert rows(site, f"SELECT care_home_id, end_on FROM careresidence WHERE person_id = {person}") == [(home_id, None)]
    assert rows(site, f"SELECT status, outcome FROM alert WHERE id = {task_id}") == [("resolved", "moved_to_care_home")]
    # the wished → moved report counts the move
    page.evaluate("location.hash = '#/centralisation'")
    page.wait_for_selector("#centralisation-table td:has-text('100%')")
    # the move screen of a resident says where they live
    page.evaluate(f"location.hash = '#/move/{person}'")
    page.wait_for_selector("#ch-move-done:has-text('甲镇敬老院')")
