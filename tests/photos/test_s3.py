"""Photos in S3-compatible object storage (PHOTO_STORAGE=s3), against a real S3-compatible server
on loopback (tests/photos/s3server.py): stored in the bucket without metadata, read by an
authorised user through a short-lived signed URL, refused to anyone else, purged, exported and
backed up through the same store."""

import dataclasses
import io
import json
import shutil
import tarfile
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import func, select
from sqlmodel import Session

from server.audit.models import AuditLog
from server.cli import main
from server.config import ConfigError, load_settings, normalise_database_url
from server.db import make_engine
from server.migrate import upgrade
from server.photos.models import VisitPhoto
from server.photos.storage import StorageSettings, name_of
from server.privacy.service import RetentionSettings
from server.wiring import Settings
from server.visits.models import Visit
from tests import factories
from tests.photos.conftest import Bucket
from tests.privacy.conftest import add_visit
from tests.privacy.test_backup import (  # noqa: F401  (scratch_url: a fixture)
    backup_with_the_command,
    everything,
    scratch_url,
    wipe,
)
from tests.visits.conftest import FILES, now, photo

EN = {"Accept-Language": "en"}


def store_of(config: dict):
    return StorageSettings.from_config({"MEDIA_DIR": "/nonexistent", **config}).open()


def read(client, url, headers):
    with client.get(url, headers=headers) as r:
        return r.status_code, r.headers, r.get_json(silent=True)


def no_metadata(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as im:
        return im.format == "JPEG" and not im.getexif() and "exif" not in im.info and b"Exif" not in data[:2000]


def test_checkin_photo_is_stored_in_the_bucket_and_read_by_the_caregiver_through_a_signed_url(
        checkin, client, session, world, app, bucket):
    r = checkin.post([FILES.joinpath("with_gps.jpg").read_bytes()], started_at=(now() - timedelta(minutes=30)).isoformat(),
                     ended_at=(now() - timedelta(minutes=5)).isoformat())
    assert r.status_code == 201, r.get_json()
    ph = r.get_json()["photos"][0]
    row = session.get(VisitPhoto, ph["id"])
    assert (row.exif_lat, row.exif_lon) == (42.3, 119.9)  # the evidence stays on the row, never in the file

    # in the bucket, photo and thumbnail, with no EXIF (no GPS); nothing in the media folder
    assert bucket.keys() == [name_of(row.sha256), name_of(row.sha256, thumb=True)]
    stored = bucket.read(name_of(row.sha256))
    assert no_metadata(stored) and no_metadata(bucket.read(name_of(row.sha256, thumb=True)))
    assert not (Path(app.config["MEDIA_DIR"]) / "photos").exists()

    for url, key in ((ph["url"], name_of(row.sha256)), (ph["thumb_url"], name_of(row.sha256, thumb=True))):
        status, headers, _ = read(client, url, checkin.headers)
        assert status == 302 and "no-store" in headers["Cache-Control"]
        location = headers["Location"]
        assert location.startswith(f"{bucket.endpoint}/{bucket.name}/{key}?")
        query = parse_qs(urlsplit(location).query)
        assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
        got = requests.get(location, timeout=10)
        assert got.status_code == 200 and got.headers["Content-Type"] == "image/jpeg"
        assert got.content == bucket.read(key) and no_metadata(got.content)
    with Image.open(io.BytesIO(requests.get(read(client, ph["thumb_url"], checkin.headers)[1]["Location"],
                                            timeout=10).content)) as thumb:
        assert max(thumb.size) == 320
    # each read is audited as before
    reads = session.scalars(select(AuditLog.action).where(AuditLog.person_id == world.a.person.id,
                                                          AuditLog.action.in_(("read_photo", "read_thumb")))).all()
    assert sorted(reads) == ["read_photo", "read_thumb", "read_thumb"]


def test_only_those_who_may_see_the_person_get_a_url(checkin, client, session, world, bucket):
    ph = checkin.post().get_json()["photos"][0]
    for user in (world.a.staff, world.admin):
        status, headers, _ = read(client, ph["url"], factories.headers(session, user))
        assert status == 302 and requests.get(headers["Location"], timeout=10).status_code == 200
    for user in (world.b.staff, world.b.caregiver, world.a.volunteer):
        for url in (ph["url"], ph["thumb_url"]):
            status, headers, body = read(client, url, factories.headers(session, user, **EN))
            assert status == 403 and "Location" not in headers
            assert body["message"] and bucket.name not in json.dumps(body)
    status, headers, _ = read(client, ph["url"], {})
    assert status == 401 and "Location" not in headers
    # nobody refused was logged as having read it
    readers = session.scalars(select(AuditLog.user_id).where(AuditLog.action == "read_photo")).all()
    assert set(readers) == {world.a.staff.id, world.admin.id}


def test_a_signed_url_is_refused_by_the_store_once_expired_and_works_for_its_object_only(checkin, client, session,
                                                                                        bucket):
    ph = checkin.post().get_json()["photos"][0]
    signed_at = factories.now()
    location = read(client, ph["url"], checkin.headers)[1]["Location"]
    assert requests.get(location, timeout=10).status_code == 200

    # another object with this signature: refused
    other = location.replace(".jpg?", "_t.jpg?")
    assert other != location
    refused = requests.get(other, timeout=10)
    assert refused.status_code == 403 and b"SignatureDoesNotMatch" in refused.content
    # a longer life written into the URL by hand: refused
    longer = requests.get(location.replace("X-Amz-Expires=60", "X-Amz-Expires=86400"), timeout=10)
    assert longer.status_code == 403 and b"SignatureDoesNotMatch" in longer.content

    with time_machine.travel(signed_at + timedelta(seconds=59), tick=False):
        assert requests.get(location, timeout=10).status_code == 200  # still within SIGNED_URL_SECONDS
    with time_machine.travel(signed_at + timedelta(seconds=61), tick=False):
        expired = requests.get(location, timeout=10)
        assert expired.status_code == 403 and b"Request has expired" in expired.content
        assert b"\xff\xd8" not in expired.content
        # the user's app asks again: a new URL (checked and audited again) works
        fresh = read(client, ph["url"], checkin.headers)[1]["Location"]
        assert fresh != location and requests.get(fresh, timeout=10).status_code == 200


def test_a_failed_checkin_leaves_no_object_and_never_removes_one_it_did_not_write(checkin, session, bucket,
                                                                                    monkeypatch):
    from server.visits import service

    first = checkin.post([photo(5)])
    assert first.status_code == 201
    kept = bucket.keys()
    assert len(kept) == 2

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    # the audit row is written after the photo files: fail there
    monkeypatch.setattr(service.audit, "record", broken)
    with pytest.raises(RuntimeError):
        checkin.post([photo(6)])
    assert bucket.keys() == kept  # photo 6 is gone again
    with pytest.raises(RuntimeError):
        checkin.post([photo(5)])  # the same content as the stored visit's: stored before, not this request's
    assert bucket.keys() == kept
    assert session.scalar(select(func.count()).select_from(Visit)) == 1


def test_an_unreachable_store_is_a_503_and_nothing_is_stored(client, session, world, app_config):
    from server import create_app

    # a loopback port nobody listens on
    app = create_app({**app_config, "S3_ENDPOINT_URL": "http://127.0.0.1:9"})
    caregiver = factories.headers(session, world.a.caregiver, **EN)
    from tests.visits.conftest import Checkin

    r = Checkin(app.test_client(), session, world).post([photo(7)], headers=caregiver)
    assert r.status_code == 503
    assert r.get_json()["reason"] == "photo_store_unavailable" and "photo store" in r.get_json()["message"]
    assert session.scalar(select(func.count()).select_from(Visit)) == 0


def test_retention_deletes_the_objects(app, client, session, world, app_config, bucket):
    settings = Settings.from_config({**app.config, "VAPID_PRIVATE_KEY": None, "SMS_WEBHOOK_URL": None})
    settings = dataclasses.replace(settings, retention=RetentionSettings(photo_days=1095, gps_days=400, batch_size=1))
    store, now_ = store_of(bucket.config), factories.now()
    p, cg = world.a.person, world.a.caregiver
    _, old = add_visit(session, p, cg, now_ - timedelta(days=1200), photo_seeds=[1, 2], store=store)
    _, shared_old = add_visit(session, p, cg, now_ - timedelta(days=1100), photo_seeds=[3], store=store)
    _, recent = add_visit(session, p, cg, now_ - timedelta(days=3), photo_seeds=[3], store=store)  # same file
    assert len(bucket.keys()) == 6

    from server import jobs

    result = jobs.run("retention", app_config["DATABASE"], at=now_, settings=settings)
    assert result["photos_purged"] == 3 and result["files_deleted"] == 2
    sha = recent[0].sha256
    assert bucket.keys() == [name_of(sha), name_of(sha, thumb=True)]  # only the file a newer photo needs
    staff = factories.headers(session, world.a.staff, **EN)
    status, _, body = read(client, f"/api/photos/{old[0].id}", staff)
    assert status == 410 and body["reason"] == "photo_purged"
    assert read(client, f"/api/photos/{recent[0].id}", staff)[0] == 302
    assert jobs.run("retention", app_config["DATABASE"], at=now_, settings=settings)["files_deleted"] == 0


def test_a_persons_export_carries_the_photos_from_the_bucket(client, session, world, bucket):
    store = store_of(bucket.config)
    _, rows = add_visit(session, world.a.person, world.a.caregiver, factories.now() - timedelta(days=2),
                        photo_seeds=[1], store=store)
    r = client.get(f"/api/persons/{world.a.person.id}/data-export", headers=factories.headers(session, world.admin))
    assert r.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(r.data))
    doc = json.loads(z.read("person.json"))
    assert doc["missing_files"] == []
    assert z.read(f"photos/{rows[0].id}.jpg") == bucket.read(name_of(rows[0].sha256))


def test_backup_carries_the_bucket_and_restore_puts_it_back(scratch_url, s3_endpoint, tmp_path, monkeypatch):  # noqa: F811
    url = normalise_database_url(scratch_url)
    source = Bucket(s3_endpoint)
    upgrade(url=url)
    engine = make_engine(url)
    with Session(engine) as s:
        world = factories.World.build(s)
        add_visit(s, world.a.person, world.a.caregiver, factories.now() - timedelta(days=1), photo_seeds=[1, 2],
                  store=store_of(source.config))
        s.commit()
    engine.dispose()
    media = tmp_path / "media"
    (media / "imports").mkdir(parents=True)
    (media / "imports" / "roster.xlsx").write_bytes(b"a roster being imported")
    objects = {k: source.read(k) for k in source.keys()}
    assert len(objects) == 4

    for key, value in {"DATABASE_URL": url, "MEDIA_DIR": str(media), "INSTANCE_DIR": str(tmp_path / "instance"),
                       **{k: str(v) for k, v in source.config.items()}}.items():
        monkeypatch.setenv(key, value)
    archive = tmp_path / "backup.tar.gz"
    runner = CliRunner()
    manifest = backup_with_the_command(archive)
    with tarfile.open(archive) as tar:
        assert {m.name for m in tar.getmembers() if m.name.startswith("media/")} == \
            {"media/" + k for k in [*objects, "imports/roster.xlsx"]}
        assert all(tar.extractfile("media/" + k).read() == v for k, v in objects.items())
    assert set(manifest["media"]) == {*objects, "imports/roster.xlsx"}
    before = everything(url)

    # into another, empty bucket (a move, or a bucket lost): the database, the folder and every object
    target = Bucket(s3_endpoint)
    monkeypatch.setenv("S3_BUCKET", target.name)
    wipe(url)
    r = runner.invoke(main, ["restore", "--force", str(archive)])
    assert r.exit_code == 0, r.output
    assert everything(url) == before
    assert {k: target.read(k) for k in target.keys()} == objects
    assert (media / "imports" / "roster.xlsx").read_bytes() == b"a roster being imported"
    # a bucket holding photos is not overwritten without --force
    wipe(url)
    shutil.rmtree(media)
    r = runner.invoke(main, ["restore", str(archive)])
    assert r.exit_code != 0 and "photo store is not empty" in r.output
    # the archive restores into the local folder just as well
    monkeypatch.setenv("PHOTO_STORAGE", "local")
    r = runner.invoke(main, ["restore", "--force", str(archive)])
    assert r.exit_code == 0, r.output
    assert {p.relative_to(media).as_posix(): p.read_bytes() for p in (media / "photos").rglob("*") if p.is_file()} \
        == objects


def test_the_app_may_fetch_photos_from_the_bucket_and_from_nowhere_else(client, bucket):
    with client.get("/") as r:
        csp = r.headers["Content-Security-Policy"]
    assert f"connect-src 'self' {bucket.endpoint};" in csp and f"img-src 'self' blob: data: {bucket.endpoint};" in csp
    assert "script-src 'self';" in csp


def test_storage_settings_are_checked():
    assert load_settings({})["PHOTO_STORAGE"] == "local" and load_settings({})["SIGNED_URL_SECONDS"] == 300
    for bad, words in (({"PHOTO_STORAGE": "ftp"}, "local or s3"), ({"PHOTO_STORAGE": "s3"}, "S3_BUCKET"),
                       ({"SIGNED_URL_SECONDS": "0"}, "at least 1"), ({"SIGNED_URL_SECONDS": "604801"}, "7 days"),
                       ({"S3_ENDPOINT_URL": "127.0.0.1:9000"}, "http"),
                       ({"S3_ACCESS_KEY_ID": "only-the-id"}, "both"),
                       ({"S3_ADDRESSING_STYLE": "sideways"}, "path")):
        with pytest.raises(ConfigError, match=words):
            load_settings(bad)
