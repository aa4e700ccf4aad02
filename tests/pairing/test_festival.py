"""Festival visits (节日慰问, seed 003 元旦春节、端午、中秋; seed 000 item 12): the window the district
sets, the report of who has been visited, the list of who has not, and the reminders."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.notify.models import Notification
from server.pairing import festival
from server.pairing.models import Pairing
from server.visits.models import Visit
from tests import factories
from tests.visits.conftest import multipart, photo, visit_fields

pytestmark = pytest.mark.clock_edges


def campaign(client, session, world, **over):
    today = factories.today()
    body = {"year": (today + timedelta(days=3)).year, "festival": "spring",
            "starts_on": (today - timedelta(days=3)).isoformat(), "ends_on": (today + timedelta(days=3)).isoformat(),
            **over}
    return client.post("/api/festivals", json=body, headers=factories.headers(session, world.admin))


def pair(session, world, cadre, person):
    p = Pairing(cadre_id=cadre.id, person_id=person.id, started_on=factories.today() - timedelta(days=30),
                created_by=world.a.staff.id)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def scene(client, session, world, pairs):
    """甲镇: 王德明 paired with the clerk and visited in the window; 孙大娘 paired with the chief and
    visited only before it; 周老汉 with no pair, seen by his caregiver in the window. 乙乡: 李秀英."""
    c = campaign(client, session, world)
    assert c.status_code == 201, c.get_json()
    sun = factories.person(session, world.a.villages[1], name="孙大娘")
    zhou = factories.person(session, world.a.villages[0], name="周老汉", caregiver=world.a.caregiver)
    pair(session, world, pairs.clerk, world.a.person)
    early = pair(session, world, pairs.chief, sun)
    h = factories.headers(session, pairs.users["clerk"])
    r = client.post("/api/visits", data=multipart(visit_fields(world.a.person.id, services=["festival_greeting"]),
                                                  [photo(21)]), headers=h, content_type="multipart/form-data")
    assert r.get_json()["verification"]["status"] == "verified"
    start = festival._window(festival.get_campaign(session, c.get_json()["id"]), factories.SH)[0]
    session.add(Visit(client_id=str(uuid.uuid4()), person_id=sun.id, caregiver_id=pairs.users["chief"].id,
                      pairing_id=early.id, mode="home", started_at=start - timedelta(seconds=1), status="verified",
                      content_hash="x" * 64))
    session.add(Visit(client_id=str(uuid.uuid4()), person_id=zhou.id, caregiver_id=world.a.caregiver.id, mode="home",
                      started_at=factories.now() - timedelta(hours=1), status="verified", content_hash="y" * 64))
    session.flush()
    return {"campaign": c.get_json(), "sun": sun, "zhou": zhou}


def test_the_report_lists_exactly_the_persons_not_yet_visited(client, session, world, pairs, scene):
    cid = scene["campaign"]["id"]
    h = factories.headers(session, world.admin)
    report = client.get(f"/api/festivals/{cid}/report", headers=h).get_json()
    assert (report["persons"], report["visited"], report["not_visited"]) == (4, 1, 3)
    assert [(t["name"], t["persons"], t["visited"], t["not_visited"]) for t in report["townships"]] == [
        ("甲镇", 3, 1, 2), ("乙乡", 1, 0, 1)]
    assert [(u["name"], u["persons"], u["visited"], u["not_visited"]) for u in report["units"]] == [
        ("区委办公室、区发改委", 2, 1, 1), (None, 2, 0, 2)]
    listed = client.get(f"/api/festivals/{cid}/unvisited", headers=h).get_json()
    assert sorted(p["name"] for p in listed) == ["周老汉", "孙大娘", "李秀英"]
    by_unit = client.get(f"/api/festivals/{cid}/unvisited?unit_id={pairs.unit.id}", headers=h).get_json()
    assert [(p["name"], p["cadres"]) for p in by_unit] == [("孙大娘", ["陈处长"])]
    # township staff: their own township, one tap from the row
    hs = factories.headers(session, world.a.staff)
    assert sorted(p["name"] for p in client.get(f"/api/festivals/{cid}/unvisited", headers=hs).get_json()) == [
        "周老汉", "孙大娘"]
    assert client.get(f"/api/festivals/{cid}/unvisited?township_id={world.b.place.id}", headers=hs).status_code == 403
    # as a file for the district's report upward
    r = client.get(f"/api/festivals/{cid}/report?format=csv", headers=h)
    lines = r.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "街道（乡镇）,应走访人数,已走访,未走访" and lines[-1] == "合计,4,1,3"


def test_a_visit_reviewed_and_accepted_counts_and_one_rejected_does_not(client, session, world, pairs, scene):
    cid = scene["campaign"]["id"]
    h = factories.headers(session, world.a.staff)
    pairing = session.scalar(select(Pairing).where(Pairing.person_id == scene["sun"].id))
    v = Visit(client_id=str(uuid.uuid4()), person_id=scene["sun"].id, caregiver_id=pairs.users["chief"].id,
              pairing_id=pairing.id, mode="home", started_at=factories.now() - timedelta(minutes=5),
              status="exception", exceptions=["no_gps"], content_hash="z" * 64)
    session.add(v)
    session.flush()
    names = lambda: sorted(p["name"] for p in client.get(f"/api/festivals/{cid}/unvisited", headers=h).get_json())  # noqa: E731
    assert "孙大娘" in names()
    r = client.post(f"/api/visits/{v.id}/review", json={"decision": "accept", "reason_code": "gps_unavailable"},
                    headers=h)
    assert r.status_code == 200
    assert names() == ["周老汉"]


def test_the_reminders_name_whom_each_cadre_has_still_to_visit(session, world, pairs, scene):
    result = festival.remind(session, now=factories.now(), zone=factories.SH)
    assert result == {"cadres_reminded": 1, "teams_reminded": 2}
    chief = session.scalars(select(Notification).where(Notification.user_id == pairs.users["chief"].id)).all()
    ends = scene["campaign"]["ends_on"]
    assert [n.body for n in chief] == [f"元旦春节走访慰问截至{ends}，您结对的以下人员还没有走访：孙大娘"]
    assert session.scalars(select(Notification).where(Notification.user_id == pairs.users["clerk"].id)).all() == []
    team = session.scalars(select(Notification).where(Notification.user_id == world.a.volunteer.id)).all()
    assert [n.body for n in team] == [f"元旦春节走访慰问截至{ends}，甲镇还有2人没有走访慰问。"]
    # once a day
    assert festival.remind(session, now=factories.now(), zone=factories.SH) == {"cadres_reminded": 0,
                                                                                "teams_reminded": 0}


def test_no_reminder_outside_the_window(client, session, world, pairs):
    today = factories.today()
    later = today + timedelta(days=40)
    c = campaign(client, session, world, festival="mid_autumn", year=later.year,
                 starts_on=(later - timedelta(days=2)).isoformat() if (later - timedelta(days=2)).year == later.year
                 else later.isoformat(), ends_on=(later + timedelta(days=1)).isoformat()
                 if (later + timedelta(days=1)).year == later.year else later.isoformat())
    assert c.status_code == 201, c.get_json()
    pair(session, world, pairs.clerk, world.a.person)
    assert festival.remind(session, now=factories.now(), zone=factories.SH) == {"cadres_reminded": 0,
                                                                                "teams_reminded": 0}


def test_the_window_is_checked_and_set_by_the_district_alone(client, session, world, scene):
    h = factories.headers(session, world.admin)
    r = client.post("/api/festivals", json={"year": 2027, "festival": "dragon_boat", "starts_on": "2027-06-20",
                                            "ends_on": "2027-06-10"}, headers=h)
    assert r.status_code == 422 and r.get_json()["message"].startswith("节日慰问的起止日期不对")
    r = client.post("/api/festivals", json={"year": 2027, "festival": "mid_autumn", "starts_on": "2026-09-20",
                                            "ends_on": "2027-09-20"}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/festivals", json={"year": 2027, "festival": "harvest", "starts_on": "2027-09-10",
                                            "ends_on": "2027-09-20"}, headers=h)
    assert r.status_code == 422 and "festival" in r.get_json()["errors"]
    ok = client.post("/api/festivals", json={"year": 2027, "festival": "dragon_boat", "starts_on": "2027-06-05",
                                             "ends_on": "2027-06-15"}, headers=h)
    assert ok.status_code == 201 and ok.get_json()["label"] == "端午"
    dup = client.post("/api/festivals", json={"year": 2027, "festival": "dragon_boat", "starts_on": "2027-06-01",
                                              "ends_on": "2027-06-12"}, headers=h)
    assert dup.status_code == 409 and dup.get_json()["message"] == "2027年的这个节日慰问活动已经设置"
    moved = client.put(f"/api/festivals/{ok.get_json()['id']}", json={"starts_on": "2027-06-01",
                                                                      "ends_on": "2027-06-20"}, headers=h)
    assert moved.status_code == 200 and moved.get_json()["starts_on"] == "2027-06-01"
    hs = factories.headers(session, world.a.staff)
    assert client.post("/api/festivals", json={"year": 2028, "festival": "dragon_boat", "starts_on": "2028-05-25",
                                               "ends_on": "2028-06-05"}, headers=hs).status_code == 403
    assert client.get(f"/api/festivals/{scene['campaign']['id']}/report",
                      headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert client.get("/api/festivals/999999/report", headers=h).status_code == 404
