"""Issue 11 problem 6: a reviewer sees what they weigh (caregiver, duration, distance from home)
and is offered the reasons that answer the visit's exception; 其他（见备注） needs a note."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.visits.models import Visit
from tests import factories
from tests.visits.conftest import HOME

pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def review(client, session, user, visit_id, lang=EN, **body):
    return client.post(f"/api/visits/{visit_id}/review", json=body, headers=factories.headers(session, user, **lang))


@pytest.fixture
def too_short(checkin, world, session):
    world.a.caregiver.phone = "13900001111"
    session.add(world.a.caregiver)
    session.flush()
    start = factories.now() - timedelta(minutes=10)
    r = checkin.post(started_at=start.isoformat(), ended_at=(start + timedelta(minutes=2)).isoformat())
    v = r.get_json()
    assert v["verification"]["exceptions"] == ["too_short"]
    return v


def test_the_visit_shows_its_caregiver_duration_and_distance(client, session, world, too_short, checkin):
    got = client.get(f"/api/visits/{too_short['id']}", headers=factories.headers(session, world.a.staff)).get_json()
    assert got["caregiver_name"] == world.a.caregiver.display_name
    assert got["caregiver_phone"] == "13900001111"
    assert got["duration_minutes"] == 2.0
    # 0.0003° of latitude and longitude from the home on record: about 41 m
    assert 35 <= got["distance_from_home_m"] <= 45
    far = checkin.post(lat=HOME[0] + 0.02, lon=HOME[1]).get_json()
    assert 2200 <= far["distance_from_home_m"] <= 2250 and "outside_geofence" in far["verification"]["exceptions"]
    no_gps = checkin.post(lat=None, lon=None, accuracy_m=None).get_json()
    assert no_gps["distance_from_home_m"] is None and no_gps["verification"]["exceptions"] == ["no_gps"]


def test_the_catalogue_says_which_exceptions_each_reason_answers(client):
    reasons = {r["code"]: r for r in client.get("/api/visits/catalogue").get_json()["review_reasons"]}
    assert "too_short" not in reasons["gps_unavailable"]["answers"]
    assert reasons["length_confirmed"]["answers"] == ["too_short"] and reasons["length_confirmed"]["decision"] == "accept"
    assert reasons["other_accept"]["note_required"] and reasons["other_reject"]["note_required"]
    assert not reasons["gps_unavailable"]["note_required"]
    assert reasons["confirmed_by_call"]["answers"] == []  # answers any exception


def test_a_gps_excuse_is_refused_for_a_too_short_visit(client, session, world, too_short):
    r = review(client, session, world.a.staff, too_short["id"], decision="accept", reason_code="gps_unavailable")
    assert r.status_code == 422
    assert r.get_json()["message"] == "That reason does not answer this visit's exceptions; choose another"
    assert session.get(Visit, too_short["id"]).status == "exception"
    r = review(client, session, world.a.staff, too_short["id"], decision="accept", reason_code="length_confirmed")
    assert r.status_code == 200 and r.get_json()["verification"]["status"] == "accepted"


@pytest.mark.parametrize("decision, code", [("accept", "other_accept"), ("reject", "other_reject")])
@pytest.mark.parametrize("note", [None, "", "   "])
def test_other_needs_a_note(client, session, world, too_short, decision, code, note):
    r = review(client, session, world.a.staff, too_short["id"], lang=ZH, decision=decision, reason_code=code, note=note)
    assert r.status_code == 422
    assert r.get_json()["message"] == "选择“其他（见备注）”时请填写备注"
    assert "note" in r.get_json()["errors"]
    session.expire_all()
    assert session.get(Visit, too_short["id"]).status == "exception"


def test_other_with_a_note_is_stored_with_it(client, session, world, too_short):
    r = review(client, session, world.a.staff, too_short["id"], decision="reject", reason_code="other_reject",
               note="  老人说今天没人来过  ")
    assert r.status_code == 200
    assert r.get_json()["verification"]["review"]["note"] == "老人说今天没人来过"
    row = session.scalar(select(Visit).where(Visit.id == too_short["id"]))
    assert (row.status, row.review_reason, row.review_note) == ("rejected", "other_reject", "老人说今天没人来过")
