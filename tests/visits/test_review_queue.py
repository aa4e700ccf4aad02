"""Issue 28 (3): the review queue a district works through — oldest first, a page at a time, by
township and by exception, with its size per township."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from server.visits.models import Visit
from tests import factories

EN = {"Accept-Language": "en"}
T0 = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)


def waiting(session, person, caregiver, when, exceptions, status="exception"):
    v = Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=caregiver.id, mode="home",
              started_at=when, ended_at=when + timedelta(minutes=3), status=status, exceptions=exceptions,
              content_hash="x" * 64, received_at=when)
    session.add(v)
    session.flush()
    return v


@pytest.fixture
def queue(session, world):
    """甲镇: five waiting (two of them too short), one already rejected; 乙乡: two waiting."""
    a, b = world.a, world.b
    kinds = [["too_short"], ["outside_geofence"], ["too_short", "outside_geofence"], ["no_gps"], ["photo_stale"]]
    mine = [waiting(session, a.person, a.caregiver, T0 + timedelta(hours=k), e) for k, e in enumerate(kinds)]
    waiting(session, a.person, a.caregiver, T0 - timedelta(days=1), ["too_short"], status="rejected")
    theirs = [waiting(session, b.person, b.caregiver, T0 + timedelta(minutes=30 + 60 * k), e)
              for k, e in enumerate([["no_gps"], ["too_short"]])]
    return mine, theirs


def pages(client, headers, url):
    """Every page of a list, following its X-Next-Page cursor; the ids of each page."""
    out, after = [], None
    while True:
        r = client.get(url + (f"&after={after}" if after else ""), headers=headers)
        assert r.status_code == 200, r.get_json()
        out.append([v["id"] for v in r.get_json()])
        after = r.headers.get("X-Next-Page")
        if not after:
            return out


def test_the_district_sees_the_queue_per_township_and_per_exception(client, session, world, queue):
    r = client.get("/api/visits/queue", headers=factories.headers(session, world.admin))
    assert r.status_code == 200
    assert r.get_json() == {
        "pending": 7,
        "kinds": {"no_gps": 2, "outside_geofence": 2, "photo_stale": 1, "too_short": 3},
        "townships": [
            {"place_id": world.a.place.id, "name": "甲镇", "pending": 5,
             "kinds": {"too_short": 2, "outside_geofence": 2, "no_gps": 1, "photo_stale": 1}},
            {"place_id": world.b.place.id, "name": "乙乡", "pending": 2, "kinds": {"no_gps": 1, "too_short": 1}},
        ]}
    # a township's staff see their own township's alone
    mine = client.get("/api/visits/queue", headers=factories.headers(session, world.b.staff)).get_json()
    assert mine == {"pending": 2, "kinds": {"no_gps": 1, "too_short": 1},
                    "townships": [{"place_id": world.b.place.id, "name": "乙乡", "pending": 2,
                                   "kinds": {"no_gps": 1, "too_short": 1}}]}


def test_a_caregiver_or_a_volunteer_has_no_queue(client, session, world, queue):
    for who in (world.a.caregiver, world.a.volunteer):
        assert client.get("/api/visits/queue", headers=factories.headers(session, who)).status_code == 403


def test_the_district_pages_through_one_township_oldest_first(client, session, world, queue):
    mine, theirs = queue
    admin = factories.headers(session, world.admin)
    got = pages(client, admin, f"/api/visits?status=exception&order=oldest&place_id={world.a.place.id}&page_size=2")
    assert got == [[mine[0].id, mine[1].id], [mine[2].id, mine[3].id], [mine[4].id]]
    # the whole district, oldest first, the townships interleaved by when they were recorded
    everything = sum(pages(client, admin, "/api/visits?status=exception&order=oldest&page_size=3"), [])
    assert everything == [mine[0].id, theirs[0].id, mine[1].id, theirs[1].id, mine[2].id, mine[3].id, mine[4].id]
    # each card says where the person lives
    first = client.get(f"/api/visits?status=exception&order=oldest&place_id={world.b.place.id}", headers=admin).get_json()[0]
    assert (first["township"], first["village"], first["person_name"]) == ("乙乡", "乙乡1村", "李秀英")
    # newest first stays the default
    assert [v["id"] for v in client.get(f"/api/visits?status=exception&place_id={world.b.place.id}",
                                        headers=admin).get_json()] == [theirs[1].id, theirs[0].id]


def test_the_queue_filters_by_exception_within_a_township(client, session, world, queue):
    mine, theirs = queue
    admin = factories.headers(session, world.admin)
    got = sum(pages(client, admin, "/api/visits?status=exception&order=oldest&exception=too_short&page_size=1"), [])
    assert got == [mine[0].id, theirs[1].id, mine[2].id]
    got = sum(pages(client, admin, f"/api/visits?status=exception&order=oldest&exception=outside_geofence"
                                   f"&place_id={world.a.place.id}"), [])
    assert got == [mine[1].id, mine[2].id]
    # a village is a place too
    village = world.a.villages[1].id
    assert client.get(f"/api/visits?status=exception&place_id={village}", headers=admin).get_json() == []


def test_a_township_filter_out_of_reach_is_refused(client, session, world, queue):
    staff = factories.headers(session, world.a.staff, **EN)
    r = client.get(f"/api/visits?status=exception&place_id={world.b.place.id}", headers=staff)
    assert r.status_code == 403
    assert r.get_json()["message"] == "That place is outside your area"
    r = client.get("/api/visits?status=exception&place_id=987654", headers=staff)
    assert r.status_code == 404
    for bad in ("exception=not_a_kind", "order=sideways", "place_id=abc"):
        r = client.get(f"/api/visits?status=exception&{bad}", headers=staff)
        assert r.status_code == 422, bad
        assert bad.split("=")[0] in r.get_json()["errors"]
    # staff of 甲镇 filtering their own township get theirs only
    mine, _ = queue
    got = client.get(f"/api/visits?status=exception&order=oldest&place_id={world.a.place.id}", headers=staff).get_json()
    assert [v["id"] for v in got] == [v.id for v in mine]
