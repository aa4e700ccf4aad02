"""Visit quotas, and progress against them: a caregiver's persons, a township's villages."""

from __future__ import annotations

import math
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Select, and_, case, func, select
from sqlmodel import Session

from server import clock
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.models import User
from server.auth.policy import managed_place
from server.care.models import CareAgreement
from server.people.models import Person
from server.places import service as places
from server.places.models import Place
from server.quotas.models import DEFAULT_QUOTAS, QuotaPolicy, SchedulePolicy
from server.timeutil import month_bounds
from server.visits.models import COUNTS_AS_VERIFIED, Visit


def policies(session: Session) -> dict[str, QuotaPolicy]:
    found = {p.self_care_level: p for p in session.scalars(select(QuotaPolicy))}
    for level, (visits, gap) in DEFAULT_QUOTAS.items():
        found.setdefault(level, QuotaPolicy(self_care_level=level, visits_per_month=visits, max_gap_days=gap))
    return found


def update(session: Session, *, actor: Actor, level: str, visits_per_month: int, max_gap_days: int) -> QuotaPolicy:
    policy = session.get(QuotaPolicy, level) or QuotaPolicy(self_care_level=level, visits_per_month=0, max_gap_days=0)
    policy.visits_per_month, policy.max_gap_days = visits_per_month, max_gap_days
    policy.updated_by, policy.updated_at = actor.user.id, clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="quota", detail={
        "level": level, "visits_per_month": visits_per_month, "max_gap_days": max_gap_days})
    return policy


def schedule(session: Session) -> SchedulePolicy:
    return session.get(SchedulePolicy, 1) or SchedulePolicy(id=1)


def update_schedule(session: Session, *, actor: Actor, **values) -> SchedulePolicy:
    policy = schedule(session)
    for key, value in values.items():
        setattr(policy, key, value)
    policy.updated_at = clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="schedule", detail=values)
    return policy


def quota_met(quotas: dict[str, QuotaPolicy], row) -> bool:
    """达标: a monthly_coverage row whose visits counting toward the quota reach its level's quota."""
    return row.quota_visits >= quotas[row.self_care_level].visits_per_month


def expected_by(quota: int, local: datetime) -> int:
    """Visits a month's quota asks for by this local day, at an even pace."""
    return math.floor(quota * local.day / monthrange(local.year, local.month)[1])


# --- what counts -----------------------------------------------------------------------------------


def _started_in(start: datetime, end: datetime):
    return (Visit.started_at >= start) & (Visit.started_at < end)


def counts_toward_quota(start: datetime | None = None, end: datetime | None = None):
    """The one rule for a visit that counts toward the quota: a verified home visit — started in
    [start, end) when they are given (a month, as month_bounds gives it)."""
    rule = (Visit.mode == "home") & Visit.status.in_(COUNTS_AS_VERIFIED)
    return rule if start is None else rule & _started_in(start, end)


def verified_in(start: datetime, end: datetime):
    """A verified visit of any mode started in [start, end): what makes a person "visited" in coverage."""
    return Visit.status.in_(COUNTS_AS_VERIFIED) & _started_in(start, end)


def monthly_coverage(*, place: Place, start: datetime, end: datetime) -> Select:
    """The one coverage query: a row per person under ``place`` on the home-care register (active,
    decentralised) for the month [start, end), with their village (id, name, path), township
    name, self-care level, ``visits`` (verified, any mode) and ``quota_visits`` (those counting
    toward the quota). Run it for the rows, or aggregate over it as a subquery."""
    per_person = (
        select(Visit.person_id, func.count().label("visits"),
               func.count(case((counts_toward_quota(start, end), Visit.id))).label("quota_visits"))
        .where(verified_in(start, end)).group_by(Visit.person_id).subquery()
    )
    township = sa.orm.aliased(Place)
    return (
        select(Person.id.label("person_id"), Person.self_care_level, Place.id.label("village_id"),
               Place.name.label("village"), Place.path, township.name.label("township"),
               func.coalesce(per_person.c.visits, 0).label("visits"),
               func.coalesce(per_person.c.quota_visits, 0).label("quota_visits"))
        .join(Place, Place.id == Person.village_id)
        .outerjoin(township, township.id == Place.parent_id)
        .outerjoin(per_person, per_person.c.person_id == Person.id)
        .where(places.subtree_filter(place), Person.status == "active", Person.support_mode == "decentralised")
    )


def coverage_totals(session: Session, *, place: Place, start: datetime, end: datetime) -> tuple[int, int]:
    """Persons on the register under ``place`` and those visited in [start, end): monthly_coverage
    counted in the database."""
    per_person = monthly_coverage(place=place, start=start, end=end).subquery()
    return tuple(session.execute(select(func.count(), func.count(case((per_person.c.visits > 0, 1))))
                                 .select_from(per_person)).one())


@dataclass(frozen=True)
class Progress:
    person_id: int
    name: str
    village_id: int
    village_name: str
    self_care_level: str
    done: int
    quota: int
    expected_by_today: int
    last_visit_at: datetime | None
    days_since_last: int | None
    overdue: bool


def caregiver_progress(session: Session, *, actor: Actor, zone: ZoneInfo, now: datetime | None = None) -> list[Progress]:
    """The caregiver's persons this month, the most urgent first: overdue (past the longest gap,
    or never visited), then furthest behind the month's pace."""
    now = now or clock.now()
    local = now.astimezone(zone)
    start, end = month_bounds(local.year, local.month, zone)
    rows = session.execute(
        select(Person.id, Person.name, Person.village_id, Place.name, Person.self_care_level,
               func.count(case((counts_toward_quota(start, end), Visit.id))),
               func.max(case((counts_toward_quota(), Visit.started_at))))
        .join(CareAgreement, (CareAgreement.person_id == Person.id) & (CareAgreement.status == "active"))
        .join(Place, Place.id == Person.village_id)
        .outerjoin(Visit, Visit.person_id == Person.id)
        .where(CareAgreement.caregiver_id == actor.user.id, Person.status == "active")
        .group_by(Person.id, Person.name, Person.village_id, Place.name, Person.self_care_level)
    ).all()
    quotas = policies(session)
    out = []
    for pid, name, village_id, village_name, level, done, last in rows:
        q = quotas[level]
        since = (now - last).days if last else None
        expected = expected_by(q.visits_per_month, local)
        out.append(Progress(pid, name, village_id, village_name, level, done, q.visits_per_month, expected, last, since,
                            overdue=since is None or since > q.max_gap_days))
    audit.record_person_reads(session, actor=actor, person_ids=[p.person_id for p in out], action="progress")
    return sorted(out, key=lambda p: (not p.overdue, p.done - p.expected_by_today, p.done / max(p.quota, 1), p.person_id))


def coverage(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
             trend_months: int = 6) -> dict:
    """This month's coverage under a place, by its child places (villages of a township,
    townships of a district): active people under decentralised support, those with at least
    one verified visit, and those whose home-visit quota is met; with a monthly trend."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    children = {c.id: c for c in places.children(session, parent_id=place.id)}
    quotas = policies(session)

    def child_of(path: str) -> int | None:
        ids = [int(x) for x in path.strip("/").split("/")]
        here = ids.index(place.id)
        return ids[here + 1] if here + 1 < len(ids) else None

    rows = {cid: {"place_id": cid, "name": c.name, "active": 0, "visited": 0, "quota_met": 0} for cid, c in children.items()}
    total = {"active": 0, "visited": 0, "quota_met": 0}
    start, end = month_bounds(year, month, zone)
    for r in session.execute(monthly_coverage(place=place, start=start, end=end)):
        cid = child_of(r.path)
        target = [total] + ([rows[cid]] if cid in rows else [])
        for t in target:
            t["active"] += 1
            t["visited"] += 1 if r.visits else 0
            t["quota_met"] += 1 if quota_met(quotas, r) else 0
    trend = []
    y, m = year, month
    for _ in range(trend_months):
        start, end = month_bounds(y, m, zone)
        active, visited = coverage_totals(session, place=place, start=start, end=end)
        trend.append({"month": f"{y:04d}-{m:02d}", "active": active, "visited": visited})
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return {"place_id": place.id, "name": place.name, "month": f"{year:04d}-{month:02d}",
            "children": sorted(rows.values(), key=lambda r: r["place_id"]), "total": total, "trend": trend[::-1]}


# --- who is behind -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Behind:
    caregiver_id: int
    name: str
    done: int
    quota: int


def behind_pace(session: Session, *, now: datetime, zone: ZoneInfo) -> list[Behind]:
    """Persons under an active agreement whose visits this month (by anyone) fall short of the
    month's even pace by ``now``, with their caregiver."""
    local = now.astimezone(zone)
    start, end = month_bounds(local.year, local.month, zone)
    rows = session.execute(
        select(CareAgreement.caregiver_id, Person.name, Person.self_care_level,
               func.count(case((counts_toward_quota(start, end), Visit.id))))
        .join(Person, Person.id == CareAgreement.person_id)
        .outerjoin(Visit, Visit.person_id == Person.id)
        .where(CareAgreement.status == "active", Person.status == "active")
        .group_by(CareAgreement.caregiver_id, Person.id, Person.name, Person.self_care_level)
    ).all()
    policy = policies(session)
    return [Behind(caregiver_id, name, done, policy[level].visits_per_month)
            for caregiver_id, name, level, done in rows
            if done < expected_by(policy[level].visits_per_month, local)]


@dataclass(frozen=True)
class Gap:
    person_id: int
    name: str
    village_id: int
    last_visit_at: datetime | None
    max_gap_days: int


def visit_gaps(session: Session, *, now: datetime) -> list[Gap]:
    """Persons under an active agreement whose last verified home visit is older than their
    level's longest allowed gap at ``now`` — or who had none since an agreement begun that long ago."""
    last = (select(Visit.person_id, func.max(Visit.started_at).label("last"))
            .where(counts_toward_quota()).group_by(Visit.person_id).subquery())
    gaps = []
    for level, rule in policies(session).items():
        cutoff = now - timedelta(days=rule.max_gap_days)
        rows = session.execute(
            select(Person.id, Person.name, Person.village_id, last.c.last)
            .join(CareAgreement, and_(CareAgreement.person_id == Person.id, CareAgreement.status == "active"))
            .outerjoin(last, last.c.person_id == Person.id)
            .where(Person.status == "active", Person.self_care_level == level,
                   sa.or_(last.c.last < cutoff, and_(last.c.last.is_(None), CareAgreement.start_on < cutoff.date())))
        ).all()
        gaps += [Gap(pid, name, village_id, last_at, rule.max_gap_days) for pid, name, village_id, last_at in rows]
    return gaps


# --- who has not been visited ------------------------------------------------------------------------


def persons_coverage(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
                     unvisited_only: bool = True) -> dict:
    """The persons on the register under a place in a month (monthly_coverage's rows), the
    unvisited first — or only them — with their village, phone and active caregiver (name and
    phone), so staff can call. Each is a read of the person's record, audited."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    start, end = month_bounds(year, month, zone)
    rows = monthly_coverage(place=place, start=start, end=end).subquery()
    stmt = (select(rows, Person.name, Person.phone, User.display_name.label("caregiver_name"),
                   User.phone.label("caregiver_phone"))
            .join(Person, Person.id == rows.c.person_id)
            .outerjoin(CareAgreement, (CareAgreement.person_id == Person.id) & (CareAgreement.status == "active"))
            .outerjoin(User, User.id == CareAgreement.caregiver_id))
    if unvisited_only:
        stmt = stmt.where(rows.c.visits == 0)
    quotas = policies(session)
    out = []
    for r in session.execute(stmt.order_by(rows.c.visits, rows.c.village, Person.name, Person.id)):
        out.append({"person_id": r.person_id, "name": r.name, "phone": r.phone, "village_id": r.village_id,
                    "village": r.village, "township": r.township, "self_care_level": r.self_care_level,
                    "visits": r.visits, "quota_visits": r.quota_visits,
                    "quota": quotas[r.self_care_level].visits_per_month,
                    "quota_met": quota_met(quotas, r),
                    "caregiver_name": r.caregiver_name, "caregiver_phone": r.caregiver_phone})
    audit.record_person_reads(session, actor=actor, person_ids=[p["person_id"] for p in out], action="coverage_persons")
    return {"place_id": place.id, "name": place.name, "level": place.level, "month": f"{year:04d}-{month:02d}",
            "persons": out}
