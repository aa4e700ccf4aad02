"""The door-to-door evaluation (seed 001 逐人定期考核评价, annex 3): the form from the outbox, who is
due (none in 12 months by default), progress per village, 集中供养意愿 on the person, a care-home
recommendation closed without a move needs a reason, and wished / moved / rate."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.alerts.models import Alert
from server.assessments.models import Assessment
from server.care.models import CareHome
from server.casework.evaluations import months_before
from server.people.models import Person
from tests import factories
from tests.test_assessments import form

pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


def assess(client, session, world, person, days_ago=0, **over):
    day = factories.today() - timedelta(days=days_ago)
    return client.post("/api/assessments", json=form(person.id, assessed_on=day.isoformat(), **over),
                       headers=factories.headers(session, world.a.staff))


def due_names(client, session, world):
    return [d["name"] for d in client.get("/api/evaluations/due", headers=factories.headers(session, world.a.staff)).get_json()]


def test_who_is_due_no_evaluation_in_12_months(client, session, world):
    second = factories.person(session, world.a.villages[1], name="张桂兰", sex="F", caregiver=world.a.caregiver)
    factories.person(session, world.a.villages[1], name="刘某", status="centralised")  # in a care home: not visited
    assert due_names(client, session, world) == ["王德明", "张桂兰"]  # never evaluated first, by village
    year_ago = (factories.today() - months_before(factories.today(), 12)).days
    assess(client, session, world, world.a.person, days_ago=year_ago)  # exactly 12 months ago: due again
    assess(client, session, world, second, days_ago=year_ago - 1)  # a day less: not due
    [row] = client.get("/api/evaluations/due", headers=factories.headers(session, world.a.staff)).get_json()
    assert row["name"] == "王德明" and row["last_assessed_on"] == months_before(factories.today(), 12).isoformat()
    assert row["caregiver_name"] == world.a.caregiver.display_name
    # the district makes it 6 months
    policy = {"relief_statement_days": 7, "evaluation_interval_months": 6, "fraud_rejections": 2, "fraud_window_days": 90}
    client.put("/api/casework/policy", json=policy, headers=factories.headers(session, world.admin))
    assert sorted(due_names(client, session, world)) == ["张桂兰", "王德明"]
    # a caregiver has no business here, another township's staff see only theirs
    assert client.get("/api/evaluations/due", headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert [d["name"] for d in client.get("/api/evaluations/due", headers=factories.headers(session, world.b.staff))
            .get_json()] == ["李秀英"]


def test_campaign_progress_per_village(client, session, world):
    factories.person(session, world.a.villages[1], name="张桂兰", sex="F")
    factories.person(session, world.a.villages[1], name="周某")
    assess(client, session, world, world.a.person)
    rows = client.get("/api/reports/evaluations", headers=factories.headers(session, world.a.staff)).get_json()["rows"]
    v1, v2 = world.a.villages
    assert rows == [[1, "甲镇", v1.name, 1, 1, 0, "100%"], [2, "甲镇", v2.name, 2, 0, 2, "0%"]]


def test_the_form_from_the_outbox_is_stored_once_and_records_the_wish(client, session, world):
    body = form(world.a.person.id, client_id=str(uuid.uuid4()), wishes_centralised=True)
    h = factories.headers(session, world.a.staff)
    first = client.post("/api/assessments", json=body, headers=h)
    again = client.post("/api/assessments", json=body, headers=h)
    assert first.status_code == again.status_code == 201 and first.get_json()["id"] == again.get_json()["id"]
    assert len(session.scalars(select(Assessment)).all()) == 1
    session.expire_all()
    person = session.get(Person, world.a.person.id)
    assert (person.wishes_centralised, person.wishes_centralised_on) == (True, factories.today())
    # the same client_id for another person is refused
    clash = client.post("/api/assessments", json={**body, "person_id": world.a.person.id + 999}, headers=h)
    assert clash.status_code == 422


def test_closing_a_care_home_recommendation_without_moving_needs_a_reason(client, session, world):
    assess(client, session, world, world.a.person, overall="bad")
    alert = session.scalar(select(Alert).where(Alert.kind == "centralised_recommended"))
    h = factories.headers(session, world.a.staff, **EN)
    r = client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "resolved_at_home"}, headers=h)
    assert r.status_code == 422 and r.get_json()["reason"] == "note_required"
    r = client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "resolved_at_home", "note": "本人不愿入住，侄子搬来同住"},
                    headers=h)
    assert r.status_code == 200


def test_moving_needs_no_reason(client, session, world):
    """Issue 29 part 3: 转入敬老院 is said by the move itself (it closes the recommendation without a
    reason); choosing it while the person still lives at home is refused."""
    assess(client, session, world, world.a.person, overall="bad")
    alert = session.scalar(select(Alert).where(Alert.kind == "centralised_recommended"))
    h = factories.headers(session, world.a.staff)
    r = client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "moved_to_care_home"}, headers=h)
    assert r.status_code == 409 and r.get_json()["reason"] == "move_not_recorded"
    home = CareHome(seq=1, name="甲镇敬老院", place_id=world.a.place.id, beds=40, other_residents=20, staff=4)
    session.add(home)
    session.flush()
    r = client.post(f"/api/persons/{world.a.person.id}/centralise", json={"care_home_id": home.id}, headers=h)
    assert r.status_code == 200
    session.expire_all()
    assert session.get(Alert, alert.id).outcome == "moved_to_care_home"


def test_wished_moved_and_rate_per_township(client, session, world):
    mover = factories.person(session, world.a.villages[1], name="张桂兰", sex="F")
    stayer = factories.person(session, world.a.villages[1], name="周某")
    for p in (mover, stayer):
        assess(client, session, world, p, wishes_centralised=True)
    assess(client, session, world, world.a.person, wishes_centralised=False)
    session.expire_all()
    moved = session.get(Person, mover.id)
    moved.status, moved.support_mode = "centralised", "centralised"
    session.add(moved)
    session.flush()
    report = client.get(f"/api/reports/centralisation?place_id={world.district.id}",
                        headers=factories.headers(session, world.admin)).get_json()
    assert report["headers"] == ["序号", "乡镇（街道）", "有集中供养意愿", "已入住敬老院", "入住率"]
    assert report["rows"] == [[1, "甲镇", 2, 1, "50%"], [2, "乙乡", 0, 0, "—"]]


def test_months_before_keeps_the_day_or_takes_the_months_last():
    from datetime import date

    assert months_before(date(2027, 3, 31), 1) == date(2027, 2, 28)
    assert months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert months_before(date(2027, 1, 15), 12) == date(2026, 1, 15)
