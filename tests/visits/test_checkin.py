import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.photos.models import VisitPhoto
from server.visits.models import Visit
from tests import factories
from tests.visits.conftest import (
    FILES,
    fetch,
    media_files,
    multipart,
    now,
    photo,
    visit_fields,
)

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_home_visit_with_photo_is_stored_and_verified(checkin, session, client, app):
    r = checkin.post([FILES.joinpath("with_gps.jpg").read_bytes()], started_at=(now() - timedelta(minutes=30)).isoformat(),
                     ended_at=(now() - timedelta(minutes=5)).isoformat())
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["verification"]["status"] == "exception"  # the EXIF time is days before the visit
    assert out["verification"]["exceptions"] == ["photo_stale"]
    ph = out["photos"][0]
    assert (ph["width"], ph["height"]) == (480, 640)  # EXIF orientation applied
    assert ph["url"] == f"/api/photos/{ph['id']}" and ph["thumb_url"] == f"/api/photos/{ph['id']}/thumb"

    visit = session.get(Visit, out["id"])
    assert visit.mode == "home" and visit.services == ["home_cleaning", "regular_meals"]
    assert (visit.health, visit.living_environment, visit.mood, visit.note) == ("well", "clean", "good", None)
    assert out["observations"]["health"] == "well" and out["observations"]["hygiene"] is None

    row = session.get(VisitPhoto, ph["id"])
    assert (row.exif_lat, row.exif_lon) == (42.3, 119.9)  # evidence kept on the row
    assert row.exif_taken_at.isoformat() == "2026-11-20T02:15:00+00:00"

    # the stored file: a JPEG with no EXIF at all (no GPS), ≤ 1600 px
    status, headers, data, mimetype = fetch(client, ph["url"], checkin.headers)
    assert status == 200 and mimetype == "image/jpeg"
    assert "private" in headers["Cache-Control"] and headers["ETag"]
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG" and not stored.getexif() and "exif" not in stored.info
    assert b"Exif" not in data[:2000]
    thumb = Image.open(io.BytesIO(fetch(client, ph["thumb_url"], checkin.headers)[2]))
    assert max(thumb.size) == 320
    for f in media_files(app):
        with Image.open(f) as im:
            assert not im.getexif() and "exif" not in im.info


def test_large_photo_is_scaled_to_1600(checkin, session):
    r = checkin.post([photo(7, size=(4000, 3000))])
    assert r.status_code == 201
    assert (r.get_json()["photos"][0]["width"], r.get_json()["photos"][0]["height"]) == (1600, 1200)


def test_phone_visit_as_json(checkin):
    r = checkin.post(None, mode="phone", lat=None, lon=None, accuracy_m=None, services=["wellbeing_call"])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["verification"] == {"status": "verified", "exceptions": [], "detail": {}, "review": None}
    assert r.get_json()["photos"] == []


def test_png_with_transparency_is_accepted(checkin):
    r = checkin.post([FILES.joinpath("alpha.png").read_bytes()])
    assert r.status_code == 201
    assert r.get_json()["photos"][0]["width"] == 300


def test_replay_is_stored_once(checkin, session, app):
    fields = visit_fields(checkin.person.id)
    pic = photo(11)
    first = checkin.client.post("/api/visits", data=multipart(fields, [pic]), headers=checkin.headers)
    assert first.status_code == 201
    files_after_first = media_files(app)
    again = checkin.client.post("/api/visits", data=multipart(fields, [pic]), headers=checkin.headers)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert count(session, Visit) == 1 and count(session, VisitPhoto) == 1
    assert media_files(app) == files_after_first


def test_same_client_id_with_other_content_is_422(checkin, session):
    fields = visit_fields(checkin.person.id)
    assert checkin.client.post("/api/visits", data=multipart(fields, [photo(12)]), headers=checkin.headers).status_code == 201
    changed = {**fields, "services": ["home_cleaning"]}
    r = checkin.client.post("/api/visits", data=multipart(changed, [photo(12)]), headers=checkin.headers)
    assert r.status_code == 422
    assert r.get_json()["message"] == "That client_id was already used for a different visit"
    assert count(session, Visit) == 1


def test_checkout_later(checkin, session):
    start = now() - timedelta(minutes=20)
    r = checkin.post(started_at=start.isoformat(), ended_at=None)
    assert r.status_code == 201 and r.get_json()["ended_at"] is None
    vid = r.get_json()["id"]
    end = (start + timedelta(minutes=18)).isoformat()
    r = checkin.client.post(f"/api/visits/{vid}/checkout", json={"ended_at": end}, headers=checkin.headers)
    assert r.status_code == 200 and r.get_json()["verification"]["status"] == "verified"
    # the same checkout again is fine; a different one is a conflict
    assert checkin.client.post(f"/api/visits/{vid}/checkout", json={"ended_at": end}, headers=checkin.headers).status_code == 200
    r = checkin.client.post(f"/api/visits/{vid}/checkout", json={"ended_at": (start + timedelta(minutes=19)).isoformat()},
                            headers=checkin.headers)
    assert r.status_code == 409


def test_checkout_too_soon_becomes_an_exception(checkin):
    start = now() - timedelta(minutes=20)
    vid = checkin.post(started_at=start.isoformat(), ended_at=None).get_json()["id"]
    r = checkin.client.post(f"/api/visits/{vid}/checkout", json={"ended_at": (start + timedelta(minutes=2)).isoformat()},
                            headers=checkin.headers)
    assert r.get_json()["verification"]["exceptions"] == ["too_short"]
    assert r.get_json()["verification"]["status"] == "exception"


def test_gcj02_coordinates_are_stored_as_wgs84(checkin, session):
    from server.geo import wgs84_to_gcj02

    glat, glon = wgs84_to_gcj02(42.3001, 119.9001)
    r = checkin.post(lat=glat, lon=glon, coord_system="gcj02")
    assert r.status_code == 201
    v = session.get(Visit, r.get_json()["id"])
    assert abs(v.lat - 42.3001) < 1e-6 and abs(v.lon - 119.9001) < 1e-6
    assert r.get_json()["verification"]["status"] == "verified"


def test_home_location_is_proposed_from_first_visits_then_confirmed(client, session, world):
    caregiver = factories.user(session, "caregiver", world.a.villages[1])
    person = factories.person(session, world.a.villages[1], name="无址人", caregiver=caregiver)
    h = factories.headers(session, caregiver)
    for k in range(3):
        start = now() - timedelta(days=3 - k)
        fields = visit_fields(person.id, started_at=start.isoformat(), ended_at=(start + timedelta(minutes=20)).isoformat(),
                              lat=42.5 + k * 0.0002, lon=120.1)
        r = client.post("/api/visits", data=multipart(fields, [photo(300 + k)]), headers=h)
        assert r.get_json()["verification"]["status"] == "verified", r.get_json()
    session.refresh(person)
    assert person.home_location_state == "proposed"
    assert abs(person.home_lat - 42.5002) < 1e-9
    r = client.patch(f"/api/persons/{person.id}", json={"home_location_state": "confirmed"},
                     headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200 and r.get_json()["home_location_state"] == "confirmed"


def test_openapi_documents_the_whole_multipart_body(client, session, world):
    spec = client.get("/api/openapi.json", headers=factories.headers(session, world.admin)).get_json()
    body = spec["paths"]["/api/visits"]["post"]["requestBody"]["content"]
    multipart_schema = spec["components"]["schemas"]["VisitMultipart"]["properties"]
    for field in ("client_id", "person_id", "mode", "started_at", "lat", "services", "observations", "photos"):
        assert field in multipart_schema
    assert multipart_schema["photos"]["items"]["format"] == "binary"
    assert "$ref" in body["multipart/form-data"]["schema"] and "$ref" in body["application/json"]["schema"]


def test_catalogue_lists_services_per_level_and_reasons(client):
    r = client.get("/api/visits/catalogue").get_json()
    bathing = next(s for s in r["services"] if s["code"] == "bathing")
    assert bathing["label"] == "协助洗澡" and "self_care" not in bathing["levels"]
    assert {x["code"] for x in r["observations"]["living_environment"]} == {"clean", "fair", "dirty"}
    assert {e["code"] for e in r["exceptions"]} == {"no_gps", "low_accuracy", "outside_geofence", "photo_reused",
                                                   "photo_stale", "too_short", "clock_skew", "impossible_travel",
                                                   "late_submission", "no_duration", "no_observation"}
    assert {x["decision"] for x in r["review_reasons"]} == {"accept", "reject"}


def test_json_replay_is_stored_once(checkin, session):
    fields = visit_fields(checkin.person.id, mode="phone", lat=None, lon=None, accuracy_m=None, services=["wellbeing_call"])
    first = checkin.client.post("/api/visits", json=fields, headers=checkin.headers)
    again = checkin.client.post("/api/visits", json=fields, headers=checkin.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert count(session, Visit) == 1


@pytest.mark.parametrize("with_photo", [True, False])
def test_replay_after_the_agreement_ended_still_answers(checkin, session, with_photo):
    from server.care.models import CareAgreement

    fields = visit_fields(checkin.person.id, **({} if with_photo else {"mode": "phone", "lat": None, "lon": None,
                                                                       "accuracy_m": None}))
    send = (lambda: checkin.client.post("/api/visits", data=multipart(fields, [photo(21)]), headers=checkin.headers)) \
        if with_photo else (lambda: checkin.client.post("/api/visits", json=fields, headers=checkin.headers))
    first = send()
    assert first.status_code == 201
    agreement = session.scalar(select(CareAgreement).where(CareAgreement.person_id == checkin.person.id))
    agreement.status = "ended"
    session.add(agreement)
    session.flush()
    again = send()
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    # a new visit is refused now
    assert checkin.post().status_code == 403


def test_heic_from_an_iphone_is_accepted(checkin):
    r = checkin.post([FILES.joinpath("photo.heic").read_bytes()])
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["photos"][0]["width"], r.get_json()["photos"][0]["height"]) == (320, 240)
