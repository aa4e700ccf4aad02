"""Privacy operations (PIPL): everything held about one person, for a lawful request, and the
retention rules that remove photos and coarsen visit positions once they are no longer needed.

No Flask here: the export returns bytes, the retention pass takes its instant from its caller.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from server.activities.models import ActivityPerson, VolunteerActivity
from server.alerts.models import Alert, AlertEvent
from server.assessments.models import Assessment
from server.audit import service as audit
from server.audit.models import AuditLog
from server.auth.actor import Actor
from server.auth.roles import DISTRICT_ADMIN
from server.campaigns.models import CampaignRecord
from server.care.models import AgreementDocument, CareAgreement
from server.errors import ServiceError
from server.homeservices.models import ServiceRecord
from server.notify.models import Notification
from server.people.models import Person
from server.photos.models import VisitPhoto
from server.photos.storage import PhotoStorage
from server.places.models import Place
from server.visits.models import Visit

log = logging.getLogger("zhaoying.privacy")

EXPORT_FORMAT = "zhaoying-person-export/1"


# --- the export ------------------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # an amount of money, to the fen
    return value


def _row(obj: SQLModel) -> dict:
    """Every column of a row, as stored (nothing masked, nothing left out)."""
    return {c.name: _jsonable(getattr(obj, c.name)) for c in obj.__table__.columns}


def _all(session: Session, model, *where, order=None) -> list:
    return list(session.scalars(select(model).where(*where).order_by(*(order or [model.id]))))


# the tables whose rows the document lays out by theme (with their photos and events)
_THEMED = frozenset({"careagreement", "visit", "visitphoto", "assessment", "servicerecord", "campaignrecord", "alert",
                     "alertevent", "notification", "auditlog"})
# the files held by rows not themed: the photos of a signed agreement's paper
_FILES = {"agreementdocument": "agreements"}


def _naming_conditions(person_id: int) -> dict[str, tuple[sa.Table, sa.ColumnElement]]:
    """Table name → (table, the condition of its rows that name the person): every table with a
    foreign key to ``person``, and every table with a foreign key to one of those (an objection to
    their application, the paper of their agreement, a spot check of their visit). Read from the
    models, so a table added to the house is in the export without anyone remembering it."""
    tables = list(SQLModel.metadata.tables.values())

    def pointing_to(names):
        found: dict[str, list] = {}
        for t in tables:
            for c in t.columns:
                for f in c.foreign_keys:
                    if f.column.table.name in names:
                        found.setdefault(t.name, [t, []])[1].append((c, f.column.table))
        return found

    direct = {name: (t, sa.or_(*(c == person_id for c, _ in cols))) for name, (t, cols) in pointing_to({"person"}).items()}
    children = {name: (t, sa.or_(*(c.in_(select(parent.c.id).where(direct[parent.name][1])) for c, parent in cols)))
                for name, (t, cols) in pointing_to(set(direct)).items() if name not in direct}
    return {**direct, **children}


def _other_records(session: Session, person_id: int) -> tuple[dict[str, list[dict]], list[tuple[str, str]]]:
    """Every row of a table that names the person, or hangs from one that does, not laid out by
    theme in the document: by table, in key order; and the files they hold."""
    records: dict[str, list[dict]] = {}
    for name, (table, where) in sorted(_naming_conditions(person_id).items()):
        if name in _THEMED:
            continue
        rows = session.execute(select(table).where(where).order_by(*table.primary_key.columns)).mappings().all()
        if rows:
            records[name] = [{k: _jsonable(v) for k, v in r.items()} for r in rows]
    files = []
    for name, folder in _FILES.items():
        for row in records.get(name, []):
            row["file"] = f"{folder}/{row['id']}.jpg"
            files.append((row["file"], row["sha256"]))
    return records, files


def gather(session: Session, *, actor: Actor, person_id: int, now: datetime) -> tuple[dict, list[tuple[str, str]]]:
    """Everything held about one person: the document, and the photo files to go with it as
    (name in the archive, sha256). District admins only; the export is audited (action "export").

    The document carries the person's ID number whole: it is their own data, handed over for a
    lawful request (PIPL art. 45, the right to access and copy); every other response masks it.
    """
    if actor.user.role != DISTRICT_ADMIN:
        raise ServiceError(403, "forbidden_role")
    person = session.get(Person, person_id)
    if person is None:
        raise ServiceError(404, "person_not_found")
    # audited first, so the trail in the export shows this export too
    audit.record(session, actor=actor, action="export", entity="person", entity_id=person_id, person_id=person_id)

    visits = _all(session, Visit, Visit.person_id == person_id, order=[Visit.started_at, Visit.id])
    visit_ids = [v.id for v in visits]
    services = _all(session, ServiceRecord, ServiceRecord.person_id == person_id,
                    order=[ServiceRecord.served_on, ServiceRecord.id])
    service_ids = [r.id for r in services]
    photos = _all(session, VisitPhoto, VisitPhoto.visit_id.in_(visit_ids) | VisitPhoto.service_record_id.in_(service_ids),
                  order=[VisitPhoto.position, VisitPhoto.id]) if visit_ids or service_ids else []
    by_visit: dict[int, list[dict]] = {}
    by_service: dict[int, list[dict]] = {}
    files: list[tuple[str, str]] = []
    for p in photos:
        entry = _row(p)
        if p.sha256 and p.purged_at is None:
            entry["file"] = f"photos/{p.id}.jpg"
            files.append((entry["file"], p.sha256))
        else:
            entry["file"] = None  # removed by the retention rules
        if p.visit_id is not None:
            by_visit.setdefault(p.visit_id, []).append(entry)
        else:
            by_service.setdefault(p.service_record_id, []).append(entry)

    alerts = _all(session, Alert, Alert.person_id == person_id)
    alert_ids = [a.id for a in alerts]
    events: dict[int, list[dict]] = {}
    if alert_ids:
        for e in _all(session, AlertEvent, AlertEvent.alert_id.in_(alert_ids), order=[AlertEvent.at, AlertEvent.id]):
            events.setdefault(e.alert_id, []).append(_row(e))
    notifications = _all(session, Notification, Notification.alert_id.in_(alert_ids)) if alert_ids else []

    # activities that name them as served, and those held in their village or township whose note names them
    village = session.get(Place, person.village_id)
    places = [village.id] + ([village.parent_id] if village.parent_id else [])
    served = select(ActivityPerson.activity_id).where(ActivityPerson.person_id == person_id)
    activities = _all(session, VolunteerActivity, sa.or_(
        VolunteerActivity.id.in_(served),
        VolunteerActivity.place_id.in_(places) & VolunteerActivity.note.contains(person.name)))

    document = {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "exported_by": {"user_id": actor.user.id, "username": actor.user.username},
        "note": "Everything zhaoying holds about this person, for a lawful request under PIPL. The ID number "
                "is whole here (it is the person's own data); keep this file as you would the record itself.",
        "person": _row(person),
        "agreements": [_row(a) for a in _all(session, CareAgreement, CareAgreement.person_id == person_id)],
        "visits": [{**_row(v), "photos": by_visit.get(v.id, [])} for v in visits],
        "assessments": [_row(a) for a in _all(session, Assessment, Assessment.person_id == person_id)],
        "home_services": [{**_row(r), "photos": by_service.get(r.id, [])} for r in services],
        "campaigns": [_row(c) for c in _all(session, CampaignRecord, CampaignRecord.person_id == person_id,
                                            order=[CampaignRecord.done_on, CampaignRecord.id])],
        "alerts": [{**_row(a), "events": events.get(a.id, [])} for a in alerts],
        "notifications": [_row(n) for n in notifications],
        "activities": [_row(a) for a in activities],
        "audit": [_row(a) for a in _all(session, AuditLog, AuditLog.person_id == person_id,
                                        order=[AuditLog.at, AuditLog.id])],
    }
    # the rest: stays in care homes and away, exits, reviews, applications, relief, pairings, the
    # months as closed, field reports — every other row that names them
    document["other_records"], paper = _other_records(session, person_id)
    return document, files + paper


def export_zip(session: Session, *, actor: Actor, person_id: int, now: datetime, store: PhotoStorage) -> bytes:
    """The export as a ZIP: ``person.json`` and the stored JPEGs under ``photos/``."""
    document, files = gather(session, actor=actor, person_id=person_id, now=now)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        missing = []
        for name, sha in files:
            data = store.read(sha)
            if data is not None:
                z.writestr(name, data, compress_type=zipfile.ZIP_STORED)  # JPEGs do not deflate
            else:
                missing.append(name)
        document["missing_files"] = missing
        z.writestr("person.json", json.dumps(document, ensure_ascii=False, indent=2))
    return buf.getvalue()


# --- retention -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionSettings:
    """How long photos and precise visit positions are kept (docs/privacy.md "Privacy"); 0 keeps them forever."""

    photo_days: int
    gps_days: int
    batch_size: int = 500  # rows per statement and per transaction

    @classmethod
    def from_config(cls, c: Mapping) -> "RetentionSettings":
        return cls(photo_days=c["RETENTION_PHOTO_DAYS"], gps_days=c["RETENTION_GPS_DAYS"])


def _batches(session: Session, statement_for_batch) -> int:
    """Run ``statement_for_batch()`` (an UPDATE of at most one batch) until it touches nothing;
    each batch is its own transaction, so a large backlog never holds one long lock."""
    total = 0
    while True:
        n = session.connection().execute(statement_for_batch().execution_options(preserve_rowcount=True)).rowcount
        session.commit()
        total += n
        if n == 0:
            return total


def coarsen_gps(session: Session, *, cutoff: datetime, batch_size: int) -> dict:
    """Null the position of visits started before ``cutoff`` (and the EXIF position kept on their
    photos' rows); the verification result, exception codes and distances stay."""

    def visits():
        batch = (select(Visit.id).where(Visit.started_at < cutoff, sa.or_(
            Visit.lat.is_not(None), Visit.lon.is_not(None), Visit.accuracy_m.is_not(None))).limit(batch_size))
        return sa.update(Visit).where(Visit.id.in_(batch.scalar_subquery())).values(lat=None, lon=None, accuracy_m=None)

    def photos():
        batch = (select(VisitPhoto.id).where(VisitPhoto.created_at < cutoff, sa.or_(
            VisitPhoto.exif_lat.is_not(None), VisitPhoto.exif_lon.is_not(None))).limit(batch_size))
        return sa.update(VisitPhoto).where(VisitPhoto.id.in_(batch.scalar_subquery())).values(exif_lat=None,
                                                                                             exif_lon=None)

    return {"visits_coarsened": _batches(session, visits), "photo_positions_removed": _batches(session, photos)}


def purge_photos(session: Session, *, cutoff: datetime, now: datetime, store: PhotoStorage, batch_size: int) -> dict:
    """Photos (of visits and of activities) taken before ``cutoff``: the row stays, marked
    ``purged_at`` without its file name, and the file goes — unless a row not purged (a newer
    photo with the same content: files are stored by SHA-256) or the paper of an agreement (kept
    as long as the agreement) still needs it."""
    rows = files = 0
    while True:
        batch = session.execute(select(VisitPhoto.id, VisitPhoto.sha256)
                                .where(VisitPhoto.created_at < cutoff, VisitPhoto.purged_at.is_(None))
                                .order_by(VisitPhoto.id).limit(batch_size)).all()
        if not batch:
            return {"photos_purged": rows, "files_deleted": files}
        ids = [i for i, _ in batch]
        shas = {s for _, s in batch if s}
        session.execute(sa.update(VisitPhoto).where(VisitPhoto.id.in_(ids), VisitPhoto.purged_at.is_(None))
                        .values(purged_at=now, sha256=None).execution_options(synchronize_session=False))
        still_used = set(session.scalars(select(VisitPhoto.sha256).distinct()
                                         .where(VisitPhoto.sha256.in_(shas), VisitPhoto.purged_at.is_(None))
                                         .union(select(AgreementDocument.sha256).where(AgreementDocument.sha256.in_(shas)))))
        session.commit()
        # the rows no longer name the files: delete them after the commit (a crash between leaves
        # an unnamed file behind, never a row naming a missing one)
        files += store.delete(sorted(shas - still_used))
        rows += len(ids)


def apply_retention(session: Session, *, now: datetime, settings: RetentionSettings, store: PhotoStorage) -> dict:
    """One pass of the retention rules for the instant ``now``; idempotent (a second pass for the
    same instant finds nothing to do). Commits batch by batch."""
    result: dict = {}
    if settings.gps_days:
        cutoff = now - timedelta(days=settings.gps_days)
        result.update(gps_cutoff=cutoff.isoformat(), **coarsen_gps(session, cutoff=cutoff,
                                                                   batch_size=settings.batch_size))
    if settings.photo_days:
        cutoff = now - timedelta(days=settings.photo_days)
        result.update(photo_cutoff=cutoff.isoformat(), **purge_photos(session, cutoff=cutoff, now=now, store=store,
                                                                      batch_size=settings.batch_size))
    return result
