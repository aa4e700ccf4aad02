"""重点抽查、随机暗访 (seed 003 三(四)): each month, a random share of each township's verified
visits goes to its staff for a call-back; what the call found is recorded, and a visit found
untrue is rejected with every consequence of a rejection (visits.service.overturn).

A draw is one ``INSERT … SELECT`` for the month, whatever its size: the visits numbered in a
random order within their township, the first ⌈n × percent / 100⌉ of each taken. A township
drawn for a month is not drawn again, so the job can run twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server.alerts import rules
from server.alerts import service as alerts
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.casework.policy import policy
from server.db import UTCDateTime
from server.errors import ServiceError
from server.messages import text
from server.notify import service as notify
from server.people import service as people
from server.people.models import Person
from server.places.models import Place
from server.places.policy import managed_place
from server.reports import service as reports
from server.spotchecks.models import SpotCheck
from server.timeutil import month_bounds
from server.visits import service as visits
from server.visits.models import Visit

_VILLAGE, _TOWNSHIP = sa.orm.aliased(Place), sa.orm.aliased(Place)
_CAREGIVER = sa.orm.aliased(User)


# a spot check with what staff see of its visit: whom to call (the person, the caregiver) and what was done
_WITH_VISIT = (
    select(SpotCheck, Visit.started_at, Visit.ended_at, Visit.mode, Visit.services, Visit.status,
           Person.id.label("person_id"), Person.name.label("person_name"), Person.phone.label("person_phone"),
           _VILLAGE.name.label("village"), _TOWNSHIP.name.label("township"),
           _CAREGIVER.display_name.label("caregiver_name"), _CAREGIVER.phone.label("caregiver_phone"))
    .join(Visit, Visit.id == SpotCheck.visit_id).join(Person, Person.id == Visit.person_id)
    .join(_VILLAGE, _VILLAGE.id == Person.village_id).join(_TOWNSHIP, _TOWNSHIP.id == SpotCheck.township_id)
    .join(_CAREGIVER, _CAREGIVER.id == Visit.caregiver_id)
)


def label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def draw(session: Session, *, year: int, month: int, zone: ZoneInfo, now: datetime) -> dict:
    """Draw the month's spot checks (the district's ``spot_check_percent`` of each township's
    verified caregiver visits of that month) and tell each township's staff how many wait."""
    percent = policy(session).spot_check_percent
    month_label = label(year, month)
    if percent <= 0:
        return {"month": month_label, "percent": 0, "drawn": 0}
    start, end = month_bounds(year, month, zone)
    township = _VILLAGE.parent_id
    drawn_before = set(session.scalars(select(SpotCheck.township_id).where(SpotCheck.month == month_label).distinct()))
    pool = (
        select(Visit.id.label("visit_id"), township.label("township_id"),
               sa.func.row_number().over(partition_by=township, order_by=sa.func.random()).label("k"),
               sa.func.count().over(partition_by=township).label("n"))
        .join(Person, Person.id == Visit.person_id).join(_VILLAGE, _VILLAGE.id == Person.village_id)
        # a caregiver's visits (a paired cadre's are not the care subsidy's evidence), as verified
        .where(Visit.status == "verified", Visit.agreement_id.is_not(None), Visit.started_at >= start,
               Visit.started_at < end, township.not_in(drawn_before or [-1]))
        .subquery()
    )
    taken = select(pool.c.visit_id, pool.c.township_id, sa.literal(month_label), sa.literal(percent),
                   sa.literal(now, UTCDateTime())).where(pool.c.k <= (pool.c.n * percent + 99) / 100)
    session.execute(sa.insert(SpotCheck).from_select(["visit_id", "township_id", "month", "percent", "drawn_at"], taken))
    drawn, told = 0, 0
    for township_id, n in session.execute(select(SpotCheck.township_id, sa.func.count())
                                          .where(SpotCheck.month == month_label).group_by(SpotCheck.township_id)):
        if township_id in drawn_before:
            continue
        drawn += n
        told += len(notify.notify(session, user_ids=alerts.staff_of(session, township_id), kind="spot_check",
                                  title=text("spot_check.title", month=f"{year}年{month}月"),
                                  body=text("spot_check.body", month=f"{year}年{month}月", count=n, percent=percent),
                                  dedupe_key=f"spot-check:{month_label}:{township_id}", url="/#/spot-checks", now=now))
    return {"month": month_label, "percent": percent, "drawn": drawn, "notified": told}


def _township_scope(session: Session, actor: Actor, place_id: int | None) -> list:
    """Which spot checks ``actor`` may see: those of the township asked for (one they manage), of
    their own township (staff), or all (a district admin)."""
    if place_id is not None:
        place = managed_place(session, actor.user, place_id)
        if place.level != "township":
            raise ServiceError(422, "spot_check_township_only", errors={"place_id": ["a township"]})
        return [SpotCheck.township_id == place.id]
    if roles.is_district_admin(actor.user):
        return []
    return [SpotCheck.township_id == actor.user.place_id]


def listing(session: Session, *, actor: Actor, year: int, month: int, place_id: int | None = None) -> dict:
    """A month's spot checks that ``actor`` may see, the ones not yet called back first: each with
    the visit, whom to call (the person and the caregiver) and what was found; and per township,
    how many were drawn, called back and found untrue. Each person shown is a read of their
    record, audited."""
    scope = _township_scope(session, actor, place_id)
    month_label = label(year, month)
    rows = session.execute(_WITH_VISIT.where(SpotCheck.month == month_label, *scope)
                           .order_by(SpotCheck.outcome.is_not(None), _TOWNSHIP.name, Visit.started_at, SpotCheck.id)).all()
    for r in rows:
        audit.record(session, actor=actor, action="read_spot_check", entity="spot_check", entity_id=r.SpotCheck.id,
                     person_id=r.person_id)
    by_township = session.execute(
        select(SpotCheck.township_id, _TOWNSHIP.name, sa.func.count(),
               sa.func.count(SpotCheck.outcome), sa.func.count(sa.case((SpotCheck.outcome == "false", 1))))
        .join(_TOWNSHIP, _TOWNSHIP.id == SpotCheck.township_id)
        .where(SpotCheck.month == month_label, *scope)
        .group_by(SpotCheck.township_id, _TOWNSHIP.name).order_by(_TOWNSHIP.name)
    ).all()
    return {
        "month": month_label,
        # the share it was drawn at (None: nothing drawn that month)
        "percent": session.scalar(select(sa.func.max(SpotCheck.percent)).where(SpotCheck.month == month_label, *scope)),
        "townships": [{"place_id": t, "name": name, "drawn": n, "checked": checked, "untrue": untrue}
                      for t, name, n, checked, untrue in by_township],
        "checks": [_view(r.SpotCheck, r) for r in rows],
    }


def one(session: Session, *, check_id: int) -> dict:
    """A spot check as ``listing`` shows it (after it was recorded)."""
    r = session.execute(_WITH_VISIT.where(SpotCheck.id == check_id)).one()
    return _view(r.SpotCheck, r)


def _view(check: SpotCheck, r) -> dict:
    return {"id": check.id, "visit_id": check.visit_id, "month": check.month, "township_id": check.township_id,
            "outcome": check.outcome, "reason": check.reason, "note": check.note, "checked_at": check.checked_at,
            "person_id": r.person_id, "person_name": r.person_name, "person_phone": r.person_phone,
            "village": r.village, "township": r.township, "caregiver_name": r.caregiver_name,
            "caregiver_phone": r.caregiver_phone, "started_at": r.started_at, "ended_at": r.ended_at,
            "mode": r.mode, "services": r.services, "visit_status": r.status}


def record(session: Session, *, actor: Actor, check_id: int, outcome: str, reason: str | None, note: str | None,
           alert_settings: alerts.AlertSettings, zone: ZoneInfo, now: datetime) -> tuple[SpotCheck, Visit | None]:
    """What the call-back found: 属实 (``true``), or 不属实 (``false``: the not-done ``reason`` and a
    ``note`` are required, and the visit is rejected — visits.service.overturn). Recorded once.
    Returns the check and, when it was overturned, the visit (its caregiver is to be told)."""
    check = session.get(SpotCheck, check_id)
    if check is None:
        raise ServiceError(404, "spot_check_not_found")
    visit = session.get(Visit, check.visit_id)
    people.managed_person(session, actor, visit.person_id)
    if check.outcome is not None:
        raise ServiceError(409, "spot_check_done")
    note = (note or "").strip() or None
    overturned = None
    if outcome == "false":
        errors = {}
        if reason not in rules.NOT_DONE_REASONS:
            errors["reason"] = ["not_at_home or service_not_done"]
        if note is None:
            errors["note"] = ["what the call-back found"]
        if errors:
            raise ServiceError(422, "spot_check_untrue_needs", errors=errors)
        overturned = visits.overturn(session, actor=actor, visit_id=visit.id, reason_code=reason, note=note,
                                     alert_settings=alert_settings, zone=zone, now=now)
    check.outcome, check.reason, check.note = outcome, reason if outcome == "false" else None, note
    check.checked_by, check.checked_at = actor.user.id, now
    session.add(check)
    audit.record(session, actor=actor, action="spot_check", entity="spot_check", entity_id=check.id,
                 person_id=visit.person_id, detail={"outcome": outcome, "reason": check.reason})
    session.flush()
    return check, overturned


@reports.counts_badge("spot_checks")
def pending_count(session: Session, *, actor: Actor) -> int:
    """Spot checks not yet called back that ``actor`` may see (any month): the staff home's badge."""
    return session.scalar(select(sa.func.count()).select_from(SpotCheck)
                          .where(SpotCheck.outcome.is_(None), *_township_scope(session, actor, None))) or 0
