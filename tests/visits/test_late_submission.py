"""Issue 14 part 2: a visit from a closed month, or received more than the schedule policy's
late_submission_days after it started, is a late_submission exception, never verified."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.visits import catalogue
from server.visits.verification import late_submission
from tests import factories
from tests.visits.conftest import now

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.clock_edges


def at(*args):
    return datetime(*args, tzinfo=SH)


def test_the_rule():
    # received the same month, within the days: not late
    assert late_submission(at(2026, 11, 2, 9), at(2026, 11, 8, 9), max_days=7, zone=SH) is None
    # more than 7 days
    assert late_submission(at(2026, 11, 2, 9), at(2026, 11, 10, 9), max_days=7, zone=SH) == {"late_by_days": 8.0}
    # last month, received after the close (1st, 00:30): the month is closed
    assert late_submission(at(2026, 10, 31, 22), at(2026, 11, 1, 0, 31), max_days=7, zone=SH) == \
        {"month_closed": "2026-10"}
    # ... but before the close ran it still counts for that month
    assert late_submission(at(2026, 10, 31, 22), at(2026, 11, 1, 0, 10), max_days=7, zone=SH) is None
    assert late_submission(at(2026, 10, 31, 22), at(2026, 11, 1, 0, 30), max_days=7, zone=SH) is None
    # two months back, received early on the 1st: the older month closed long ago
    assert late_submission(at(2026, 9, 30, 22), at(2026, 11, 1, 0, 10), max_days=60, zone=SH) == \
        {"month_closed": "2026-09"}
    assert "late_submission" in catalogue.EXCEPTIONS


def _post(checkin, days):
    start = now() - timedelta(days=days)
    return checkin.post(started_at=start.isoformat(), ended_at=(start + timedelta(minutes=30)).isoformat())


def test_a_visit_sent_too_late_is_an_exception(checkin, client, session, world):
    r = _post(checkin, 10)
    assert r.status_code == 201, r.get_json()
    v = r.get_json()["verification"]
    assert v["status"] == "exception" and "late_submission" in v["exceptions"]
    assert v["detail"]["late_by_days"] >= 10


def test_district_admins_set_the_days(checkin, client, session, world):
    admin = factories.headers(session, world.admin)
    policy = client.get("/api/quotas/schedule", headers=admin).get_json()
    assert policy["late_submission_days"] == 7
    r = client.put("/api/quotas/schedule", headers=admin, json={**{k: policy[k] for k in (
        "volunteer_activities_per_month", "health_check_min_age", "review_month")}, "late_submission_days": 2})
    assert r.status_code == 200 and r.get_json()["late_submission_days"] == 2
    assert client.put("/api/quotas/schedule", headers=factories.headers(session, world.a.staff),
                      json={**policy, "late_submission_days": 30}).status_code in (403, 422)
    assert client.put("/api/quotas/schedule", headers=admin, json={**{k: policy[k] for k in (
        "volunteer_activities_per_month", "health_check_min_age", "review_month")},
        "late_submission_days": 0}).status_code == 422
    r = _post(checkin, 3)
    assert "late_submission" in r.get_json()["verification"]["exceptions"]
