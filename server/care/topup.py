"""The care subsidies seed 000 item 7 sets in money, kept by district admins in the app, and the
monthly report of the care-home top-up.

Seed 000 item 7 (落实照料护理政策): 按照特困人员每人每年240元标准下达镇街统筹安排使用，解决特困人员住院期间的
照料护理难的问题 (the 住院照料护理补贴, a yearly budget per person handed to the townships); 引导动员失能、
半失能、高龄特困人员入住敬老院，区财政按照失能、半失能特困人员分别给予500元、200元每人每月补助敬老院 (the
top-up a care home gets for each fully or partly disabled resident, every month).

The amounts are versioned like the visit quota: a change applies from a month a district admin
chooses (this one or a later one), so a past month's report prints the amounts of its own month
whatever was decided since. A resident counts in every month they lived in the home for a day or
more (CareResidence, start and end dates), at their self-care level at that month's end (the
caller's ``levels``: the latest assessment, else the person's level); the seed gives no rule for
part of a month, so the report shows the dates and the home's staff judge. A closed month reads
what the month close wrote of it (CareMonth, CareTopupMonth: server/care/record.py).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel

from server import clock
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.care.models import CareHome, CareMonth, CareResidence, CareTopupMonth
from server.db import UTCDateTime
from server.errors import ServiceError, message
from server.messages import month_note, text
from server.people.models import Person
from server.places.models import Place, subtree_filter
from server.places.policy import managed_place
from server.tables import Report

# seed 000 item 7: 住院照料护理补贴 按照特困人员每人每年240元; 敬老院补助 失能、半失能特困人员分别 500元、200元每人每月
DEFAULTS = {"hospital_care_per_year": 240, "topup_fully_disabled": 500, "topup_partly_disabled": 200}
FIELDS = tuple(DEFAULTS)
TOPUP_FIELD = {"fully_disabled": "topup_fully_disabled", "partly_disabled": "topup_partly_disabled"}
LEVEL_ZH = {"self_care": "自理", "partly_disabled": "半失能", "fully_disabled": "失能"}
HORIZON_MONTHS = 12  # how far ahead a change may be set: a year's budget


class CareSubsidyPolicy(SQLModel, table=True):
    """A version of the care subsidies (seed 000 item 7), in force from ``effective_month``
    (YYYY-MM) until the next version; none in force: the seed's amounts (DEFAULTS). Yuan:
    ``hospital_care_per_year`` 住院照料护理补贴 a person a year; ``topup_fully_disabled`` /
    ``topup_partly_disabled`` 敬老院补助 a resident a month. ``updated_by``, ``updated_at``: who saved
    this version, and when."""

    id: int | None = Field(default=None, primary_key=True)
    effective_month: str = Field(max_length=7, unique=True)
    hospital_care_per_year: int
    topup_fully_disabled: int
    topup_partly_disabled: int
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


def label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def in_force(session: Session, month: str) -> CareSubsidyPolicy:
    """The version in force in ``month`` (YYYY-MM): the latest from that month or before; the seed's
    amounts (never saved: no id) when there is none."""
    found = session.scalar(select(CareSubsidyPolicy).where(CareSubsidyPolicy.effective_month <= month)
                           .order_by(CareSubsidyPolicy.effective_month.desc()).limit(1))
    return found or CareSubsidyPolicy(effective_month="", **DEFAULTS)


def update(session: Session, *, actor: Actor, effective_month: str, today: date, now: datetime | None = None,
           **values) -> CareSubsidyPolicy:
    """A district admin sets the amounts from ``effective_month`` on: this month or one of the next
    twelve, never one gone by (its report was judged by the amounts then)."""
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")
    y, m = (int(part) for part in effective_month.split("-"))
    ahead = (y * 12 + m) - (today.year * 12 + today.month)
    if ahead < 0:
        raise ServiceError(422, "subsidy_month_past", errors={"effective_month": [message("subsidy_month_past")]})
    if ahead > HORIZON_MONTHS:
        raise ServiceError(422, "quota_month_too_far", months=HORIZON_MONTHS,
                           errors={"effective_month": [message("quota_month_too_far", months=HORIZON_MONTHS)]})
    row = session.scalar(select(CareSubsidyPolicy).where(CareSubsidyPolicy.effective_month == effective_month))
    if row is None:
        base = in_force(session, effective_month)
        row = CareSubsidyPolicy(effective_month=effective_month, **{f: getattr(base, f) for f in FIELDS})
    for field in FIELDS:
        if values.get(field) is not None:
            setattr(row, field, values[field])
    row.updated_by, row.updated_at = actor.user.id, now or clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="care_subsidy", entity_id=row.id,
                 detail={"effective_month": effective_month, **{f: getattr(row, f) for f in FIELDS}})
    return row


def present(session: Session, *, month: str) -> dict:
    """The amounts in force in ``month`` with the seed's, who saved them and when (None: the seed's,
    never saved), and every saved version."""
    row = in_force(session, month)
    names = dict(session.execute(select(User.id, User.display_name).where(
        User.id.in_(select(CareSubsidyPolicy.updated_by)))).all())
    versions = session.scalars(select(CareSubsidyPolicy).order_by(CareSubsidyPolicy.effective_month)).all()
    return {**{f: getattr(row, f) for f in FIELDS}, "defaults": dict(DEFAULTS),
            "effective_month": row.effective_month or None,
            "updated_by": names.get(row.updated_by), "updated_at": row.updated_at if row.id else None,
            "history": [{**{f: getattr(v, f) for f in FIELDS}, "effective_month": v.effective_month,
                         "updated_by": names.get(v.updated_by), "updated_at": v.updated_at} for v in versions]}


class Stay(NamedTuple):
    """A stay in a care home as the top-up counts it in a month: the resident's level at the
    month's end and the month's amount."""

    residence_id: int
    start_on: date
    end_on: date | None
    person: Person
    home_id: int
    home: str
    township: str
    level: str
    amount: int


def _stays_query(township, first: date, last: date, place: Place | None):
    """(residence, person, home, township name) of every stay in a home (under ``place``, when
    given) that overlaps the days ``first``..``last``, by home and name."""
    return (select(CareResidence, Person, CareHome, township.name)
            .join(Person, Person.id == CareResidence.person_id)
            .join(CareHome, CareHome.id == CareResidence.care_home_id)
            .join(township, township.id == CareHome.place_id)
            .where(CareResidence.start_on <= last, sa.or_(CareResidence.end_on.is_(None), CareResidence.end_on >= first),
                   *([subtree_filter(place, township)] if place is not None else []))
            .order_by(CareHome.seq, CareHome.id, Person.name, Person.id))


def counted(session: Session, *, place: Place | None, first: date, last: date, policy: CareSubsidyPolicy,
            levels: Callable[[Session, list[int], date], dict[int, str]] | None = None) -> list[Stay]:
    """The month's stays counted now (under ``place``, or every home's), each at the resident's level
    on ``last`` (``levels``: person id → level then; missing: the person's level now) and the
    amount ``policy`` gives that level."""
    found = session.execute(_stays_query(aliased(Place), first, last, place)).all()
    level_at = levels(session, [p.id for _, p, _, _ in found], last) if levels and found else {}
    stays = []
    for stay, person, home, township in found:
        level = level_at.get(person.id) or person.self_care_level
        stays.append(Stay(stay.id, stay.start_on, stay.end_on, person, home.id, home.name, township, level,
                          getattr(policy, TOPUP_FIELD[level]) if level in TOPUP_FIELD else 0))
    return stays


def recorded(session: Session, *, place: Place, month: str) -> list[Stay]:
    """The stays the month close wrote for ``month`` (CareTopupMonth) in the homes under ``place``."""
    township = aliased(Place)
    rows = session.execute(
        select(CareTopupMonth, Person, CareHome, township.name)
        .join(Person, Person.id == CareTopupMonth.person_id)
        .join(CareHome, CareHome.id == CareTopupMonth.care_home_id)
        .join(township, township.id == CareHome.place_id)
        .where(CareTopupMonth.month == month, subtree_filter(place, township))
        .order_by(CareHome.seq, CareHome.id, Person.name, Person.id)).all()
    return [Stay(r.residence_id, r.start_on, r.end_on, person, home.id, home.name, township, r.self_care_level, r.amount)
            for r, person, home, township in rows]


def monthly(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
            levels: Callable[[Session, list[int], date], dict[int, str]] | None = None) -> Report:
    """敬老院失能、半失能特困人员补助月报 (seed 000 item 7): a row per resident of a care home under the
    place in the month, with their self-care level (``levels``: person id → level at the month's
    end; missing: the person's level now) and the month's amount; a total for each home and one for
    all. A closed month as the month close wrote it (CareMonth), whatever changed since. Township
    staff see their township's homes; every person shown is an audited read."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    place = managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    record = session.get(CareMonth, label(year, month))
    if record is not None:
        found = recorded(session, place=place, month=record.month)
        full, partly, local = record.topup_fully_disabled, record.topup_partly_disabled, record.topup_local
    else:
        policy = in_force(session, label(year, month))
        found = counted(session, place=place, first=first, last=last, policy=policy, levels=levels)
        full, partly, local = policy.topup_fully_disabled, policy.topup_partly_disabled, policy.id is not None
    rows, totals, per_home = [], {"fully_disabled": 0, "partly_disabled": 0, "amount": 0}, {}
    for k, s in enumerate(found, start=1):
        if s.level in TOPUP_FIELD:
            totals[s.level] += 1
        totals["amount"] += s.amount
        per_home[s.home] = per_home.get(s.home, 0) + s.amount
        rows.append([k, s.township, s.home, s.person.name, LEVEL_ZH.get(s.level, s.level), s.start_on.isoformat(),
                     s.end_on.isoformat() if s.end_on and s.end_on <= last else "", s.amount])
    rows.append(["合计", "", "", text("topup.total.persons", n=len(found)), text(
        "topup.total.levels", full=totals["fully_disabled"], partly=totals["partly_disabled"]), "", "", totals["amount"]])
    audit.record_person_reads(session, actor=actor, person_ids=[s.person.id for s in found], action="care_topup_report")
    notes = [month_note(year, month, "closed", record.written_at, zone) if record is not None
             else month_note(year, month, "as_recorded", None, zone),
             text("topup.note.rates", full=full, partly=partly,
                  source=text("topup.source.local" if local else "topup.source.default")),
             text("topup.note.part_month")]
    notes += [text("topup.note.home", home=name, amount=amount) for name, amount in per_home.items()]
    return Report(text("report.care_topup", place=place.name, year=year, month=month),
                  ["序号", "乡镇", "敬老院", "姓名", "自理能力", "入住日期", "离开日期", "补助金额（元）"], rows, notes)
