"""Every bad check-in: a clear 4xx with a message, nothing stored, no file left on disk."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server import create_app
from server.photos.models import VisitPhoto
from server.visits.models import Visit
from tests import factories
from tests.visits.conftest import (
    FILES,
    media_files,
    multipart,
    now,
    photo,
    visit_fields,
)


def nothing_stored(session, app):
    assert session.scalar(select(func.count()).select_from(Visit)) == 0
    assert session.scalar(select(func.count()).select_from(VisitPhoto)) == 0
    assert [p for p in media_files(app) if not p.name.endswith(".part")] == []
    assert [p for p in media_files(app) if p.name.endswith(".part")] == []


@pytest.mark.parametrize(
    "filename, status, reason",
    [
        ("empty.jpg", 422, "photo_empty"),
        ("truncated.jpg", 422, "photo_corrupt"),
        ("text.jpg", 415, "photo_unsupported"),
        ("polyglot.jpg", 422, "photo_polyglot"),
        ("bomb.png", 422, "photo_too_many_pixels"),
        ("200mp.jpg", 422, "photo_too_many_pixels"),
        ("image.gif", 415, "photo_unsupported"),
    ],
)
def test_bad_photo_files(checkin, session, app, filename, status, reason):
    # a good photo first: the bad second one must refuse the lot, and leave no file behind
    r = checkin.post([photo(1), FILES.joinpath(filename).read_bytes()])
    assert r.status_code == status, r.get_json()
    body = r.get_json()
    assert body["reason"] == reason and body["message"].startswith("Photo 2")
    assert "1" in body["errors"]["photos"]
    nothing_stored(session, app)


def test_chinese_message_for_a_bad_photo(checkin, session, app):
    h = {k: v for k, v in checkin.headers.items() if k != "Accept-Language"}
    r = checkin.post([FILES.joinpath("polyglot.jpg").read_bytes()], headers=h)
    assert r.get_json()["message"] == "第1张照片在图像之后还夹带了其他数据，已拒收"


def test_photo_over_the_byte_limit_is_413(app_config, session, world):
    app = create_app({**app_config, "PHOTO_MAX_BYTES": 50_000})
    client = app.test_client()
    h = factories.headers(session, world.a.caregiver, **{"Accept-Language": "en"})
    data = FILES.joinpath("good.jpg").read_bytes()
    assert len(data) > 50_000
    r = client.post("/api/visits", data=multipart(visit_fields(world.a.person.id), [data]), headers=h)
    assert r.status_code == 413 and r.get_json()["reason"] == "photo_too_large"
    nothing_stored(session, app)


def test_request_over_the_total_limit_is_413(app_config, session, world):
    app = create_app({**app_config, "MAX_CONTENT_LENGTH": 20_000})
    h = factories.headers(session, world.a.caregiver, **{"Accept-Language": "en"})
    r = app.test_client().post("/api/visits", data=multipart(visit_fields(world.a.person.id), [photo(3)]), headers=h)
    assert r.status_code == 413 and r.get_json()["message"] == "The upload is too large"
    nothing_stored(session, app)


def test_too_many_photos(checkin, session, app):
    r = checkin.post([photo(k) for k in range(7)])
    assert r.status_code == 422 and r.get_json()["message"] == "Too many photos; at most 6"
    nothing_stored(session, app)


def test_home_visit_needs_a_photo(checkin, session, app):
    r = checkin.post([], mode="home")
    assert r.status_code == 422 and r.get_json()["reason"] == "photo_required"
    nothing_stored(session, app)


@pytest.mark.parametrize(
    "over, field",
    [
        ({"lat": 91}, "lat"),
        ({"lon": 181}, "lon"),
        ({"lat": -91}, "lat"),
        ({"accuracy_m": -5}, "accuracy_m"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"mode": "carrier-pigeon"}, "mode"),
        ({"started_at": "2026-11-20 10:00"}, "started_at"),
        ({"started_at": "2026-11-20T10:00:00"}, "started_at"),  # no offset
        ({"person_id": "abc"}, "person_id"),
        ({"observations": {"health": "great"}}, "observations"),
        ({"observations": {"living_environment": "spotless"}}, "observations"),
        ({"coord_system": "mars"}, "coord_system"),
        ({"salary": 5}, "salary"),
    ],
)
def test_bad_fields(checkin, session, app, over, field):
    r = checkin.post(**over)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"] and r.get_json()["message"]
    nothing_stored(session, app)


def test_observations_not_json_in_multipart(checkin, session, app):
    fields = visit_fields(checkin.person.id)
    data = multipart(fields, [photo(5)])
    data["observations"] = "{health: well"
    r = checkin.client.post("/api/visits", data=data, headers=checkin.headers)
    assert r.status_code == 422 and r.get_json()["errors"] == {"observations": ["not valid JSON"]}
    nothing_stored(session, app)


def test_started_in_the_future_beyond_skew(checkin, session, app):
    start = now() + timedelta(minutes=30)
    r = checkin.post(started_at=start.isoformat(), ended_at=None)
    assert r.status_code == 422 and r.get_json()["reason"] == "started_in_future"
    nothing_stored(session, app)
    # within the allowance it is accepted
    assert checkin.post(started_at=(now() + timedelta(minutes=2)).isoformat(), ended_at=None).status_code == 201


def test_ended_before_started(checkin, session, app):
    start = now() - timedelta(minutes=30)
    r = checkin.post(started_at=start.isoformat(), ended_at=(start - timedelta(minutes=1)).isoformat())
    assert r.status_code == 422 and r.get_json()["message"] == "The end time is before the start time"
    nothing_stored(session, app)


def test_unknown_person(checkin, session, app):
    r = checkin.post(person_id=987654)
    assert r.status_code == 404 and r.get_json()["message"] == "Person not found"
    nothing_stored(session, app)


def test_person_not_assigned_to_this_caregiver(checkin, session, app, world):
    r = checkin.post(person_id=world.b.person.id)
    assert r.status_code == 403
    assert r.get_json()["message"] == "That person is not under your care agreement"
    nothing_stored(session, app)


def test_only_caregivers_check_in(checkin, session, app, world):
    r = checkin.post(headers=factories.headers(session, world.a.staff, **{"Accept-Language": "en"}))
    assert r.status_code == 403
    nothing_stored(session, app)


def test_services_not_in_the_catalogue(checkin, session, app):
    # bathing help is for the partly and fully disabled; this person looks after themselves
    r = checkin.post(services=["home_cleaning", "bathing", "massage"])
    assert r.status_code == 422
    assert r.get_json()["errors"]["services"] == ["bathing", "massage"]
    nothing_stored(session, app)


def test_gps_without_accuracy(checkin, session, app):
    r = checkin.post(accuracy_m=None)
    assert r.status_code == 422 and r.get_json()["reason"] == "gps_incomplete"
    nothing_stored(session, app)


def test_no_login(client, session, app, world):
    r = client.post("/api/visits", json=visit_fields(world.a.person.id, mode="phone"))
    assert r.status_code == 401
    nothing_stored(session, app)


def test_failure_after_files_were_written_leaves_no_orphan(checkin, session, app, monkeypatch):
    from server.visits import service

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    # the audit row is written after the photo files: fail there
    monkeypatch.setattr(service.audit, "record", broken)
    with pytest.raises(RuntimeError):
        checkin.post([photo(9)])
    nothing_stored(session, app)


def test_wrong_content_type(checkin, session, app):
    r = checkin.client.post("/api/visits", data="person_id=1", headers={**checkin.headers, "Content-Type": "text/plain"})
    assert r.status_code == 415 and r.get_json()["message"]
    nothing_stored(session, app)


def test_replay_with_unknown_client_id_format_is_not_a_replay(checkin, session, app):
    r = checkin.post(client_id=str(uuid.uuid4()).upper())
    assert r.status_code == 201
    assert r.get_json()["client_id"] == r.get_json()["client_id"].lower()


def test_a_refused_check_in_names_its_reason_and_fields_in_the_log_without_values(checkin, session, app, caplog):
    """A 422 leaves one line an operator can read: which check refused it, on which fields, and
    nothing the caregiver typed (a phone ahead of the server once failed a browser test silently)."""
    caplog.set_level("WARNING", logger="zhaoying.errors")
    start = now() + timedelta(minutes=30)
    r = checkin.post(started_at=start.isoformat(), ended_at=None, observations={"note": "李秀英 说腿疼 13912345678"})
    assert r.status_code == 422
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "zhaoying.errors"]
    assert lines == ["422 POST /api/visits reason=started_in_future fields=started_at"]

    caplog.clear()
    r = checkin.post(started_at="yesterday", services=["x" * 41])
    assert r.status_code == 422
    (line,) = [rec.getMessage() for rec in caplog.records if rec.name == "zhaoying.errors"]
    assert line.startswith("422 POST /api/visits reason=validation fields=")
    assert set(line.split("fields=")[1].split(",")) == {"started_at", "services.0"}
    assert "yesterday" not in line and "xxx" not in line
    assert all("李秀英" not in rec.getMessage() and "139" not in rec.getMessage() for rec in caplog.records)

    caplog.clear()  # what the user may do is not logged line by line
    assert checkin.post().status_code == 201
    assert [rec for rec in caplog.records if rec.name == "zhaoying.errors"] == []
