"""Home visits: check-in, replay, checkout, verification and review."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from server import clock, geo
from server.alerts import rules
from server.alerts import service as alerts_service
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.care.models import CareAgreement
from server.db import count, on_postgresql, without_jit
from server.errors import ServiceError
from server.lifecycle import exits
from server.messages import text
from server.notify import service as notify
from server.paging import Page, select_page, split
from server.people import roster
from server.people import service as people
from server.people.models import Person
from server.photos import service as photos
from server.photos.storage import PhotoStore
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place
from server.timeutil import day_bounds, month_bounds
from server.visits import catalogue, verification
from server.visits.events import visit_decided, visit_rejected
from server.visits.models import Visit

# what a caregiver saw, the ``visit`` columns of catalogue.OBSERVATIONS and the note: the one list the
# check-in stores, the views show and the alert context reads
OBSERVATION_FIELDS = ("self_care_level", "health", "hygiene", "living_environment", "food_supplies", "mood",
                      "safety_risk", "family_support", "care_need", "note")
# Built once: the check-in is the hot path, and values travel as parameters.
_INSERT_VISIT = Visit.__table__.insert()


@dataclass(frozen=True)
class Settings:
    rules: verification.Rules
    photos: photos.PhotoSettings
    zone: ZoneInfo
    alerts: alerts_service.AlertSettings
    home_proposal_visits: int = 3

    @classmethod
    def from_config(cls, c, *, zone: ZoneInfo, photos: photos.PhotoSettings,
                    alerts: alerts_service.AlertSettings) -> "Settings":
        return cls(rules=verification.Rules.from_config(c), photos=photos, zone=zone, alerts=alerts,
                   home_proposal_visits=c["HOME_PROPOSAL_VISITS"])


# fields the check-in gained later count only when given: a visit an outbox kept from before
# (resent after an update) hashes as it did, and is answered as the replay it is
_ADDED_LATER = ("monitor_device", "monitor_reading")


def content_hash(data: dict, files: list[bytes]) -> str:
    """What makes two submissions "the same visit": every field and every photo's bytes."""
    canonical = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()
                 if k != "device_time" and not (k in _ADDED_LATER and v is None)}
    canonical["services"] = sorted(canonical.get("services") or [])
    canonical["photos"] = [hashlib.sha256(f).hexdigest() for f in files]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# Built once with bound parameters: the check-in is the hot path, and building statements
# per request costs more than running them.
_REPLAY = select(Visit.id, Visit.caregiver_id, Visit.content_hash).where(Visit.client_id == bindparam("client_id"))
# where the person lives, for the visit's view (the village and its township)
_VILLAGE, _TOWNSHIP = sa.orm.aliased(Place), sa.orm.aliased(Place)
_WHERE = (_VILLAGE.name.label("village"), _TOWNSHIP.name.label("township"))


def _lives(stmt: sa.Select) -> sa.Select:
    return (stmt.outerjoin(_VILLAGE, _VILLAGE.id == Person.village_id)
            .outerjoin(_TOWNSHIP, _TOWNSHIP.id == _VILLAGE.parent_id))


_PERSON = _lives(select(Person.id, Person.name, Person.self_care_level, Person.home_lat, Person.home_lon,
                       Person.home_location_state, *_WHERE)).where(Person.id == bindparam("person_id"))
_PERSON_FOR_CHECKIN = (
    _PERSON.add_columns(CareAgreement.id.label("agreement_id"))
    .outerjoin(CareAgreement, (CareAgreement.person_id == Person.id)
               & (CareAgreement.caregiver_id == bindparam("caregiver_id")) & (CareAgreement.status == "active"))
)
# What ties a visitor of another role to the person, told by the room that keeps the tie (a cadre's
# active pairing: server/pairing/service.py, 结对帮扶, seed 003): role → the check-in's statement.
_TIES: dict[str, sa.Select] = {}
# The district's late-submission days, told by the room that keeps the schedule policy
# (server/quotas/policy.py); with none registered, lateness is not checked.
_late_after_days: list[Callable[[Session], int]] = []


def checks_in_by(role: str):
    """Registers ``tie(person_stmt) -> stmt``: the check-in's statement for a visitor of ``role``,
    the person's select with the tie's id added (bound parameter ``caregiver_id``: the user)."""
    def register(tie: Callable[[sa.Select], sa.Select]):
        _TIES[role] = tie(_PERSON)
        return tie
    return register


def reads_late_after_days(reader: Callable[[Session], int]) -> Callable[[Session], int]:
    """Registers ``reader(session)``: the days after which a visit received is late_submission."""
    _late_after_days.append(reader)
    return reader


def _answer_replay(session: Session, actor: Actor, client_id: str, digest: str) -> tuple[dict, bool] | None:
    """When a visit is already stored under ``client_id``: the answer to a replay of it (its view,
    not created), or 422 client_id_conflict when it is another caregiver's or another visit."""
    existing = session.connection().execute(_REPLAY, {"client_id": client_id}).first()
    if existing is None:
        return None
    if existing.caregiver_id != actor.user.id or existing.content_hash != digest:
        raise ServiceError(422, "client_id_conflict", errors={"client_id": ["already used for a different visit"]})
    return views(session, [session.get(Visit, existing.id)])[0], False


def _person_and_agreement(session: Session, person_id: int, user) -> object:
    """What the check-in needs of the person, and their active agreement with this caregiver
    (or, for a cadre, their active pairing)."""
    stmt = _TIES.get(user.role, _PERSON_FOR_CHECKIN)
    return session.connection().execute(stmt, {"person_id": person_id, "caregiver_id": user.id}).first()


def create_visit(session: Session, *, actor: Actor, data: dict, files: list[bytes], store: PhotoStore,
                 settings: Settings, now: datetime | None = None) -> tuple[dict, bool]:
    """Store a check-in. Returns the visit's view (see ``views``) and whether it was created
    (False: a replay of a visit already stored under its client_id, see ``_answer_replay``).

    A replay is answered whatever else is true by now: an outbox may resend a visit after its
    agreement ended or the clock moved on, or race the first send. It is looked for once the
    check-in is refused (the unique client_id refuses the insert of a replay), except that with
    photos it is looked for first: they are costly to decode again.
    """
    now = now or clock.now()
    if not roles.checks_in(actor.user):
        raise ServiceError(403, "caregivers_only")
    digest = content_hash(data, files)
    answer = _answer_replay(session, actor, data["client_id"], digest) if files else None
    if answer is not None:
        return answer
    try:
        person, processed, row = _checked(session, actor=actor, data=data, files=files, digest=digest,
                                          settings=settings, now=now)
        # A plain insert (the check-in is the hot path); it is the request's first write, and the
        # unique client_id is what refuses a replay without photos (or one racing this request).
        row["id"] = session.connection().execute(_INSERT_VISIT, row).inserted_primary_key[0]
    except (ServiceError, IntegrityError) as refused:
        if isinstance(refused, IntegrityError):
            # The insert is the request's first write: rolling back loses nothing.
            session.rollback()
        answer = _answer_replay(session, actor, data["client_id"], digest)
        if answer is None:
            raise
        return answer
    view = _stored(session, actor=actor, row=row, person=person, processed=processed, store=store, settings=settings)
    if row["status"] == "verified":
        visit_decided.send(session, visit_id=row["id"], person_id=person.id, started_at=row["started_at"], actor=actor,
                           zone=settings.zone, now=now, reason="visit")
    return view, True


def _checked(session: Session, *, actor: Actor, data: dict, files: list[bytes], digest: str, settings: Settings,
             now: datetime) -> tuple:
    """Validate and verify a check-in, before anything is written: the person (with the
    agreement), the processed photos, and the visit's row to insert."""
    person = _person_and_agreement(session, data["person_id"], actor.user)
    cadre = roles.is_cadre(actor.user)
    agreement_id = getattr(person, "agreement_id", None) if person is not None else None
    if person is not None and not cadre and agreement_id is None:
        # the person may have left the roster since: a visit of the exit's day or before is still theirs
        agreement_id = exits.accepts_visit_after_exit(session, person_id=person.id, caregiver_id=actor.user.id,
                                                      visit_day=clock.today(settings.zone, data["started_at"]))
    _validate(data, files, person, agreement_id, now, settings, cadre=cadre)

    # Everything heavy happens before the first write, so no lock is held while photos decode.
    processed = photos.process_all(files, limits=settings.photos.limits, zone=settings.zone)

    lat, lon = data.get("lat"), data.get("lon")
    system = data.get("coord_system", "wgs84")
    if lat is not None:
        lat, lon = geo.to_wgs84(lat, lon, system)
    row = {
        "client_id": data["client_id"], "person_id": person.id, "caregiver_id": actor.user.id,
        "agreement_id": agreement_id, "pairing_id": getattr(person, "pairing_id", None),
        "mode": data["mode"], "started_at": data["started_at"],
        "ended_at": data.get("ended_at"), "lat": lat, "lon": lon, "accuracy_m": data.get("accuracy_m"),
        "coord_system": system, "services": data.get("services", []), "device_time": data.get("device_time"),
        "monitor_device": data.get("monitor_device"), "monitor_reading": (data.get("monitor_reading") or "").strip() or None,
        "received_at": now, "content_hash": digest,
        **{k: (data.get("observations") or {}).get(k) for k in OBSERVATION_FIELDS},
    }
    ctx = _context(session, row, person, processed, settings)
    row["exceptions"], row["exception_detail"] = verification.check(ctx, settings.rules)
    row["status"] = "exception" if row["exceptions"] else "verified"
    return person, processed, row


def _stored(session: Session, *, actor: Actor, row: dict, person, processed: list, store: PhotoStore,
            settings: Settings) -> dict:
    """What follows the visit's insert: its photos, the audit row, a proposed home, alerts; its view."""
    stored = photos.attach(session, visit_id=row["id"], photos=processed, store=store)
    audit.record(session, actor=actor, action="create", entity="visit", entity_id=row["id"], person_id=person.id,
                 detail={"status": row["status"], "exceptions": row["exceptions"]})
    if row["status"] == "verified" and person.home_lat is None:
        _maybe_propose_home(session, session.get(Person, person.id), settings)
    raised = _deterioration(session, row, person, settings) if observations_of(row) else []
    return {**row, "person_name": person.name, "village": person.village, "township": person.township,
            "observations": observations_of(row), "photos": stored,
            "reviewed_at": None, "alerts": raised, "caregiver_name": actor.user.display_name,
            "caregiver_phone": actor.user.phone,
            **_measures(row["started_at"], row["ended_at"], row["lat"], row["lon"], person)}


def deliver_urgent(session: Session, *, view: dict, settings: notify.NotifySettings) -> None:
    """Deliver now the notices of the urgent alerts a check-in raised (``view`` from
    ``create_visit``). Call it once the visit is committed; the caller commits the deliveries."""
    urgent = [a.id for a in view.get("alerts", []) if a.severity == "urgent"]
    if urgent:
        notify.deliver(session, notify.for_alerts(session, urgent), settings)


def _deterioration(session: Session, row: dict, person, settings: Settings) -> list:
    """The deterioration rules (server/alerts/rules.py) on what the caregiver saw."""
    previous = None
    if row.get("living_environment") == "dirty" or row.get("hygiene") == "poor":  # the only rule that looks back
        previous = session.execute(
            select(*[getattr(Visit, k) for k in OBSERVATION_FIELDS])
            .where(Visit.person_id == person.id, Visit.id != row["id"], Visit.started_at <= row["started_at"],
                   Visit.living_environment.is_not(None) | Visit.hygiene.is_not(None))
            .order_by(Visit.started_at.desc()).limit(1)
        ).first()
    findings = rules.on_visit(visit=row, person_name=person.name, recorded_level=person.self_care_level,
                              previous=previous._asdict() if previous else None)
    if not findings:
        return []
    village_id = session.get(Person, person.id).village_id
    return rules.raise_findings(session, findings, person_id=person.id, village_id=village_id,
                                settings=settings.alerts, now=row["received_at"])


def _validate(data: dict, files: list[bytes], person, agreement_id: int | None, now: datetime,
              settings: Settings, *, cadre: bool = False) -> None:
    if person is None:
        raise ServiceError(404, "person_not_found", errors={"person_id": ["no such person"]})
    if cadre and person.pairing_id is None:
        raise ServiceError(403, "visit_not_paired")
    if not cadre and agreement_id is None:
        raise ServiceError(403, "visit_not_assigned")
    _check_times(data, now, settings.rules)
    allowed = catalogue.PAIRING_SERVICES if cadre else catalogue.services_for(person.self_care_level)
    unknown = [s for s in data.get("services", []) if s not in allowed]
    if unknown:
        raise ServiceError(422, "services_not_in_catalogue", errors={"services": unknown}, codes=", ".join(unknown))
    if not cadre:  # a paired cadre's visit (交心谈心, 就业帮扶) may be made in any way
        elsewhere = [s for s in data.get("services", []) if s not in catalogue.services_for_mode(data["mode"])]
        if elsewhere:
            raise ServiceError(422, "services_not_for_mode", errors={"services": elsewhere},
                               services="、".join(catalogue.SERVICES[s][0] for s in elsewhere))
    if data["mode"] == "remote" and not data.get("monitor_device"):
        raise ServiceError(422, "monitor_required", errors={"monitor_device": ["a 远程监测 check names its device"]})
    if data["mode"] != "remote" and (data.get("monitor_device") or data.get("monitor_reading")):
        raise ServiceError(422, "monitor_only_remote", errors={"monitor_device": ["only a 远程监测 check has one"]})
    gps = [data.get(k) is not None for k in ("lat", "lon", "accuracy_m")]
    if any(gps) and not all(gps):
        raise ServiceError(422, "gps_incomplete", errors={"accuracy_m": ["lat, lon and accuracy_m go together"]})
    settings.photos.check_count(files)
    if data["mode"] == "home" and not files:
        raise ServiceError(422, "photo_required", errors={"photos": ["a home visit needs at least one photo"]})


def _check_times(data: dict, now: datetime, rules: verification.Rules) -> None:
    allowance = timedelta(minutes=rules.clock_skew_minutes)
    if data["started_at"] > now + allowance:
        raise ServiceError(422, "started_in_future", errors={"started_at": ["in the future"]})
    ended = data.get("ended_at")
    if ended is not None:
        if ended < data["started_at"]:
            raise ServiceError(422, "ended_before_started", errors={"ended_at": ["before started_at"]})
        if ended > now + allowance:
            raise ServiceError(422, "started_in_future", errors={"ended_at": ["in the future"]})


def _context(session: Session, row: dict, person, processed, settings: Settings) -> verification.Context:
    home = None
    # away from home (a hospital stay) the visit is where the person is, and counts (seed 000 item 7)
    away = session.scalar(select(roster.away_on(clock.today(settings.zone, row["started_at"]), person.id)))
    if person.home_lat is not None and person.home_location_state == "confirmed" and not away:
        home = (person.home_lat, person.home_lon)
    neighbours = []
    if row["lat"] is not None:
        base = select(Visit.started_at, Visit.ended_at, Visit.lat, Visit.lon).where(
            Visit.caregiver_id == row["caregiver_id"], Visit.lat.is_not(None))
        before = session.execute(base.where(Visit.started_at <= row["started_at"])
                                 .order_by(Visit.started_at.desc()).limit(1)).first()
        after = session.execute(base.where(Visit.started_at > row["started_at"])
                                .order_by(Visit.started_at).limit(1)).first()
        neighbours = [verification.Position(*v) for v in (before, after) if v]
    reused = []
    if processed:
        day_start, day_end = day_bounds(row["started_at"], settings.zone)
        same_person_same_day = (Visit.person_id == person.id) & (Visit.started_at >= day_start) & (Visit.started_at < day_end)
        candidates = select(Visit.id).where(
            or_(Visit.caregiver_id == row["caregiver_id"], Visit.person_id == person.id),
            Visit.started_at >= row["started_at"] - timedelta(days=400),
            ~same_person_same_day,
        )
        reused = photos.matching_visits(session, processed, candidates_stmt=candidates,
                                        max_bits=settings.rules.photo_match_bits)
        # the very same file on a visit to the same person that day is the same visit told twice, not reuse
        same_day_ids = set(session.scalars(select(Visit.id).where(same_person_same_day)))
        reused = [v for v in reused if v not in same_day_ids]
    return verification.Context(
        late_after_days=_late_after_days[0](session) if _late_after_days else None,
        zone=settings.zone,
        mode=row["mode"], started_at=row["started_at"], ended_at=row["ended_at"], lat=row["lat"], lon=row["lon"],
        accuracy_m=row["accuracy_m"], received_at=row["received_at"], device_time=row["device_time"], home=home,
        health=row.get("health"),
        neighbours=neighbours, photo_times=photos.taken_times(processed), reused_from=reused,
    )


def _maybe_propose_home(session: Session, person: Person, settings: Settings) -> None:
    """With no home location on record, propose one from the first verified home visits that
    agree with each other; staff confirm it (PATCH home_location_state=confirmed)."""
    if person.home_lat is not None:
        return
    rows = session.execute(
        select(Visit.lat, Visit.lon).where(
            Visit.person_id == person.id, Visit.mode == "home", Visit.status == "verified", Visit.lat.is_not(None),
            Visit.accuracy_m <= settings.rules.max_accuracy_m,
        ).order_by(Visit.started_at).limit(settings.home_proposal_visits)
    ).all()
    if len(rows) < settings.home_proposal_visits:
        return
    lat = statistics.median(r[0] for r in rows)
    lon = statistics.median(r[1] for r in rows)
    if all(geo.distance_m(lat, lon, r[0], r[1]) <= settings.rules.geofence_radius_m for r in rows):
        person.home_lat, person.home_lon, person.home_location_state = lat, lon, "proposed"
        session.add(person)
        session.flush()


def checkout(session: Session, *, actor: Actor, visit_id: int, ended_at: datetime, settings: Settings,
             now: datetime | None = None) -> Visit:
    now = now or clock.now()
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise ServiceError(404, "visit_not_found")
    if visit.caregiver_id != actor.user.id:
        raise ServiceError(403, "visit_out_of_scope")
    if visit.ended_at is not None:
        if visit.ended_at == ended_at:
            return visit
        raise ServiceError(409, "checkout_conflict")
    _check_times({"started_at": visit.started_at, "ended_at": ended_at}, now, settings.rules)
    visit.ended_at = ended_at
    was = visit.status
    if visit.status in ("verified", "exception"):
        minutes = (ended_at - visit.started_at).total_seconds() / 60
        minimum = settings.rules.min_minutes.get(visit.mode, 0)
        if minimum and minutes < minimum and "too_short" not in visit.exceptions:
            visit.exceptions = [*visit.exceptions, "too_short"]
            visit.exception_detail = {**visit.exception_detail, "duration_minutes": round(minutes, 1)}
        visit.status = "exception" if visit.exceptions else "verified"
    session.add(visit)
    audit.record(session, actor=actor, action="checkout", entity="visit", entity_id=visit.id, person_id=visit.person_id)
    session.flush()
    if visit.status != was:
        visit_decided.send(session, visit_id=visit.id, person_id=visit.person_id, started_at=visit.started_at,
                           actor=actor, zone=settings.zone, now=now, reason="visit")
    return visit


def _visible(session: Session, actor: Actor):
    user = actor.user
    stmt = select(Visit)
    if roles.checks_in(user):
        return stmt.where(Visit.caregiver_id == user.id)
    if roles.is_volunteer(user):
        raise ServiceError(403, "forbidden_role")
    if roles.is_district_admin(user):
        return stmt
    return stmt.where(Visit.person_id.in_(people.visible(session, user).with_only_columns(Person.id)))


def list_visits(session: Session, *, actor: Actor, zone: ZoneInfo, person_id: int | None = None,
                caregiver_id: int | None = None, month: tuple[int, int] | None = None,
                since_month: tuple[int, int] | None = None, status: str | None = None,
                place_id: int | None = None, exception: str | None = None, order: str = "newest",
                page: Page = Page()) -> tuple[list[Visit], str | None]:
    """A page of the visits ``actor`` may see that meet the filters, newest first — or oldest
    first (``order="oldest"``: the review queue, the longest waiting first). ``place_id``: the
    persons of a place the actor manages and under it (404 / 403 otherwise); ``exception``: the
    visits that raised it."""
    where = []
    if place_id is not None:
        place = managed_place(session, actor.user, place_id)
        where.append(Visit.person_id.in_(select(Person.id).join(Place, Place.id == Person.village_id)
                                         .where(places.subtree_filter(place))))
    if exception is not None:
        where.append(_raised(exception))
    if person_id is not None:
        where.append(Visit.person_id == person_id)
    if caregiver_id is not None:
        where.append(Visit.caregiver_id == caregiver_id)
    if month is not None:
        start, end = month_bounds(*month, zone)
        where += [Visit.started_at >= start, Visit.started_at < end]
    if since_month is not None:
        where.append(Visit.started_at >= month_bounds(*since_month, zone)[0])
    if status:
        where.append(Visit.status == status)
    if order == "oldest":
        # a queue of what waits (hundreds at most): the (status, started, id) index, forwards
        stmt = select_page(_visible(session, actor).where(*where), page, order=[Visit.started_at, Visit.id])
    else:
        stmt = _newest_first(session, actor, where, page)
    rows, after = split(list(session.scalars(stmt)), page, lambda v: (v.started_at, v.id))
    audit.record_person_reads(session, actor=actor, person_ids=[v.person_id for v in rows], action="list_visits")
    return rows, after


def _newest_first(session: Session, actor: Actor, where: list, page: Page):
    """A page of the actor's visits that meet ``where``, newest first. For township staff on
    PostgreSQL the page is gathered person by person (a LATERAL join: each of the township's
    persons' newest visits through the (person, started) index, a page's worth at most, then the
    newest of those by their keys alone, and only those read whole): a township holds a few
    hundred of a province's million persons, and walking every visit newest first until fifty of
    theirs come up read 177,000 index entries (0.9 s) at a million persons. The join to the
    township's persons is what keeps the page to the township, so the per-person select carries
    no second check of it (which had doubled the work: 13 ms against 4.5 ms with the keys alone).
    Elsewhere (the district's whole register, a caregiver's own visits, SQLite) the plain page."""
    order = [Visit.started_at, Visit.id]
    if not roles.is_township_staff(actor.user) or not on_postgresql(session):
        return select_page(_visible(session, actor).where(*where), page, order=order, descending=True)
    without_jit(session)  # a plan priced for every visit, whose work is a few hundred index probes
    persons = people.visible(session, actor.user).with_only_columns(Person.id).subquery()
    own = select_page(select(Visit.started_at, Visit.id).where(Visit.person_id == persons.c.id, *where), page,
                      order=order, descending=True).lateral("own")
    newest = select_page(select(own.c.id).select_from(persons).join(own, sa.true()), page,
                         order=[own.c.started_at, own.c.id], descending=True).subquery("newest")
    return select(Visit).join(newest, Visit.id == newest.c.id).order_by(Visit.started_at.desc(), Visit.id.desc())


def _raised(code: str) -> sa.ColumnElement[bool]:
    """The visit raised exception ``code`` (a catalogue code): the JSON list holds it as a quoted
    string, on both engines."""
    return sa.cast(Visit.exceptions, sa.Text).contains(json.dumps(code), autoescape=True)


def queue_counts(session: Session, *, actor: Actor) -> dict:
    """The review queue's size as ``actor`` sees it: the visits waiting for review per township
    (those with any), and of them how many raised each exception — one grouped query."""
    village, township = sa.orm.aliased(Place), sa.orm.aliased(Place)
    kinds = list(catalogue.EXCEPTIONS)
    rows = session.execute(
        _waiting(session, actor)
        .with_only_columns(township.id, township.name, sa.func.count(),
                           *(sa.func.count(sa.case((_raised(k), 1))) for k in kinds))
        .join(Person, Person.id == Visit.person_id).join(village, village.id == Person.village_id)
        .join(township, township.id == village.parent_id)
        .group_by(township.id, township.name).order_by(township.id)).all()
    townships = [{"place_id": r[0], "name": r[1], "pending": r[2],
                  "kinds": {k: n for k, n in zip(kinds, r[3:]) if n}} for r in rows]
    return {"pending": sum(t["pending"] for t in townships),
            "kinds": {k: n for k in kinds if (n := sum(t["kinds"].get(k, 0) for t in townships))},
            "townships": townships}


def caregiver_months(session: Session, *, actor: Actor, visits: list[Visit], zone: ZoneInfo) -> dict[int, dict]:
    """Beside each visit, its caregiver's month (the visit's, in ``zone``) as the actor may see
    it: how many visits, how many raised an exception, how many of those were rejected — what a
    reviewer weighs beside the one visit (a first exception, or the fifth this month). One query
    per month the visits fall in (a page of the review queue: one or two)."""
    days = {v.id: clock.today(zone, v.started_at) for v in visits}
    month_of = {visit_id: (day.year, day.month) for visit_id, day in days.items()}
    months: dict[tuple[int, int], set[int]] = {}
    for v in visits:
        months.setdefault(month_of[v.id], set()).add(v.caregiver_id)
    counts: dict[tuple[int, int, int], dict] = {}
    for (year, month), caregivers in months.items():
        start, end = month_bounds(year, month, zone)
        stmt = (_visible(session, actor)
                .with_only_columns(Visit.caregiver_id, Visit.status, sa.func.count())
                .where(Visit.caregiver_id.in_(caregivers), Visit.started_at >= start, Visit.started_at < end)
                .group_by(Visit.caregiver_id, Visit.status))
        for caregiver_id, status, n in session.execute(stmt):
            c = counts.setdefault((year, month, caregiver_id), {"visits": 0, "exceptions": 0, "rejected": 0})
            c["visits"] += n
            if status != "verified":  # accepted and rejected were exceptions, reviewed
                c["exceptions"] += n
            if status == "rejected":
                c["rejected"] += n
    empty = {"visits": 0, "exceptions": 0, "rejected": 0}
    return {v.id: counts.get((*month_of[v.id], v.caregiver_id), empty) for v in visits}


def _waiting(session: Session, actor: Actor) -> sa.Select:
    """Visits of the actor's area with an exception nobody has reviewed yet: the review queue."""
    return _visible(session, actor).where(Visit.status == "exception")


def waiting_for_review(session: Session, *, actor: Actor) -> int:
    return count(session, _waiting(session, actor))


def get_visit(session: Session, *, actor: Actor, visit_id: int, action: str = "read_visit") -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise ServiceError(404, "visit_not_found")
    if roles.checks_in(actor.user):
        allowed = visit.caregiver_id == actor.user.id
    elif roles.is_volunteer(actor.user):
        allowed = False
    else:
        allowed = people.can_see(session, actor.user, session.get(Person, visit.person_id))
    if not allowed:
        raise ServiceError(403, "visit_out_of_scope")
    audit.record(session, actor=actor, action=action, entity="visit", entity_id=visit.id, person_id=visit.person_id)
    return visit


def read_photo(session: Session, actor: Actor, visit_id: int, *, thumb: bool) -> None:
    """Who may read a visit's photo: who may see the visit; the read is audited like a read of it
    (registered with ``server.photos.service.register_reader``)."""
    get_visit(session, actor=actor, visit_id=visit_id, action="read_thumb" if thumb else "read_photo")


def review(session: Session, *, actor: Actor, visit_id: int, decision: str, reason_code: str,
           alert_settings: alerts_service.AlertSettings, zone: ZoneInfo, note: str | None = None,
           now: datetime | None = None) -> Visit:
    """Staff accept or reject a visit waiting for review; a month already closed hears of it
    (visit_decided: the month is closed again for the person, an amendment)."""
    visit = _managed_visit(session, actor, visit_id, status="exception", refusal="review_not_pending")
    if catalogue.REVIEW_REASONS[reason_code][0] != decision:
        raise ServiceError(422, "review_reason_mismatch", errors={"reason_code": [f"not a reason to {decision}"]})
    if not catalogue.reason_fits(reason_code, visit.exceptions):
        raise ServiceError(422, "review_reason_not_applicable", errors={"reason_code": ["does not answer this visit's exceptions"]})
    note = (note or "").strip() or None
    if reason_code in catalogue.NOTE_REQUIRED and note is None:
        raise ServiceError(422, "review_note_required", errors={"note": ["required for this reason"]})
    return _decide(session, actor=actor, visit=visit, decision=decision, reason_code=reason_code, note=note,
                   alert_settings=alert_settings, zone=zone, now=now or clock.now(), action="review")


def overturn(session: Session, *, actor: Actor, visit_id: int, reason_code: str, note: str,
             alert_settings: alerts_service.AlertSettings, zone: ZoneInfo, now: datetime) -> Visit:
    """A verified visit found untrue afterwards (a spot check's call-back, seed 003 三(四)):
    rejected with a reason that says the care was not given, with every consequence of a
    rejection on review — the fraud rule, the month counted again, the caregiver told."""
    visit = _managed_visit(session, actor, visit_id, status="verified", refusal="visit_not_verified")
    if reason_code not in rules.NOT_DONE_REASONS:
        raise ServiceError(422, "review_reason_mismatch", errors={"reason_code": ["not a reason the care was not given"]})
    return _decide(session, actor=actor, visit=visit, decision="reject", reason_code=reason_code, note=note,
                   alert_settings=alert_settings, zone=zone, now=now, action="overturn")


def _managed_visit(session: Session, actor: Actor, visit_id: int, *, status: str, refusal: str) -> Visit:
    """A visit of a person ``actor`` manages (404, 403), in ``status`` (409 ``refusal`` otherwise)."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise ServiceError(404, "visit_not_found")
    people.managed_person(session, actor, visit.person_id)
    if visit.status != status:
        raise ServiceError(409, refusal)
    return visit


def _decide(session: Session, *, actor: Actor, visit: Visit, decision: str, reason_code: str, note: str | None,
            alert_settings: alerts_service.AlertSettings, zone: ZoneInfo, now: datetime, action: str) -> Visit:
    """Staff's decision on a visit, and what follows it: a rejection as not done counts toward
    疑似虚报; a month already closed hears of it (visit_decided: closed again, an amendment)."""
    visit.status = "accepted" if decision == "accept" else "rejected"
    visit.reviewed_by = actor.user.id
    visit.reviewed_at = now
    visit.review_reason = reason_code
    visit.review_note = note
    session.add(visit)
    audit.record(session, actor=actor, action=action, entity="visit", entity_id=visit.id, person_id=visit.person_id,
                 detail={"decision": decision, "reason_code": reason_code})
    session.flush()
    if decision == "reject":
        visit_rejected.send(session, visit=visit, alert_settings=alert_settings, now=visit.reviewed_at)
    visit_decided.send(session, visit_id=visit.id, person_id=visit.person_id, started_at=visit.started_at, actor=actor,
                       zone=zone, now=visit.reviewed_at, reason="spot_check" if action == "overturn" else "review")
    return visit


def tell_caregiver_of_review(session: Session, *, visit: Visit, zone: ZoneInfo) -> list:
    """The caregiver hears how staff decided on their visit, with the reason in plain words: a
    message in their inbox (``notify.deliver`` carries it on by push or SMS)."""
    person_name = session.scalar(select(Person.name).where(Person.id == visit.person_id))
    day = visit.started_at.astimezone(zone)
    reason = catalogue.REVIEW_REASONS[visit.review_reason][1]
    key = "visit.review.accepted" if visit.status == "accepted" else "visit.review.rejected"
    note = text("visit.review.note", note=visit.review_note) if visit.review_note else ""
    return notify.notify(
        session, user_ids=[visit.caregiver_id], kind="visit_review",
        title=text(f"{key}.title", name=person_name, month=day.month, day=day.day),
        body=text(f"{key}.body", reason=reason, note=note),
        dedupe_key=f"visit-review:{visit.id}", url=f"#/person/{visit.person_id}", now=visit.reviewed_at)


VIEW_FIELDS = ("id", "client_id", "person_id", "caregiver_id", "mode", "started_at", "ended_at", "lat", "lon",
               "accuracy_m", "services", "monitor_device", "monitor_reading", "received_at", "status", "exceptions", "exception_detail", "reviewed_by",
               "reviewed_at", "review_reason", "review_note")


def observations_of(visit) -> dict | None:
    """What the caregiver saw (the columns of ``OBSERVATION_FIELDS``) of a visit, a row of one
    or its dict; None when nothing was recorded."""
    get = visit.get if isinstance(visit, dict) else lambda k: getattr(visit, k)
    obs = {k: get(k) for k in OBSERVATION_FIELDS}
    return obs if any(v is not None for v in obs.values()) else None


def views(session: Session, visits: list[Visit]) -> list[dict]:
    """Visits with their photos, person names and places, and caregivers, in a query each for the lot."""
    ids = [v.id for v in visits]
    pics = photos.photos_of(session, ids)
    person_ids = {v.person_id for v in visits}
    persons = {r.id: r for r in session.execute(
        _lives(select(Person.id, Person.name, Person.home_lat, Person.home_lon, *_WHERE))
        .where(Person.id.in_(person_ids)))} if person_ids else {}
    caregiver_ids = {v.caregiver_id for v in visits}
    caregivers = {r.id: r for r in session.execute(select(User.id, User.display_name, User.phone)
                                                   .where(User.id.in_(caregiver_ids)))} if caregiver_ids else {}
    out = []
    for v in visits:
        person, caregiver = persons.get(v.person_id), caregivers.get(v.caregiver_id)
        out.append({**{k: getattr(v, k) for k in VIEW_FIELDS}, "person_name": person.name if person else None,
                    "village": person.village if person else None, "township": person.township if person else None,
                    "photos": pics.get(v.id, []), "observations": observations_of(v),
                    "caregiver_name": caregiver.display_name if caregiver else None,
                    "caregiver_phone": caregiver.phone if caregiver else None,
                    **_measures(v.started_at, v.ended_at, v.lat, v.lon, person)})
    return out


def _measures(started_at, ended_at, lat, lon, person) -> dict:
    """What a reviewer weighs: how long the visit lasted (None while its end is not known) and
    how far from the person's home on record (confirmed or proposed) it was recorded."""
    seconds = None if ended_at is None else (ended_at - started_at).total_seconds()
    distance = None
    if lat is not None and person is not None and person.home_lat is not None:
        distance = round(geo.distance_m(lat, lon, person.home_lat, person.home_lon))
    return {"duration_minutes": None if seconds is None else round(seconds / 60, 1),
            "duration_seconds": None if seconds is None else round(seconds), "distance_from_home_m": distance}
