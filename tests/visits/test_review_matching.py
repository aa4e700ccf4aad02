"""Issue 11 problem 6: a reviewer sees what they weigh (caregiver, duration, distance from home)
and is offered the reasons that answer the visit's exception; 其他（见备注） needs a note."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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


def test_the_review_queue_shows_the_visits_length_in_seconds_and_the_caregivers_month(client, session, world,
                                                                                       too_short, checkin):
    """Issue 28 (2): beside the visit, what else the caregiver's month holds; its length to the second."""
    staff = factories.headers(session, world.a.staff)
    verified = checkin.post().get_json()
    assert verified["verification"]["status"] == "verified"
    far = checkin.post(lat=HOME[0] + 0.02, lon=HOME[1]).get_json()
    assert review(client, session, world.a.staff, far["id"], decision="reject", reason_code="not_at_home").status_code == 200
    start = factories.now() - timedelta(minutes=5)
    short = checkin.post(started_at=start.isoformat(), ended_at=(start + timedelta(seconds=54)).isoformat()).get_json()

    queue = client.get("/api/visits?status=exception", headers=staff).get_json()
    got = {v["id"]: v for v in queue}
    assert set(got) == {too_short["id"], short["id"]}  # the rejected one has left the queue
    assert got[short["id"]]["duration_seconds"] == 54 and got[too_short["id"]]["duration_seconds"] == 120

    # each beside the caregiver's visits in its own month (Shanghai's: at 00:30 on the 1st the
    # visits of 23:50 belong to the month before)
    def month(v):
        local = datetime.fromisoformat(v["started_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
        return local.year, local.month

    statuses = [(too_short, "exception"), (verified, "verified"), (far, "rejected"), (short, "exception")]
    for v in (too_short, short):
        mine = [status for other, status in statuses if month(other) == month(v)]
        assert got[v["id"]]["caregiver_month"] == {"visits": len(mine), "exceptions": len(mine) - mine.count("verified"),
                                                   "rejected": mine.count("rejected")}
    if month(verified) == month(too_short):  # most instants: four visits, three exceptions, one rejected
        assert got[too_short["id"]]["caregiver_month"] == {"visits": 4, "exceptions": 3, "rejected": 1}
    # outside the queue a visit carries no month
    assert client.get(f"/api/visits/{short['id']}", headers=staff).get_json()["caregiver_month"] is None
    # staff of another township see neither the visits nor their counts
    assert client.get("/api/visits?status=exception", headers=factories.headers(session, world.b.staff)).get_json() == []
