import uuid
from datetime import timedelta

import pytest

from server.visits.models import Visit
from tests import factories

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


def ago(**delta):
    """A moment just before now, kept inside this Shanghai month (the tests count this month)."""
    from server.timeutil import month_bounds

    now = factories.now()
    local = now.astimezone(factories.SH)
    start, _ = month_bounds(local.year, local.month, factories.SH)
    back = timedelta(**delta)
    # just after the month began, squeeze the moments between its start and now, keeping their order
    squeezed = now - (now - start) * (back / (back + timedelta(seconds=1)))
    return max(now - back, squeezed)


def visit(session, person, caregiver, *, when, status="verified", mode="home"):
    v = Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=caregiver.id, mode=mode, started_at=when,
              ended_at=when + timedelta(minutes=20), status=status, content_hash="x" * 64, received_at=when)
    session.add(v)
    session.flush()
    return v


SEEDS_DEFAULT = {"visits_per_month": 1, "max_gap_days": None, "count_home": True, "count_phone_video": True,
                 "count_remote": True, "min_home": 0, "min_phone_video": 0, "min_remote": 0, "default": True}


def test_defaults_are_the_seeds_and_admins_edit_them(client, session, world):
    r = client.get("/api/quotas", headers=factories.headers(session, world.a.caregiver))
    assert [q["self_care_level"] for q in r.get_json()] == ["self_care", "partly_disabled", "fully_disabled"]
    for q in r.get_json():  # seed 002 月探访率 100%, any verified mode (seed 000 item 2)
        assert {k: q[k] for k in SEEDS_DEFAULT} == SEEDS_DEFAULT
        assert q["text"] == "每月至少探访1次（上门入户、电话视频、远程监测计入）"
    h = factories.headers(session, world.admin, **EN)
    r = client.put("/api/quotas/self_care", json={"visits_per_month": 2, "min_home": 2, "max_gap_days": 20}, headers=h)
    assert r.status_code == 200
    body = r.get_json()
    assert (body["visits_per_month"], body["min_home"], body["max_gap_days"], body["default"]) == (2, 2, 20, False)
    assert body["text"] == ("at least 2 a month (home visits, phone or video calls, remote monitoring count), "
                            "of which 2 home visits at least, no more than 20 days apart")
    got = client.get("/api/quotas", headers=h).get_json()
    assert (got[0]["min_home"], got[1]["min_home"]) == (2, 0)
    r = client.delete("/api/quotas/self_care", headers=h)
    assert r.status_code == 200 and {k: r.get_json()[k] for k in SEEDS_DEFAULT} == SEEDS_DEFAULT


@pytest.mark.parametrize("who, level, body, status, field", [
    ("staff", "self_care", {"visits_per_month": 3}, 403, None),
    ("admin", "self_care", {"visits_per_month": 0}, 422, "visits_per_month"),
    ("admin", "self_care", {"min_home": 2}, 422, "visits_per_month"),
    ("admin", "self_care", {"visits_per_month": 2, "min_home": 2, "count_home": False}, 422, "min_home"),
    ("admin", "self_care", {"visits_per_month": 1, "count_home": False, "count_phone_video": False,
                            "count_remote": False}, 422, "count_home"),
    ("admin", "self_care", {"visits_per_month": 1, "max_gap_days": 0}, 422, "max_gap_days"),
    ("admin", "royalty", {"visits_per_month": 3}, 404, None),
])
def test_bad_quota_edits(client, session, world, who, level, body, status, field):
    user = world.admin if who == "admin" else world.a.staff
    r = client.put(f"/api/quotas/{level}", json=body, headers=factories.headers(session, user, **EN))
    assert r.status_code == status and r.get_json()["message"]
    if field:
        assert field in r.get_json()["errors"]
    stored = client.get("/api/quotas", headers=factories.headers(session, user)).get_json()[0]
    assert {k: stored[k] for k in SEEDS_DEFAULT} == SEEDS_DEFAULT  # nothing half-stored


def test_a_mode_with_a_minimum_must_count_says_so_in_chinese(client, session, world):
    r = client.put("/api/quotas/partly_disabled", json={"visits_per_month": 2, "min_home": 2, "count_home": False},
                   headers=factories.headers(session, world.admin))
    assert r.status_code == 422
    assert r.get_json()["errors"]["min_home"] == ["规定了最少次数的探访方式必须计入每月探访"]


def test_caregiver_progress_puts_overdue_first(client, session, world):
    factories.home_visits_policy(session, self_care=(2, 20), fully_disabled=(8, 5))
    cg = world.a.caregiver
    done = world.a.person  # self-care: 2 home visits a month
    never = factories.person(session, world.a.villages[1], name="未访人", level="fully_disabled", caregiver=cg)
    visit(session, done, cg, when=ago(hours=3))
    visit(session, done, cg, when=ago(hours=2), status="accepted")
    visit(session, done, cg, when=ago(hours=1), status="exception")  # does not count
    visit(session, done, cg, when=ago(minutes=30), mode="phone")  # a call is not a home visit
    r = client.get("/api/me/progress", headers=factories.headers(session, cg))
    assert r.status_code == 200
    rows = r.get_json()
    assert [p["person_id"] for p in rows] == [never.id, done.id]
    assert rows[0]["overdue"] is True and rows[0]["done"] == 0 and rows[0]["quota"] == 8
    assert rows[0]["last_visit_at"] is None
    assert rows[1]["done"] == 2 and rows[1]["quota"] == 2 and rows[1]["overdue"] is False
    assert rows[1]["days_since_last"] == 0 and rows[1]["met"] is True
    assert rows[1]["by_mode"] == {"home": 2, "phone_video": 1, "remote": 0}


def test_progress_under_the_default_counts_a_call_and_names_a_home_minimum(client, session, world):
    cg = world.a.caregiver
    visit(session, world.a.person, cg, when=ago(hours=1), mode="video")
    row = client.get("/api/me/progress", headers=factories.headers(session, cg)).get_json()[0]
    assert (row["done"], row["quota"], row["met"], row["overdue"], row["minimums"]) == (1, 1, True, False, {})
    factories.quota_policy(session, "self_care", visits_per_month=2, min_home=2)
    row = client.get("/api/me/progress", headers=factories.headers(session, cg)).get_json()[0]
    assert (row["done"], row["quota"], row["met"], row["minimums"]) == (1, 2, False, {"home": 2})
    assert client.get("/api/me/progress", headers=factories.headers(session, world.a.staff)).status_code == 403


def test_township_coverage_by_village(client, session, world):
    cg = world.a.caregiver
    factories.person(session, world.a.villages[1], name="二村人", caregiver=factories.user(session, "caregiver", world.a.villages[1]))
    visit(session, world.a.person, cg, when=ago(hours=2))
    visit(session, world.a.person, cg, when=ago(hours=1))
    r = client.get("/api/coverage", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200
    body = r.get_json()
    assert body["place_id"] == world.a.place.id
    assert [(c["name"], c["active"], c["visited"], c["quota_met"]) for c in body["children"]] == [
        ("甲镇1村", 1, 1, 1), ("甲镇2村", 1, 0, 0)]
    assert body["total"] == {"active": 2, "visited": 1, "agreements": 2, "quota_met": 1, "excused": 0}
    assert body["policy"]["text"].startswith("执行标准（默认")
    assert len(body["trend"]) == 6 and body["trend"][-1]["visited"] == 1
    r = client.get(f"/api/coverage?place_id={world.district.id}", headers=factories.headers(session, world.admin))
    assert [(c["name"], c["active"], c["visited"]) for c in r.get_json()["children"]] == [("甲镇", 2, 1), ("乙乡", 1, 0)]
    assert r.get_json()["total"] == {"active": 3, "visited": 1, "agreements": 3, "quota_met": 1, "excused": 0}
    # a village: no places under it, its own persons counted
    r = client.get(f"/api/coverage?place_id={world.a.villages[1].id}", headers=factories.headers(session, world.a.staff))
    assert (r.get_json()["children"], r.get_json()["total"]) == (
        [], {"active": 1, "visited": 0, "agreements": 1, "quota_met": 0, "excused": 0})
    r = client.get(f"/api/coverage?place_id={world.b.place.id}", headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 403
    assert client.get("/api/coverage?month=2026-13", headers=factories.headers(session, world.a.staff)).status_code == 422


def test_schedule_policy(client, session, world):
    h = factories.headers(session, world.admin, **EN)
    assert client.get("/api/quotas/schedule", headers=h).get_json()["review_month"] == 3
    body = {"volunteer_activities_per_month": 2, "health_check_min_age": 60, "review_month": 9}
    r = client.put("/api/quotas/schedule", json=body, headers=h)
    assert r.status_code == 200 and r.get_json()["review_month"] == 9
    bad = client.put("/api/quotas/schedule", json={**body, "review_month": 13}, headers=h)
    assert bad.status_code == 422 and "review_month" in bad.get_json()["errors"]
    staff = client.put("/api/quotas/schedule", json=body, headers=factories.headers(session, world.a.staff))
    assert staff.status_code == 403
