"""Absences from home (seed 000 item 7: 住院期间照料): a hospital stay, or a stay with family
elsewhere, from one local day to another. While a person is away the gap watch is suspended
(server/quotas/service.visit_gaps), a visit where they are counts (no geofence around an empty
home, server/visits/service._context), and the month's quota is prorated over the days they were
at home and on the roster (roster.prorated, server/quotas/month.py). Staff record what the
township paid from the 住院照料护理补贴 budget — 240 元 a person a year, handed to the townships at
the start of the year (seed 000 item 7) — and the report sets it against that budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlmodel import Session

from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.errors import ServiceError
from server.messages import text
from server.people import roster
from server.people import service as people
from server.people.events import absence_changed
from server.people.models import ABSENCE_KINDS, Absence, Person, PersonExit
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place

# 住院照料护理补贴: 特困人员每人每年240元, 下达镇街统筹安排使用 (seed 000 item 7).
HOSPITAL_CARE_YUAN_PER_PERSON_YEAR = 240


# --- recording --------------------------------------------------------------------------------------


def _guard(session: Session, actor: Actor, person_id: int) -> Person:
    """Staff of the person's place, or the caregiver under an active agreement with them."""
    if roles.is_staff(actor.user):
        return people.managed_person(session, actor, person_id)
    if roles.is_caregiver(actor.user):
        return people.visible_person(session, actor, person_id)
    people.find_person(session, person_id)
    raise ServiceError(403, "forbidden_role")


def _check(session: Session, person: Person, *, kind: str, start_on: date, end_on: date,
           care_subsidy_yuan: int | None, today: date, exclude: int | None = None) -> None:
    if kind not in ABSENCE_KINDS:
        raise ServiceError(422, "validation", errors={"kind": [f"one of {', '.join(ABSENCE_KINDS)}"]})
    if start_on > today:
        raise ServiceError(422, "date_in_future", errors={"start_on": ["cannot be in the future"]})
    if end_on < start_on:
        raise ServiceError(422, "end_before_start", errors={"end_on": ["before start_on"]})
    if care_subsidy_yuan is not None and (kind != "hospital" or care_subsidy_yuan < 0):
        raise ServiceError(422, "validation", errors={"care_subsidy_yuan": ["for a hospital stay, 0 or more"]})
    left = session.scalar(select(PersonExit.exited_on).where(PersonExit.person_id == person.id))
    if left is not None and start_on > left:
        raise ServiceError(422, "absence_outside_roster", errors={"start_on": ["after the person left the roster"]})
    clash = select(Absence.id).where(Absence.person_id == person.id, Absence.start_on <= end_on,
                                     Absence.end_on >= start_on)
    if exclude is not None:
        clash = clash.where(Absence.id != exclude)
    if session.scalar(clash) is not None:
        raise ServiceError(409, "absence_overlap")


def record_absence(session: Session, *, actor: Actor, person_id: int, kind: str, start_on: date, end_on: date,
                   today: date, zone: ZoneInfo, now: datetime, note: str | None = None,
                   care_subsidy_yuan: int | None = None) -> Absence:
    """Staff, or the person's caregiver, record a stay away from home; only staff record what the
    township paid for care during it. A closed month the stay touches hears of it
    (absence_changed: the person's month is closed again, an amendment)."""
    person = _guard(session, actor, person_id)
    if care_subsidy_yuan is not None and not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    _check(session, person, kind=kind, start_on=start_on, end_on=end_on, care_subsidy_yuan=care_subsidy_yuan,
           today=today)
    absence = Absence(person_id=person.id, kind=kind, start_on=start_on, end_on=end_on, note=note,
                      care_subsidy_yuan=care_subsidy_yuan, recorded_by=actor.user.id)
    session.add(absence)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="absence", entity_id=absence.id, person_id=person.id,
                 detail={"kind": kind, "start_on": start_on.isoformat(), "end_on": end_on.isoformat()})
    absence_changed.send(session, person_id=person.id, first=start_on, last=end_on, absence_id=absence.id, actor=actor,
                         zone=zone, now=now)
    return absence


def update_absence(session: Session, *, actor: Actor, absence_id: int, changes: dict, today: date, zone: ZoneInfo,
                   now: datetime) -> Absence:
    """Change the last day (the person came home earlier or later), or — staff only — what was paid."""
    absence = session.get(Absence, absence_id)
    if absence is None:
        raise ServiceError(404, "absence_not_found")
    person = _guard(session, actor, absence.person_id)
    if "care_subsidy_yuan" in changes and not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    merged = {"kind": absence.kind, "start_on": absence.start_on, "end_on": absence.end_on,
              "care_subsidy_yuan": absence.care_subsidy_yuan, **changes}
    _check(session, person, today=today, exclude=absence.id, **merged)
    first, last = min(absence.start_on, merged["start_on"]), max(absence.end_on, merged["end_on"])
    for key, value in changes.items():
        setattr(absence, key, value)
    session.add(absence)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="absence", entity_id=absence.id, person_id=person.id,
                 detail={k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items()})
    absence_changed.send(session, person_id=person.id, first=first, last=last, absence_id=absence.id, actor=actor,
                         zone=zone, now=now)
    return absence


def list_absences(session: Session, *, actor: Actor, person_id: int) -> list[Absence]:
    person = _guard(session, actor, person_id)
    rows = list(session.scalars(select(Absence).where(Absence.person_id == person.id)
                                .order_by(Absence.start_on.desc())))
    audit.record(session, actor=actor, action="read", entity="absences", person_id=person.id)
    return rows


# --- the report -------------------------------------------------------------------------------------


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list]

    def as_dict(self) -> dict:
        return {"title": self.title, "headers": self.headers, "rows": self.rows}


def _days_in(start: date, end: date, first: date, last: date) -> int:
    return max(0, (min(end, last) - max(start, first)).days + 1)


def hospital_days(session: Session, *, actor: Actor, place_id: int | None, year: int) -> Table:
    """Hospital days per person in the year (住院天数), with what was paid for their care."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    place = managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)
    first, last = date(year, 1, 1), date(year, 12, 31)
    village, township = Place, sa.orm.aliased(Place)
    stays = session.execute(
        select(Person.id, township.name, village.name, Person.name, Absence.start_on, Absence.end_on,
               Absence.care_subsidy_yuan)
        .join(Person, Person.id == Absence.person_id)
        .join(village, village.id == Person.village_id)
        .join(township, township.id == village.parent_id)
        .where(places.subtree_filter(place), Absence.kind == "hospital", Absence.start_on <= last,
               Absence.end_on >= first)
        .order_by(village.path, Person.id)
    ).all()
    per: dict[int, list] = {}
    for pid, tname, vname, name, start, end, paid in stays:
        row = per.setdefault(pid, [tname, vname, name, 0, 0, 0])
        row[3] += 1
        row[4] += _days_in(start, end, first, last)
        row[5] += paid or 0
    audit.record_person_reads(session, actor=actor, person_ids=list(per), action="report_hospital_days")
    return Table(title=text("report.hospital_days", place=place.name, year=year),
                 headers=["乡镇（街道）", "村（居）", "姓名", "住院次数", "住院天数", "照料护理补贴（元）"],
                 rows=list(per.values()))


def hospital_budget(session: Session, *, actor: Actor, place_id: int | None, year: int, zone: ZoneInfo) -> Table:
    """The year's 住院照料护理补贴 per township: 240 元 × the 特困人员 under home care on its roster in
    the year, against what was paid for care during hospital stays that began in the year."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    place = managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)
    if place.level == "district":
        townships = list(session.scalars(select(Place).where(Place.parent_id == place.id).order_by(Place.id)))
    elif place.level == "township":
        townships = [place]
    else:
        raise ServiceError(422, "validation", errors={"place_id": ["a district or a township"]})
    first, last = date(year, 1, 1), date(year, 12, 31)
    village = sa.orm.aliased(Place)
    persons = dict(session.execute(
        select(village.parent_id, func.count(Person.id)).join(village, village.id == Person.village_id)
        .where(village.parent_id.in_([t.id for t in townships]), Person.assistance_category == "tekun",
               roster.in_roster(first, last))
        .group_by(village.parent_id)).all())
    used = dict(session.execute(
        select(village.parent_id, func.coalesce(func.sum(Absence.care_subsidy_yuan), 0))
        .join(Person, Person.id == Absence.person_id).join(village, village.id == Person.village_id)
        .where(village.parent_id.in_([t.id for t in townships]), Absence.kind == "hospital",
               Absence.start_on >= first, Absence.start_on <= last)
        .group_by(village.parent_id)).all())
    days = {}
    for tid, start, end in session.execute(
            select(village.parent_id, Absence.start_on, Absence.end_on)
            .join(Person, Person.id == Absence.person_id).join(village, village.id == Person.village_id)
            .where(village.parent_id.in_([t.id for t in townships]), Absence.kind == "hospital",
                   Absence.start_on <= last, Absence.end_on >= first)):
        days[tid] = days.get(tid, 0) + _days_in(start, end, first, last)
    rows = []
    for t in townships:
        budget = HOSPITAL_CARE_YUAN_PER_PERSON_YEAR * persons.get(t.id, 0)
        spent = int(used.get(t.id, 0))
        rows.append([t.name, persons.get(t.id, 0), budget, days.get(t.id, 0), spent, budget - spent])
    if len(rows) > 1:
        rows.append(["合计"] + [sum(r[i] for r in rows) for i in range(1, 6)])
    return Table(title=text("report.hospital_budget", place=place.name, year=year),
                 headers=["乡镇（街道）", "特困人员数", "预算（元，240元/人/年）", "住院天数", "已使用（元）", "结余（元）"],
                 rows=rows)
