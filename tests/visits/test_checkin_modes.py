"""A check-in by phone, video or remote monitoring (seed 000 item 2): what verifies it, since it is
not made at the home (server/visits/verification.py)."""

import pytest

from tests.visits.conftest import now

pytestmark = pytest.mark.clock_edges


@pytest.mark.parametrize("mode, over, expected", [
    ("phone", {}, []),
    ("video", {}, []),
    ("remote", {"ended_at": None}, []),
    ("phone", {"ended_at": None}, ["no_duration"]),
    ("phone", {"observations": {"note": "打了电话"}}, ["no_observation"]),
    ("remote", {"observations": None}, ["no_observation"]),
])
def test_a_call_or_remote_check_needs_no_gps_but_must_say_how_the_person_is(checkin, mode, over, expected):
    fields = {"mode": mode, "lat": None, "lon": None, "accuracy_m": None, "services": ["wellbeing_call"],
              "ended_at": now().isoformat(), **over}
    r = checkin.post(None, **fields)
    assert r.status_code == 201, r.get_json()
    verification = r.get_json()["verification"]
    assert verification["exceptions"] == expected
    assert verification["status"] == ("exception" if expected else "verified")
