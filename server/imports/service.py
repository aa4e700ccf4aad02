"""Bringing in the roster a township already keeps (花名册), its volunteer teams and its 结对帮扶 list.

A file is read and checked row by row, then planned against the database (what would be
created, updated, left alone), and the plan is shown: the dry run changes nothing. Apply
re-reads the stored file, re-plans, refuses when the state the dry run looked at has changed
(a fingerprint over it), and then writes in batches, each a transaction, through the same
services a person at the screen would use (people.create_person/update_person,
users.create_user, care.create_agreement/end_agreement), so audit and history stay right.

Each kind is a module with one interface — ``check`` (the file's rows), ``plan`` (against the
database) and ``execute`` (a batch of the plan): ``server/imports/persons.py``, ``volunteers.py``,
``pairings.py``, on what they share in ``plan.py``. This module stores, re-plans and applies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlmodel import Session

from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.models import User
from server.auth.roles import (
    TOWNSHIP_STAFF,
    VOLUNTEER,
    is_district_admin,
    is_staff,
)
from server.care.models import CareAgreement
from server.errors import ServiceError
from server.imports import layout, pairings, persons, reading, volunteers
from server.imports.models import IMPORT_KINDS, ImportJob, ImportMapping, ImportRecords
from server.imports.plan import (
    Errors,
    Plan,
    Run,
    Words,
    chunks,
    collector_paused,
    township_places,
)
from server.paging import Page, slice_page
from server.pairing.models import Cadre, Pairing, PairingUnit
from server.people.models import RISK_FLAGS, Person
from server.places.models import Place
from server.places.policy import managed_place

# the kinds of import, each a module of check / plan / execute
KINDS = {"persons": persons, "volunteers": volunteers, "pairings": pairings}


@dataclass(frozen=True)
class ImportSettings:
    max_rows: int = 50_000
    max_bytes: int = 20 * 1024 * 1024
    batch_size: int = 500
    keep_hours: int = 24

    @classmethod
    def from_config(cls, c: Mapping) -> "ImportSettings":
        return cls(max_rows=c["IMPORT_MAX_ROWS"], max_bytes=c["IMPORT_MAX_BYTES"], batch_size=c["IMPORT_BATCH_SIZE"],
                   keep_hours=c["IMPORT_KEEP_HOURS"])



# --- planning, storing, applying ---------------------------------------------------------


def township_for(session: Session, *, actor: Actor, place_id: int | None) -> Place:
    """The township an import is for: staff their own; district admins the one they name."""
    if not is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    if place_id is None:
        if actor.user.role != TOWNSHIP_STAFF:
            raise ServiceError(422, "import_township_required")
        place_id = actor.user.place_id
    place = managed_place(session, actor.user, place_id)
    if place.level != "township":
        raise ServiceError(422, "import_not_township")
    return place


_DATES = ("enrolled_on", "signed_on")


@collector_paused()
def plan_import(session: Session, *, township: Place, kind: str, data: bytes, filename: str | None,
                settings: ImportSettings, today: date, actor: Actor | None = None,
                mapping: dict[str, str] | None = None) -> tuple[Plan, list[dict]]:
    """Read, check and plan a file: the plan, and the checked records apply writes from. Writes
    nothing. ``mapping``: the township's remembered headers and those chosen on screen."""
    if kind not in IMPORT_KINDS:
        raise ServiceError(422, "validation", errors={"kind": [f"one of {', '.join(IMPORT_KINDS)}"]})
    sheet = reading.read(data, filename, kind, max_bytes=settings.max_bytes, max_rows=settings.max_rows,
                         mapping=mapping)
    if not sheet.rows:
        raise ServiceError(422, "import_empty")
    errors = Errors(sheet.headers, kind)
    if sheet.missing:  # nothing to check until staff say which column holds it
        for key in sheet.missing:
            errors.add(sheet.header_row, key, "文件中没有这一列（必填）：请在上方“各列的读取”中指定文件的哪一列是它，"
                                              "或在文件中加上这一列")
        plan = Plan(kind, township, [], errors.items, [], "", sheet.columns)
        return plan, []
    # cadres get logins from district admins (server/users/service.py GRANTABLE_ROLES); staff pair those there are
    options = {"today": today, "new_cadres": actor is None or is_district_admin(actor.user)}
    records = KINDS[kind].check(session, township, sheet, errors, **options)
    plan = KINDS[kind].plan(session, township, records, errors, **options)
    plan.columns = sheet.columns
    return plan, records


@collector_paused()
def replan(session: Session, *, township: Place, kind: str, records: list[dict], today: date,
           actor: Actor | None = None) -> Plan:
    """The plan of records checked before (a dry run's), against the database as it is now."""
    errors = Errors({}, kind)
    return KINDS[kind].plan(session, township, records, errors, today=today,
                        new_cadres=actor is None or is_district_admin(actor.user))


def _dump_records(records: list[dict]) -> bytes:
    return json.dumps(records, ensure_ascii=False, default=lambda v: v.isoformat()).encode()


@collector_paused()
def _load_records(data: bytes) -> list[dict]:
    def dates(obj: dict) -> dict:
        for key in _DATES:
            if isinstance(obj.get(key), str):
                obj[key] = date.fromisoformat(obj[key])
        return obj

    return json.loads(data, object_hook=dates)


def mapping_for(session: Session, *, township: Place, kind: str) -> dict[str, str]:
    """The township's remembered headers: normalised header → column key ("" = not read)."""
    return dict(session.execute(select(ImportMapping.header, ImportMapping.field).where(
        ImportMapping.township_id == township.id, ImportMapping.kind == kind)).all())


def parse_mapping(kind: str, raw: dict) -> dict[str, str]:
    """Staff's on-screen mapping ({the file's header: column key or ""}), checked: every key a
    column of the kind's layout, no column chosen for two headers."""
    keys = {c.key for c in layout.COLUMNS[kind]}
    out: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for header, key in raw.items():
        name = layout.header_key(header)
        if not name or len(name) > 100:
            problems.setdefault("mapping", []).append(f"列名“{str(header)[:40]}”无效")
            continue
        if key is None:
            key = ""
        if not isinstance(key, str) or key and key not in keys:
            problems.setdefault("mapping", []).append(f"“{header}”：没有“{key}”这一项")
            continue
        out[name] = key
    chosen = [k for k in out.values() if k]
    for key in sorted({k for k in chosen if chosen.count(k) > 1}):
        header = next(c.header for c in layout.COLUMNS[kind] if c.key == key)
        problems.setdefault("mapping", []).append(f"“{header}”只能对应文件中的一列")
    if problems:
        raise ServiceError(422, "import_mapping_invalid", errors=problems, problems="；".join(problems["mapping"]))
    return out


def remember_mapping(session: Session, *, actor: Actor, township: Place, kind: str, mapping: dict[str, str],
                     now: datetime) -> None:
    """Keep staff's mapping for the township's next file (one row per header, replaced)."""
    if not mapping:
        return
    session.execute(sa.delete(ImportMapping).where(ImportMapping.township_id == township.id,
                                                   ImportMapping.kind == kind,
                                                   ImportMapping.header.in_(list(mapping))))
    session.add_all([ImportMapping(township_id=township.id, kind=kind, header=header, field=key,
                                   updated_by=actor.user.id, updated_at=now) for header, key in mapping.items()])
    session.flush()


def purge_expired(session: Session, *, settings: ImportSettings, now: datetime) -> int:
    """Forget the checked records of imports not applied within IMPORT_KEEP_HOURS (in two
    statements, however many); returns how many."""
    old = select(ImportJob.id).where(ImportJob.created_at < now - timedelta(hours=settings.keep_hours))
    session.execute(sa.update(ImportJob).where(ImportJob.id.in_(old), ImportJob.status == "dry_run")
                    .values(status="expired").execution_options(synchronize_session=False))
    gone = session.execute(sa.delete(ImportRecords).where(ImportRecords.job_id.in_(old))).rowcount
    session.flush()
    return gone


def _forget_records(session: Session, job_id: int) -> None:
    session.execute(sa.delete(ImportRecords).where(ImportRecords.job_id == job_id))


def create_import(session: Session, *, actor: Actor, kind: str, data: bytes, filename: str | None,
                  place_id: int | None, settings: ImportSettings, today: date, now: datetime,
                  mapping: dict | None = None) -> ImportJob:
    """Store an upload's dry run, and the records it checked for apply. Nothing of the roster
    changes; a mapping chosen on screen is remembered for the township's next file."""
    township = township_for(session, actor=actor, place_id=place_id)
    if kind not in IMPORT_KINDS:
        raise ServiceError(422, "validation", errors={"kind": [f"one of {', '.join(IMPORT_KINDS)}"]})
    chosen = parse_mapping(kind, mapping or {})
    purge_expired(session, settings=settings, now=now)
    plan, records = plan_import(session, township=township, kind=kind, data=data, filename=filename,
                                settings=settings, today=today, actor=actor,
                                mapping={**mapping_for(session, township=township, kind=kind), **chosen})
    remember_mapping(session, actor=actor, township=township, kind=kind, mapping=chosen, now=now)
    words = Words({p.id: p.name for p in township_places(session, township)})
    job = ImportJob(kind=kind, township_id=township.id, created_by=actor.user.id, created_at=now,
                    filename=(filename or "upload")[-200:], sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                    fingerprint=plan.fingerprint, result=plan.public(words))
    session.add(job)
    session.flush()
    if not plan.errors:  # one that can never be applied keeps nothing
        session.add(ImportRecords(job_id=job.id, data=_dump_records(records)))
        session.flush()
    return job


def get_import(session: Session, *, actor: Actor, import_id: int) -> ImportJob:
    job = session.get(ImportJob, import_id)
    if job is None:
        raise ServiceError(404, "import_not_found")
    township_for(session, actor=actor, place_id=job.township_id)
    return job


# The dry run's long lists, answered a page at a time: whole, a 49,999-row file with an error on
# most rows answered 12 MB at every read of the import, and an apply's progress reads it every
# second (issue 30 L10).
LISTS = ("errors", "plan", "missing")
FIRST_PAGE = 50  # of each list, in the import's own answer


def present(job: ImportJob) -> dict:
    """The import as shown: its summary, the first page of each long list, how many each holds
    (``errors_total``…) and the cursor of its next page (``errors_next``…, None: no more)."""
    out = {"id": job.id, "status": job.status, "filename": job.filename, "sha256": job.sha256, "size": job.size,
           "created_at": job.created_at, "created_by": job.created_by, "applied_at": job.applied_at,
           "applied_by": job.applied_by, "error": job.error, "rows_done": job.rows_done,
           **{k: v for k, v in job.result.items() if k not in LISTS}}
    for which in LISTS:
        items = job.result.get(which) or []
        out[which], out[f"{which}_next"] = slice_page(items, Page(size=FIRST_PAGE))
        out[f"{which}_total"] = len(items)
    return out


def list_page(session: Session, *, actor: Actor, import_id: int, which: str, page: Page) -> tuple[list, str | None]:
    """A page of one of an import's long lists (errors, plan, missing), in its stored order, for
    whoever may read the import."""
    job = get_import(session, actor=actor, import_id=import_id)
    return slice_page(job.result.get(which) or [], page)


@dataclass
class Applied:
    counts: dict
    logins: list[dict]  # {username, display_name, persons, one_time_password}: shown once, never stored


def apply_import(session: Session, *, actor: Actor, import_id: int, hasher: PasswordHasher, settings: ImportSettings,
                 today: date, now: datetime, progress: Callable[[int], None] | None = None) -> tuple[ImportJob, Applied]:
    """Apply exactly the dry run that was shown: its checked records, planned again against the
    database as it is now (refused when that differs from what the dry run saw), written in
    batches (a transaction each, with how far it has come)."""
    job = get_import(session, actor=actor, import_id=import_id)
    if job.status == "applied":
        raise ServiceError(409, "import_already_applied")
    if job.status == "applying":
        raise ServiceError(409, "import_applying")
    if job.result.get("errors"):
        raise ServiceError(409, "import_has_errors", count=len(job.result["errors"]))
    kept = session.scalar(select(ImportRecords.data).where(ImportRecords.job_id == job.id))
    if job.status != "dry_run" or kept is None or job.created_at < now - timedelta(hours=settings.keep_hours):
        raise ServiceError(410, "import_expired", hours=settings.keep_hours)
    try:
        records = _load_records(kept)
    except ValueError:
        raise ServiceError(409, "import_stale") from None
    township = session.get(Place, job.township_id)
    plan = replan(session, township=township, kind=job.kind, records=records, today=today, actor=actor)
    if plan.errors or plan.fingerprint != job.fingerprint:
        raise ServiceError(409, "import_stale")
    job_id = job.id
    # one apply of a dry run: the first to claim it; the others (a double tap, a second clerk) a
    # 409, not the unique constraints' 500 in the middle of writing (issue 30 L2)
    claimed = session.execute(sa.update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == "dry_run")
                              .values(status="applying").returning(ImportJob.id)).first()
    if claimed is None:
        session.rollback()
        raise ServiceError(409, "import_applying")
    session.commit()
    done = 0

    def commit_batch() -> None:
        # the batch and how far the apply has come, in one transaction: a poll sees both or neither
        session.execute(sa.update(ImportJob).where(ImportJob.id == job_id).values(rows_done=done))
        session.commit()

    def count_batch(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(rows)

    try:
        applied = execute(session, actor=actor, plan=plan, hasher=hasher, today=today,
                          batch_size=settings.batch_size, commit=commit_batch, progress=count_batch)
    except ServiceError as exc:
        session.rollback()
        job = session.get(ImportJob, job_id)
        job.status, job.error = "failed", f"{exc.key}"[:500]
        session.add(job)
        session.commit()
        raise ServiceError(409, "import_failed", reason=exc.key) from exc
    job = session.get(ImportJob, job_id)
    _forget_records(session, job_id)
    job.status, job.applied_at, job.applied_by = "applied", now, actor.user.id
    job.result = {**job.result, "applied_counts": applied.counts}
    session.add(job)
    audit.record(session, actor=actor, action="import", entity="import", entity_id=job.id,
                 detail={"kind": job.kind, "township_id": job.township_id, "filename": job.filename,
                         "sha256": job.sha256, **applied.counts})
    session.flush()
    return job, applied


def execute(session: Session, *, actor: Actor, plan: Plan, hasher: PasswordHasher, today: date, batch_size: int = 500,
            commit: Callable[[], None] | None = None, progress: Callable[[int], None] | None = None) -> Applied:
    """Write a checked plan, ``batch_size`` rows per transaction: a roster in sets through the
    services' batch functions (people.create_persons/update_persons, users.create_logins,
    care.sign_agreements), volunteers and pairings (tens of rows) one by one through theirs."""
    counts = {k: v for k, v in plan.counts().items() if k in ("created", "updated", "unchanged")}
    kind = KINDS[plan.kind]
    run = Run(township=plan.township)
    # The session's identity map holds its objects weakly: keep the township's places (every
    # service asks for them) alive for the whole run, and a batch's new rows for the batch.
    places_held = township_places(session, plan.township)
    for batch in chunks(plan.rows, batch_size):
        with collector_paused():
            kind.execute(session, actor=actor, rows=batch, hasher=hasher, today=today, run=run)
            session.flush()
        if progress is not None:
            progress(len(batch))
        if commit is not None:
            commit()
        run.held.clear()
    del places_held
    return Applied(counts=counts, logins=list(run.logins.values()))


# --- export ------------------------------------------------------------------------------


def export_rows(session: Session, *, actor: Actor, kind: str, place_id: int | None) -> tuple[Place, list[dict]]:
    """A township's current roster (active persons with their active caregiver), volunteers or
    pairs, as rows in the import layout."""
    township = township_for(session, actor=actor, place_id=place_id)
    places_under = {p.id: p for p in township_places(session, township)}
    if kind == "pairings":
        rows = session.execute(
            select(PairingUnit.name, User.display_name, User.phone, User.username, Cadre.rank, Person.id, Person.name,
                   Person.id_number)
            .select_from(Pairing).join(Cadre, Cadre.id == Pairing.cadre_id).join(User, User.id == Cadre.user_id)
            .join(PairingUnit, PairingUnit.id == Cadre.unit_id).join(Person, Person.id == Pairing.person_id)
            .where(Pairing.status == "active", Person.village_id.in_(places_under)).order_by(Pairing.id)).all()
        audit.record_person_reads(session, actor=actor, person_ids=[r[5] for r in rows], action="export_pairings")
        return township, [{"unit": unit, "cadre_name": cadre, "cadre_phone": phone or username,
                           "rank": layout.RANK_LABELS[rank], "name": name, "id_number": number}
                          for unit, cadre, phone, username, rank, _pid, name, number in rows]
    if kind == "volunteers":
        users = list(session.scalars(select(User).where(User.role == VOLUNTEER, User.place_id.in_(places_under))
                                     .order_by(User.id)))
        team_names = dict(session.execute(select(VolunteerTeamMember.user_id, VolunteerTeam.name)
                                          .join(VolunteerTeam, VolunteerTeam.id == VolunteerTeamMember.team_id)
                                          .where(VolunteerTeam.township_id == township.id)).all())
        return township, [{"name": u.display_name, "phone": u.phone or u.username,
                           "place": places_under[u.place_id].name if u.place_id != township.id else None,
                           "team": team_names.get(u.id)} for u in users]
    persons = list(session.scalars(select(Person).where(Person.village_id.in_(places_under), Person.status == "active")
                                   .order_by(Person.village_id, Person.id)))
    caregivers = {}
    for chunk in chunks([p.id for p in persons]):
        for agreement, user in session.execute(
                select(CareAgreement, User).join(User, User.id == CareAgreement.caregiver_id)
                .where(CareAgreement.person_id.in_(chunk), CareAgreement.status == "active")).all():
            caregivers[agreement.person_id] = (agreement, user)
    audit.record_person_reads(session, actor=actor, person_ids=[p.id for p in persons], action="export_roster")
    rows = []
    for p in persons:
        row = {"name": p.name, "sex": layout.SEX_LABELS[p.sex], "id_number": p.id_number, "birth_date": p.birth_date,
               "village": places_under[p.village_id].name, "address": p.address, "enrolled_on": p.enrolled_on,
               "self_care_level": layout.LEVEL_LABELS[p.self_care_level],
               "support_mode": layout.MODE_LABELS[p.support_mode],
               "assistance_category": layout.CATEGORY_LABELS[p.assistance_category], "dibao_class": p.dibao_class,
               "risk_flags": "、".join(layout.RISK_FLAG_LABELS[f] for f in RISK_FLAGS if f in (p.risk_flags or []))}
        if p.id in caregivers:
            agreement, user = caregivers[p.id]
            row.update(caregiver_name=user.display_name, caregiver_phone=user.phone or user.username,
                       relation=layout.RELATION_LABELS[agreement.relation], signed_on=agreement.signed_on)
        rows.append(row)
    return township, rows
