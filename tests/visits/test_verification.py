import pytest

"""One test per exception code, each through the API: the stored visit says why."""

import io
from datetime import timedelta

from PIL import Image

from tests import factories
from tests.visits.conftest import FILES, HOME, multipart, now, photo, visit_fields

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges


def exceptions(r):
    assert r.status_code == 201, r.get_json()
    return r.get_json()["verification"]["exceptions"]


def test_clean_visit_is_verified(checkin):
    r = checkin.post()
    assert r.get_json()["verification"]["status"] == "verified"
    assert r.get_json()["verification"]["detail"]["distance_from_home_m"] < 100


def test_no_gps(checkin):
    assert exceptions(checkin.post(lat=None, lon=None, accuracy_m=None)) == ["no_gps"]


def test_low_accuracy(checkin):
    r = checkin.post(accuracy_m=450)
    assert exceptions(r) == ["low_accuracy"]
    assert r.get_json()["verification"]["status"] == "exception"


def test_outside_geofence(checkin):
    r = checkin.post(lat=HOME[0] + 0.02, lon=HOME[1])  # about 2.2 km north
    assert exceptions(r) == ["outside_geofence"]
    assert r.get_json()["verification"]["detail"]["distance_from_home_m"] > 2000


def test_inside_radius_plus_accuracy_is_not_outside(checkin):
    # 250 m away with 80 m accuracy: within 200 m + 80 m
    assert exceptions(checkin.post(lat=HOME[0] + 0.00225, lon=HOME[1], accuracy_m=80)) == []


def test_photo_reused_for_another_person(checkin, client, session, world):
    other = factories.person(session, world.a.villages[1], name="另一人", caregiver=world.a.caregiver,
                             home_lat=42.31, home_lon=119.91, home_location_state="confirmed")
    pic = photo(501)
    first = visit_fields(other.id, lat=42.31, lon=119.91, started_at=(now() - timedelta(days=1)).isoformat(),
                         ended_at=(now() - timedelta(days=1) + timedelta(minutes=20)).isoformat())
    assert client.post("/api/visits", data=multipart(first, [pic]), headers=checkin.headers).status_code == 201
    # a re-compressed copy is still a match (perceptual, not byte-equal)
    with Image.open(io.BytesIO(pic)) as im:
        buf = io.BytesIO()
        im.resize((1000, 750)).save(buf, "JPEG", quality=70)
    r = checkin.post([buf.getvalue()])
    assert exceptions(r) == ["photo_reused"]


def test_photo_reused_for_the_same_person_another_day(checkin):
    pic = photo(502)
    yesterday = now() - timedelta(days=2)  # another Shanghai day than "40 minutes ago", even just after midnight
    assert checkin.post([pic], started_at=yesterday.isoformat(),
                        ended_at=(yesterday + timedelta(minutes=20)).isoformat()).status_code == 201
    assert exceptions(checkin.post([pic])) == ["photo_reused"]


def test_distinct_photos_are_not_reuse(checkin):
    assert exceptions(checkin.post([photo(601)])) == []
    assert exceptions(checkin.post([photo(602)], started_at=(now() - timedelta(minutes=30)).isoformat(),
                                   ended_at=(now() - timedelta(minutes=10)).isoformat())) == []


def test_photo_stale(checkin):
    # with_gps.jpg was taken 2026-11-20 10:15 +08:00; a visit a week later is far from it
    r = checkin.post([FILES.joinpath("with_gps.jpg").read_bytes()])
    assert "photo_stale" in exceptions(r)


def test_photo_taken_during_the_visit_is_not_stale(checkin):
    exif = Image.Exif()
    taken = now() - timedelta(minutes=30)
    exif.get_ifd(0x8769)[36867] = taken.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y:%m:%d %H:%M:%S")
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (1, 2, 3)).save(buf, "JPEG", exif=exif.tobytes())
    assert exceptions(checkin.post([buf.getvalue()])) == []


def test_too_short(checkin):
    start = now() - timedelta(minutes=30)
    r = checkin.post(started_at=start.isoformat(), ended_at=(start + timedelta(minutes=2)).isoformat())
    assert exceptions(r) == ["too_short"]
    assert r.get_json()["verification"]["detail"]["duration_minutes"] == 2.0


def test_clock_skew(checkin):
    r = checkin.post(device_time=(now() + timedelta(hours=3)).isoformat())
    assert exceptions(r) == ["clock_skew"]
    # an offline replay days later is not skew: the device time is when it was sent
    assert exceptions(checkin.post(device_time=now().isoformat(), started_at=(now() - timedelta(days=3)).isoformat(),
                                   ended_at=(now() - timedelta(days=3) + timedelta(minutes=20)).isoformat())) == []


def test_impossible_travel(checkin, client, session, world):
    far = factories.person(session, world.a.villages[1], name="远处人", caregiver=world.a.caregiver,
                           home_lat=42.8, home_lon=119.9, home_location_state="confirmed")
    t0 = now() - timedelta(hours=2)
    first = visit_fields(far.id, lat=42.8, lon=119.9, started_at=t0.isoformat(),
                         ended_at=(t0 + timedelta(minutes=20)).isoformat())
    assert client.post("/api/visits", data=multipart(first, [photo(701)]), headers=checkin.headers).status_code == 201
    # 55 km south, 15 minutes after the first visit ended
    t1 = t0 + timedelta(minutes=35)
    r = checkin.post(started_at=t1.isoformat(), ended_at=(t1 + timedelta(minutes=20)).isoformat())
    assert exceptions(r) == ["impossible_travel"]
    assert r.get_json()["verification"]["detail"]["travel_speed_kmh"] > 120


def test_plausible_travel_is_fine(checkin, client, session, world):
    near = factories.person(session, world.a.villages[1], name="邻村人", caregiver=world.a.caregiver,
                            home_lat=42.35, home_lon=119.9, home_location_state="confirmed")
    t0 = now() - timedelta(hours=3)
    first = visit_fields(near.id, lat=42.35, lon=119.9, started_at=t0.isoformat(),
                         ended_at=(t0 + timedelta(minutes=20)).isoformat())
    assert client.post("/api/visits", data=multipart(first, [photo(702)]), headers=checkin.headers).status_code == 201
    t1 = t0 + timedelta(minutes=80)  # 5.5 km in an hour
    assert exceptions(checkin.post(started_at=t1.isoformat(), ended_at=(t1 + timedelta(minutes=20)).isoformat())) == []


def test_device_time_header_from_an_outbox(checkin):
    h = {**checkin.headers, "X-Device-Time": (now() + timedelta(hours=2)).isoformat()}
    assert exceptions(checkin.post(headers=h)) == ["clock_skew"]
    h = {**checkin.headers, "X-Device-Time": now().isoformat()}
    assert exceptions(checkin.post(headers=h)) == []
