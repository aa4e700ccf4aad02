"""Issue 28 (6): the staff home's tiles say what waits — alerts, visits to review, this period's
campaign persons not done, and the persons not yet reviewed in 动态管理复核 — each as the screen
it opens counts it, within the official's own place."""

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from server.alerts.service import AlertSettings, raise_alert
from server.visits.models import Visit
from tests import factories

SETTINGS = AlertSettings({"urgent": 240, "normal": 4320})
# 10 March 2027, 12:00 in Shanghai: the yearly review (March) is open, the clean-up's 2027-Q1 too
MARCH = datetime(2027, 3, 10, 4, 0, tzinfo=timezone.utc)


@pytest.fixture
def march():
    with time_machine.travel(MARCH, tick=False):
        yield


def waiting(session, person, caregiver):
    at = MARCH - timedelta(days=1)
    session.add(Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=caregiver.id, mode="home",
                      started_at=at, ended_at=at + timedelta(minutes=2), status="exception", exceptions=["too_short"],
                      content_hash="b" * 64, received_at=at))
    session.flush()


def undone(client, headers, kind):
    return sum(1 for p in client.get(f"/api/campaigns/{kind}", headers=headers).get_json()["persons"] if not p["done"])


def test_the_tiles_count_what_each_screen_lists(client, session, world, march):
    a, b = world.a, world.b
    for p in (a.person, b.person):
        p.assistance_category = "tekun"
        session.add(p)
    factories.person(session, a.villages[1], name="张桂花", sex="F", born=date(1950, 2, 3))
    waiting(session, a.person, a.caregiver)
    waiting(session, b.person, b.caregiver)
    raise_alert(session, kind="visit_gap", township_id=a.place.id, title="过期", dedupe_key="b1", settings=SETTINGS,
                now=MARCH - timedelta(days=5))
    raise_alert(session, kind="visit_gap", township_id=a.place.id, title="未过期", dedupe_key="b2", settings=SETTINGS,
                now=MARCH)
    raise_alert(session, kind="visit_gap", township_id=b.place.id, title="乙乡的", dedupe_key="b3", settings=SETTINGS,
                now=MARCH)
    staff = factories.headers(session, a.staff)

    got = client.get("/api/reports/badges", headers=staff).get_json()
    reviews = client.get("/api/reviews", headers=staff).get_json()
    assert got == {"alerts": 2, "alerts_overdue": 1, "exceptions_waiting": 1,
                   "campaigns": {"cleanup": undone(client, staff, "cleanup"),
                                 "health_check": undone(client, staff, "health_check")},
                   "reviews": len(reviews["not_reviewed"]), "reviews_overdue": False, "spot_checks": 0}
    assert got["campaigns"] == {"cleanup": 2, "health_check": 2} and got["reviews"] == 2

    # a person done: one fewer on the tile
    r = client.post("/api/campaigns/cleanup/records", headers=staff, json={
        "person_id": a.person.id, "done_on": "2027-03-10", "items": ["home_clean"]})
    assert r.status_code == 201
    assert client.get("/api/reports/badges", headers=staff).get_json()["campaigns"]["cleanup"] == 1

    # the district counts every township
    district = client.get("/api/reports/badges", headers=factories.headers(session, world.admin)).get_json()
    assert (district["alerts"], district["exceptions_waiting"], district["reviews"]) == (3, 2, 3)
    assert district["campaigns"] == {"cleanup": 2, "health_check": 3}


def test_after_the_review_month_its_stragglers_are_overdue(client, session, world):
    world.a.person.assistance_category = "tekun"
    session.add(world.a.person)
    session.flush()
    with time_machine.travel(datetime(2027, 4, 2, 4, 0, tzinfo=timezone.utc), tick=False):
        got = client.get("/api/reports/badges", headers=factories.headers(session, world.a.staff)).get_json()
    assert (got["reviews"], got["reviews_overdue"]) == (1, True)


def test_only_staff_have_badges(client, session, world):
    for who in (world.a.caregiver, world.a.volunteer):
        r = client.get("/api/reports/badges", headers=factories.headers(session, who, **{"Accept-Language": "en"}))
        assert r.status_code == 403 and r.get_json()["message"]
