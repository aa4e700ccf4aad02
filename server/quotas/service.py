"""Visit quotas, and progress against them: a caregiver's persons, a township's villages."""

from __future__ import annotations

import math
from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlmodel import Session

from server import clock
from server.audit import service as audit
from server.auth.actor import Actor
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


def expected_by(quota: int, local: datetime) -> int:
    """Visits a month's quota asks for by this local day, at an even pace."""
    return math.floor(quota * local.day / monthrange(local.year, local.month)[1])


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


def _verified_home(month_start, month_end):
    verified = (Visit.mode == "home") & Visit.status.in_(COUNTS_AS_VERIFIED)
    in_month = verified & (Visit.started_at >= month_start) & (Visit.started_at < month_end)
    return verified, in_month


def caregiver_progress(session: Session, *, actor: Actor, zone: ZoneInfo, now: datetime | None = None) -> list[Progress]:
    """The caregiver's persons this month, the most urgent first: overdue (past the longest gap,
    or never visited), then furthest behind the month's pace."""
    now = now or clock.now()
    local = now.astimezone(zone)
    start, end = month_bounds(local.year, local.month, zone)
    verified, in_month = _verified_home(start, end)
    rows = session.execute(
        select(Person.id, Person.name, Person.village_id, Place.name, Person.self_care_level,
               func.count(case((in_month, Visit.id))), func.max(case((verified, Visit.started_at))))
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

    def month_rows(y, m):
        start, end = month_bounds(y, m, zone)
        verified = Visit.status.in_(COUNTS_AS_VERIFIED) & (Visit.started_at >= start) & (Visit.started_at < end)
        per_person = (
            select(Visit.person_id.label("pid"), func.count().label("visits"),
                   func.sum(case((Visit.mode == "home", 1), else_=0)).label("home"))
            .where(verified).group_by(Visit.person_id).subquery()
        )
        return session.execute(
            select(Place.path, Person.self_care_level, per_person.c.visits, per_person.c.home)
            .join(Place, Place.id == Person.village_id)
            .outerjoin(per_person, per_person.c.pid == Person.id)
            .where(places.subtree_filter(place), Person.status == "active", Person.support_mode == "decentralised")
        ).all()

    def child_of(path: str) -> int | None:
        ids = [int(x) for x in path.strip("/").split("/")]
        here = ids.index(place.id)
        return ids[here + 1] if here + 1 < len(ids) else None

    rows = {cid: {"place_id": cid, "name": c.name, "active": 0, "visited": 0, "quota_met": 0} for cid, c in children.items()}
    total = {"active": 0, "visited": 0, "quota_met": 0}
    for path, level, visits, home in month_rows(year, month):
        cid = child_of(path)
        target = [total] + ([rows[cid]] if cid in rows else [])
        for t in target:
            t["active"] += 1
            t["visited"] += 1 if visits else 0
            t["quota_met"] += 1 if (home or 0) >= quotas[level].visits_per_month else 0
    trend = []
    y, m = year, month
    for _ in range(trend_months):
        data = month_rows(y, m)
        active = len(data)
        visited = sum(1 for r in data if r[2])
        trend.append({"month": f"{y:04d}-{m:02d}", "active": active, "visited": visited})
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return {"place_id": place.id, "name": place.name, "month": f"{year:04d}-{month:02d}",
            "children": sorted(rows.values(), key=lambda r: r["place_id"]), "total": total, "trend": trend[::-1]}
