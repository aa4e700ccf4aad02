"""Issue 11 problems 8–9: who has not been visited this month, with whom to call, and the district
overview (coverage by township, alerts by SLA state, exceptions waiting)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.alerts.service import AlertSettings, raise_alert
from server.audit.models import AuditLog
from server.visits.models import Visit
from tests import factories

pytestmark = pytest.mark.clock_edges

SETTINGS = AlertSettings({"urgent": 240, "normal": 4320})


@pytest.fixture
def second_person(session, world):
    world.a.caregiver.phone = "13900003333"
    session.add(world.a.caregiver)
    p = factories.person(session, world.a.villages[1], name="赵桂兰", sex="F", born=factories.today().replace(year=1940),
                         caregiver=world.a.caregiver, phone="13800004444")
    return p


def visit_now(checkin, minutes=6):
    """A visit started this very second (at the month's first second too, it is this month's)."""
    start = factories.now()
    return checkin.post(started_at=start.isoformat(), ended_at=(start + timedelta(minutes=minutes)).isoformat())


def _one_quota(session, n=1):
    for level in ("self_care", "partly_disabled", "fully_disabled"):
        factories.quota_policy(session, level, visits_per_month=n, max_gap_days=31)


def test_the_unvisited_with_their_caregiver_to_call(client, session, world, checkin, second_person):
    _one_quota(session)
    assert visit_now(checkin).status_code == 201  # 王德明 is visited this month
    h = factories.headers(session, world.a.staff)
    got = client.get("/api/coverage/persons", headers=h).get_json()
    assert got["place_id"] == world.a.place.id and got["level"] == "township"
    assert [(p["name"], p["visits"], p["caregiver_name"], p["caregiver_phone"], p["phone"]) for p in got["persons"]] == [
        ("赵桂兰", 0, world.a.caregiver.display_name, "13900003333", "13800004444")]
    everyone = client.get("/api/coverage/persons?unvisited_only=false", headers=h).get_json()["persons"]
    assert [(p["name"], p["visits"], p["quota_met"]) for p in everyone] == [("赵桂兰", 0, False), ("王德明", 1, True)]
    # a village of the township; last month nobody was visited
    village = client.get(f"/api/coverage/persons?place_id={world.a.villages[0].id}&unvisited_only=false", headers=h).get_json()
    assert [p["name"] for p in village["persons"]] == ["王德明"]
    last = (factories.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    earlier = client.get(f"/api/coverage/persons?month={last}", headers=h).get_json()["persons"]
    assert sorted(p["name"] for p in earlier) == ["王德明", "赵桂兰"]
    reads = session.scalars(select(AuditLog.person_id).where(AuditLog.action == "coverage_persons")).all()
    assert second_person.id in reads


@pytest.mark.parametrize("who, query, status", [
    ("other_staff", "", 200),  # their own township: nobody of 甲镇
    ("other_staff", "place_id={a}", 403),
    ("caregiver", "", 403),
    ("staff", "place_id=999999", 404),
    ("staff", "month=2026-13", 422),
    ("staff", "unvisited_only=maybe", 422),
])
def test_bad_coverage_person_queries(client, session, world, second_person, who, query, status):
    user = {"other_staff": world.b.staff, "caregiver": world.a.caregiver, "staff": world.a.staff}[who]
    r = client.get(f"/api/coverage/persons?{query.format(a=world.a.place.id)}",
                   headers=factories.headers(session, user, **{"Accept-Language": "en"}))
    assert r.status_code == status
    if status == 200:
        assert [p["name"] for p in r.get_json()["persons"]] == ["李秀英"]
    else:
        assert r.get_json()["message"]


def test_the_district_overview(client, session, world, checkin, second_person):
    _one_quota(session)
    visit_now(checkin)
    short = visit_now(checkin, minutes=1).get_json()
    assert short["verification"]["status"] == "exception"
    now = factories.now()
    raise_alert(session, kind="visit_gap", township_id=world.a.place.id, title="过期", dedupe_key="o1",
                settings=SETTINGS, now=now - timedelta(days=5))
    raise_alert(session, kind="visit_gap", township_id=world.b.place.id, title="未过期", dedupe_key="o2",
                settings=SETTINGS, now=now)
    acked, _ = raise_alert(session, kind="visit_gap", township_id=world.b.place.id, title="已确认", dedupe_key="o3",
                           settings=SETTINGS, now=now)
    client.post(f"/api/alerts/{acked.id}/ack", json={}, headers=factories.headers(session, world.admin))
    got = client.get("/api/reports/overview", headers=factories.headers(session, world.admin)).get_json()
    assert got["alerts"] == {"open_in_time": 1, "open_overdue": 1, "acknowledged": 1, "escalated": 0}
    assert got["exceptions_waiting"] == 1
    cov = got["coverage"]
    assert cov["place_id"] == world.district.id
    by_name = {c["name"]: (c["active"], c["visited"]) for c in cov["children"]}
    assert by_name == {"甲镇": (2, 1), "乙乡": (1, 0)}
    mine = client.get("/api/reports/overview", headers=factories.headers(session, world.a.staff)).get_json()
    assert mine["alerts"] == {"open_in_time": 0, "open_overdue": 1, "acknowledged": 0, "escalated": 0}
    assert mine["exceptions_waiting"] == 1 and mine["coverage"]["place_id"] == world.a.place.id
    assert client.get("/api/reports/overview", headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert session.get(Visit, short["id"]).status == "exception"
