"""The retention job: old visit positions coarsened, old photo files deleted (not a file a newer
photo shares), purged photos answering 410; idempotent, in bounded batches."""

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from server import jobs
from server.care.models import AgreementDocument, CareAgreement
from server.photos.models import VisitPhoto
from server.photos.storage import PhotoStore
from server.privacy.service import RetentionSettings
from server.visits.models import Visit
from tests import factories
from tests.privacy.conftest import add_visit


def test_defaults_and_validation():
    from server.config import ConfigError, load_settings

    c = load_settings({})
    assert (c["RETENTION_PHOTO_DAYS"], c["RETENTION_GPS_DAYS"]) == (1095, 400)
    assert load_settings({"RETENTION_GPS_DAYS": "0"})["RETENTION_GPS_DAYS"] == 0
    for bad in ("-1", "a year"):
        with pytest.raises(ConfigError):
            load_settings({"RETENTION_PHOTO_DAYS": bad})
    assert jobs.JOBS["retention"].cron == {"hour": 3, "minute": 15}
    assert jobs.JOBS["retention"].misfire_grace_seconds == 24 * 3600


@pytest.mark.parametrize("batch_size", [1, 500])
def test_retention_run_for_an_instant(app, client, session, world, settings, batch_size, app_config):
    settings = dataclasses.replace(settings, retention=RetentionSettings(photo_days=1095, gps_days=400,
                                                                         batch_size=batch_size))
    media, now = app.config["MEDIA_DIR"], factories.now()
    p, cg = world.a.person, world.a.caregiver
    old, _ = add_visit(session, p, cg, now - timedelta(days=1200), media_dir=media, photo_seeds=[1, 2])
    shared_old, _ = add_visit(session, p, cg, now - timedelta(days=1100), media_dir=media, photo_seeds=[3])
    mid, _ = add_visit(session, p, cg, now - timedelta(days=500), media_dir=media, photo_seeds=[4])
    recent, _ = add_visit(session, p, cg, now - timedelta(days=3), media_dir=media, photo_seeds=[3])  # same file
    store = PhotoStore(media)
    photos = {v.id: session.scalars(select(VisitPhoto).where(VisitPhoto.visit_id == v.id)
                                    .order_by(VisitPhoto.position)).all() for v in (old, shared_old, mid, recent)}
    old_files = [store.path(ph.sha256, thumb=t) for ph in photos[old.id] for t in (False, True)]
    shared = store.path(photos[recent.id][0].sha256)
    assert shared == store.path(photos[shared_old.id][0].sha256) and all(f.exists() for f in old_files)

    result = jobs.run("retention", app_config["DATABASE"], at=now, settings=settings)
    assert result["visits_coarsened"] == 3 and result["photos_purged"] == 3 and result["files_deleted"] == 2
    assert result["photo_positions_removed"] == 4

    session.expire_all()
    for v in (old, shared_old, mid):
        v = session.get(Visit, v.id)
        assert (v.lat, v.lon, v.accuracy_m) == (None, None, None)
        # what the check-in was found to be stays
        assert v.status == "exception" and v.exceptions == ["too_short"] and v.exception_detail
    r = session.get(Visit, recent.id)
    assert (r.lat, r.lon, r.accuracy_m) == (42.3003, 119.9003, 12.0)

    for ph in photos[old.id] + photos[shared_old.id]:
        session.refresh(ph)
        assert ph.purged_at == now and ph.sha256 is None and ph.exif_lat is None
        assert ph.phash and ph.width  # the row says a photo was there
    for ph in photos[mid.id] + photos[recent.id]:
        session.refresh(ph)
        assert ph.purged_at is None and ph.sha256
    assert photos[mid.id][0].exif_lat is None and photos[recent.id][0].exif_lat == 42.3001
    assert not any(f.exists() for f in old_files)
    assert shared.exists() and store.path(photos[recent.id][0].sha256, thumb=True).exists()
    assert store.path(photos[mid.id][0].sha256).exists()

    staff = factories.headers(session, world.a.staff, **{"Accept-Language": "en"})
    purged = photos[old.id][0].id
    for url in (f"/api/photos/{purged}", f"/api/photos/{purged}/thumb"):
        with client.get(url, headers=staff) as resp:
            assert resp.status_code == 410
            body = resp.get_json()
            assert body["reason"] == "photo_purged" and "retention" in body["message"] and "2026-11-18" in body["message"]
    with client.get(f"/api/photos/{photos[recent.id][0].id}", headers=staff) as resp:
        assert resp.status_code == 200
    # other townships' staff still get 403, not a hint that the photo existed
    other = factories.headers(session, world.b.staff)
    assert client.get(f"/api/photos/{purged}", headers=other).status_code == 403
    shown = client.get(f"/api/visits/{old.id}", headers=staff).get_json()
    assert [ph["purged_at"] is not None for ph in shown["photos"]] == [True, True]

    again = jobs.run("retention", app_config["DATABASE"], at=now, settings=settings)
    assert again == {**result, "visits_coarsened": 0, "photo_positions_removed": 0, "photos_purged": 0,
                     "files_deleted": 0}
    later = jobs.run("retention", app_config["DATABASE"], at=now + timedelta(hours=1), settings=settings)
    assert later["photos_purged"] == 0 and later["visits_coarsened"] == 0


def test_zero_keeps_forever(app, session, world, settings, app_config):
    settings = dataclasses.replace(settings, retention=RetentionSettings(photo_days=0, gps_days=0))
    now = factories.now()
    v, rows = add_visit(session, world.a.person, world.a.caregiver, now - timedelta(days=5000),
                        media_dir=app.config["MEDIA_DIR"], photo_seeds=[9])
    assert jobs.run("retention", app_config["DATABASE"], at=now, settings=settings) == {}
    session.expire_all()
    assert session.get(Visit, v.id).lat == 42.3003 and session.get(VisitPhoto, rows[0].id).purged_at is None


def test_a_file_the_paper_of_an_agreement_shares_is_kept(app, client, session, world, settings, app_config):
    """The signed agreement's paper (seed 001 三(二)3, kept as long as the agreement) is stored by its
    SHA-256 like a visit photo: the retention of an old visit photo with the same content marks the
    visit photo purged and leaves the file the paper needs."""
    settings = dataclasses.replace(settings, retention=RetentionSettings(photo_days=1095, gps_days=0))
    now = factories.now()
    old, [ph] = add_visit(session, world.a.person, world.a.caregiver, now - timedelta(days=1200),
                          media_dir=app.config["MEDIA_DIR"], photo_seeds=[6])
    agreement_id = session.scalar(select(CareAgreement.id).where(CareAgreement.person_id == world.a.person.id))
    paper = AgreementDocument(agreement_id=agreement_id, sha256=ph.sha256, phash=ph.phash, width=ph.width,
                              height=ph.height, bytes=1, source_format="JPEG")
    session.add(paper)
    session.flush()
    file = PhotoStore(app.config["MEDIA_DIR"]).path(ph.sha256)

    result = jobs.run("retention", app_config["DATABASE"], at=now, settings=settings)
    assert (result["photos_purged"], result["files_deleted"]) == (1, 0)
    session.refresh(ph)
    assert ph.purged_at == now and file.exists()
    staff = factories.headers(session, world.a.staff)
    with client.get(f"/api/agreements/photos/{paper.id}", headers=staff) as r:
        assert r.status_code == 200 and r.data == file.read_bytes()
