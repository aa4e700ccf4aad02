"""A check-in by phone, video or remote monitoring (seed 000 item 2): what verifies it, since it is
not made at the home (server/visits/verification.py)."""

import pytest
from sqlalchemy import func, select

from server.visits.models import Visit
from server.visits.service import content_hash
from tests import factories
from tests.visits.conftest import multipart, now, visit_fields

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
    fields = {"mode": mode, "lat": None, "lon": None, "accuracy_m": None,
              "services": [] if mode == "remote" else ["wellbeing_call"],
              "ended_at": now().isoformat(), **over}
    r = checkin.post(None, **fields)
    assert r.status_code == 201, r.get_json()
    verification = r.get_json()["verification"]
    assert verification["exceptions"] == expected
    assert verification["status"] == ("exception" if expected else "verified")


# -- issue 28 problem 5: a call offers the care that fits a call; a remote check names its monitor

def _zh(checkin, session):
    return factories.headers(session, checkin.world.a.caregiver, **{"Accept-Language": "zh-CN"})


def _stored(session) -> int:
    return session.scalar(select(func.count()).select_from(Visit))


@pytest.mark.parametrize("mode", ["phone", "video", "remote"])
def test_care_that_needs_hands_in_the_home_is_refused_on_a_call_and_nothing_is_stored(checkin, session, mode):
    r = checkin.post(None, mode=mode, lat=None, lon=None, accuracy_m=None,
                     services=["home_cleaning", "regular_meals"], headers=_zh(checkin, session))
    assert r.status_code == 422
    body = r.get_json()
    assert body["reason"] == "services_not_for_mode"
    assert "维护居所卫生" in body["message"] and "确保规律饮食" in body["message"]
    assert sorted(body["errors"]["services"]) == ["home_cleaning", "regular_meals"]
    assert _stored(session) == 0


def test_a_call_may_order_supplies_and_guide_the_clean_up(checkin, session):
    r = checkin.post(None, mode="phone", lat=None, lon=None, accuracy_m=None,
                     services=["wellbeing_call", "buy_supplies", "environment_cleanup"])
    assert r.status_code == 201, r.get_json()
    assert sorted(r.get_json()["services"]) == ["buy_supplies", "environment_cleanup", "wellbeing_call"]
    assert r.get_json()["monitor_device"] is None


def test_a_remote_check_records_its_device_and_reading(checkin, session):
    r = checkin.post(None, mode="remote", lat=None, lon=None, accuracy_m=None, monitor_device="wearable",
                     monitor_reading="  心率 72，昨夜睡眠 7 小时，无跌倒报警 ")
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["monitor_device"], r.get_json()["monitor_reading"]) == ("wearable", "心率 72，昨夜睡眠 7 小时，无跌倒报警")
    stored = session.scalar(select(Visit))
    assert (stored.monitor_device, stored.monitor_reading) == ("wearable", "心率 72，昨夜睡眠 7 小时，无跌倒报警")
    listed = checkin.client.get(f"/api/visits?person_id={checkin.person.id}", headers=checkin.headers).get_json()
    assert listed[0]["monitor_reading"] == "心率 72，昨夜睡眠 7 小时，无跌倒报警"


def test_a_remote_check_sent_as_a_form_keeps_its_device(checkin, session):
    fields = visit_fields(checkin.person.id, mode="remote", lat=None, lon=None, accuracy_m=None,
                          monitor_device="call_button", monitor_reading="本周无呼叫")
    r = checkin.client.post("/api/visits", data=multipart(fields, []), headers=checkin.headers,
                            content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    assert session.scalar(select(Visit.monitor_device)) == "call_button"


@pytest.mark.parametrize("over, code, field", [
    ({"mode": "remote", "monitor_device": None}, "monitor_required", "monitor_device"),
    ({"mode": "remote", "monitor_device": None, "monitor_reading": "正常"}, "monitor_required", "monitor_device"),
    ({"mode": "phone", "monitor_device": "camera"}, "monitor_only_remote", "monitor_device"),
    ({"mode": "phone", "monitor_reading": "正常"}, "monitor_only_remote", "monitor_device"),
    ({"mode": "remote", "monitor_device": "x-ray"}, None, "monitor_device"),
    ({"mode": "remote", "monitor_reading": "长" * 201}, None, "monitor_reading"),
])
def test_a_monitor_wrongly_told_is_refused_with_its_field(checkin, session, over, code, field):
    r = checkin.post(None, lat=None, lon=None, accuracy_m=None, headers=_zh(checkin, session), **over)
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    if code:
        assert body["reason"] == code
        assert {"monitor_required": "远程监测请选择所查看的监测设备",
                "monitor_only_remote": "只有远程监测才记录监测设备"}[code] == body["message"]
    assert field in body["errors"]
    assert _stored(session) == 0


def test_a_home_visit_with_a_monitor_is_refused(checkin, session):
    r = checkin.post(monitor_device="camera")
    assert r.status_code == 422 and r.get_json()["reason"] == "monitor_only_remote"
    assert _stored(session) == 0


def test_the_catalogue_says_where_each_care_fits_the_devices_and_the_geofence(client, checkin):
    cat = client.get("/api/visits/catalogue", headers={"Accept-Language": "zh-CN"}).get_json()
    modes = {s["code"]: s["modes"] for s in cat["services"]}
    assert modes["home_cleaning"] == ["home"] and modes["bathing"] == ["home"]
    assert modes["buy_supplies"] == ["home", "phone", "video"]
    assert not any("remote" in m for m in modes.values())  # looking at a monitor is the 看护 itself
    assert {"code": "wearable", "label": "智能手环/手表"} in cat["monitor_devices"]
    assert (cat["geofence_radius_m"], cat["max_accuracy_m"]) == (200.0, 100.0)


def test_a_visit_kept_in_an_outbox_from_before_the_monitor_fields_hashes_as_it_did():
    """An outbox may resend a body made before the check-in had monitor fields: its hash, which
    tells a replay from a conflict, must not change because the schema now fills them with None."""
    before = {"client_id": "c", "person_id": 1, "mode": "phone", "services": ["wellbeing_call"]}
    assert content_hash({**before, "monitor_device": None, "monitor_reading": None}, []) == content_hash(before, [])
    assert content_hash({**before, "monitor_device": "camera"}, []) != content_hash(before, [])
