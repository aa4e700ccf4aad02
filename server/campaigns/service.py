"""Campaigns with a frequency: who is due and who is done this period, coverage by village, a
record per person and period, the reminder before a period ends and the alert after it.

Periods are Shanghai's: a clean-up quarter (YYYY-Qn, seed 000 item 11) and a health-check year
(YYYY, seed 000 item 4), until the district sets another frequency from a later year (a month
YYYY-MM, a quarter, a half year YYYY-Hn, a year); a period's label says its own bounds. The health check is due to everyone under support (care-home residents
too) who reaches the schedule's ``health_check_min_age`` (65) in the year, so a person turning 65
in December is due from January.
Township staff record both; volunteers of the township's team record the clean-up too (seed 000
item 11: 志愿服务队伍协助分散供养特困人员搞好环境卫生).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from server import clock
from server.activities.service import volunteer_townships
from server.alerts.service import AlertSettings, raise_alert, staff_of
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.campaigns.models import (
    DEFAULT_CHECKLIST,
    DEFAULT_REMIND_DAYS,
    FREQUENCIES,
    FREQUENCY,
    KINDS,
    CampaignFrequency,
    CampaignPolicy,
    CampaignRecord,
)
from server.errors import ServiceError
from server.messages import text
from server.notify import service as notify
from server.people.models import Person
from server.people.roster import UNDER_SUPPORT
from server.people.service import managed_person, visible_person
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place
from server.quotas import service as quotas

# --- policy ---------------------------------------------------------------------------------------


def policy(session: Session, kind: str) -> CampaignPolicy:
    found = session.get(CampaignPolicy, kind)
    if found is not None:
        return found
    return CampaignPolicy(kind=kind, remind_days_before=DEFAULT_REMIND_DAYS,
                          checklist=[dict(item) for item in DEFAULT_CHECKLIST] if kind == "cleanup" else [])


def update_policy(session: Session, *, actor: Actor, kind: str, **values) -> CampaignPolicy:
    row = policy(session, kind)
    if "checklist" in values:
        codes = [item["code"] for item in values["checklist"]]
        if len(set(codes)) != len(codes):
            raise ServiceError(422, "validation", errors={"checklist": ["each item's code once"]})
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_by, row.updated_at = actor.user.id, clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="campaign_policy", detail={"kind": kind, **values})
    return row


# --- periods --------------------------------------------------------------------------------------


def frequency_in(session: Session, kind: str, year: int) -> str:
    """The frequency a campaign runs at in ``year``: the district's latest version whose year has
    come, else the seed's."""
    found = session.scalar(select(CampaignFrequency.frequency)
                           .where(CampaignFrequency.kind == kind, CampaignFrequency.from_year <= year)
                           .order_by(CampaignFrequency.from_year.desc()).limit(1))
    return found or FREQUENCY[kind]


def frequencies(session: Session, kind: str, today: date) -> dict:
    """The frequency in force this year, the seed's, and every version the district saved."""
    versions = session.scalars(select(CampaignFrequency).where(CampaignFrequency.kind == kind)
                               .order_by(CampaignFrequency.from_year)).all()
    return {"kind": kind, "frequency": frequency_in(session, kind, today.year), "default_frequency": FREQUENCY[kind],
            "versions": versions}


def set_frequency(session: Session, *, actor: Actor, kind: str, frequency: str, from_year: int,
                  today: date) -> dict:
    """District admins set a campaign's frequency from the first of January of a later year: the year
    in progress keeps its periods, and the records in them. Setting the frequency already in force
    that year (the seed's, say) drops the versions from that year on."""
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")
    if frequency not in FREQUENCIES:
        raise ServiceError(422, "validation", errors={"frequency": [f"one of {', '.join(FREQUENCIES)}"]})
    if not today.year < from_year <= today.year + 5:
        raise ServiceError(422, "campaign_frequency_year", errors={"from_year": ["a later year, at most five ahead"]},
                           first=today.year + 1)
    session.execute(sa.delete(CampaignFrequency).where(CampaignFrequency.kind == kind,
                                                       CampaignFrequency.from_year >= from_year))
    if frequency_in(session, kind, from_year) != frequency:
        session.add(CampaignFrequency(kind=kind, from_year=from_year, frequency=frequency, updated_by=actor.user.id,
                                      updated_at=clock.now()))
    session.flush()
    audit.record(session, actor=actor, action="update", entity="campaign_frequency",
                 detail={"kind": kind, "frequency": frequency, "from_year": from_year})
    return frequencies(session, kind, today)


def _label(frequency: str, day: date) -> str:
    if frequency == "month":
        return f"{day.year}-{day.month:02d}"
    if frequency == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if frequency == "half_year":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    return str(day.year)


def period_of(session: Session, kind: str, day: date) -> str:
    """The label of the period ``day`` falls in, at the frequency in force in its year."""
    return _label(frequency_in(session, kind, day.year), day)


PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<q>[1-4])|-H(?P<h>[12])|-(?P<m>0[1-9]|1[0-2]))?$")


def period_bounds(label: str) -> tuple[date, date]:
    """The first day of a period and the first day after it, read from its label."""
    found = PERIOD.match(label)
    if found is None:
        raise ValueError(label)
    year = int(found["year"])
    months, first_month = ((3, 3 * int(found["q"]) - 2) if found["q"] else (6, 6 * int(found["h"]) - 5) if found["h"]
                           else (1, int(found["m"])) if found["m"] else (12, 1))
    after = first_month + months
    return date(year, first_month, 1), date(year + (after > 12), (after - 1) % 12 + 1, 1)


def previous_period(session: Session, kind: str, day: date) -> str:
    first, _ = period_bounds(period_of(session, kind, day))
    return period_of(session, kind, first - timedelta(days=1))


# --- who is due -----------------------------------------------------------------------------------


def due_filter(session: Session, kind: str, label: str):
    """The one rule for who a campaign's period is due to: the clean-up the homes of home care;
    the health check every 特困人员 of the age, care-home residents too (seed 000 item 4)."""
    if kind == "cleanup":
        return (Person.status == "active") & (Person.support_mode == "decentralised")
    year = period_bounds(label)[0].year
    min_age = quotas.schedule(session).health_check_min_age
    return Person.status.in_(UNDER_SUPPORT) & (Person.birth_date < date(year - min_age + 1, 1, 1))


def due_rows(session: Session, *, kind: str, label: str, place: Place):
    """A row per person due under ``place`` for the period: person, village, its township's name
    (villages of two townships may share a name) and their record (or None)."""
    township = sa.orm.aliased(Place)
    return session.execute(
        select(Person.id, Person.name, Person.birth_date, Place.id, Place.name, township.name, CampaignRecord)
        .join(Place, Place.id == Person.village_id).join(township, township.id == Place.parent_id)
        .outerjoin(CampaignRecord, (CampaignRecord.person_id == Person.id) & (CampaignRecord.kind == kind)
                   & (CampaignRecord.period == label))
        .where(places.subtree_filter(place), due_filter(session, kind, label))
        .order_by(Place.id, Person.id)).all()


def undone_counts(session: Session, *, kind: str, label: str, place: Place | None = None) -> dict[int, int]:
    """Township id -> persons due for the period and not done (under ``place``, when given)."""
    village = sa.orm.aliased(Place)
    rows = session.execute(
        select(village.parent_id, sa.func.count())
        .select_from(Person).join(village, village.id == Person.village_id)
        .where(*([places.subtree_filter(place, of=village)] if place is not None else []),
               due_filter(session, kind, label), ~sa.exists().where(
            CampaignRecord.person_id == Person.id, CampaignRecord.kind == kind, CampaignRecord.period == label))
        .group_by(village.parent_id)).all()
    return {township_id: n for township_id, n in rows if n}


def coverage(session: Session, *, actor: Actor, kind: str, today: date, place_id: int | None = None,
             period: str | None = None) -> dict:
    """The period's coverage under a place by village: due, done, and (clean-up) the points or
    (health check) the family doctor signed; with each person due, done or not."""
    user = actor.user
    if roles.is_volunteer(user):
        if kind != "cleanup":
            raise ServiceError(403, "forbidden_role")
        townships = volunteer_townships(session, user)
        if not townships:
            raise ServiceError(403, "forbidden_role")
        place = session.get(Place, place_id if place_id in townships else townships[0])
    elif roles.is_staff(user):
        place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    else:
        raise ServiceError(403, "forbidden_role")
    label = period or period_of(session, kind, today)
    try:
        first, after = period_bounds(label)
    except ValueError:
        first = None
    if first is None or period_of(session, kind, first) != label:
        # a period of another frequency than the one in force in its year
        raise ServiceError(422, "validation", errors={"period": [
            f"a period of the frequency in force in its year: {frequency_in(session, kind, int(label[:4]))}"]})
    villages: dict[int, dict] = {}
    persons = []
    total = {"due": 0, "done": 0, "points": 0, "doctor_signed": 0}
    min_age = quotas.schedule(session).health_check_min_age
    for pid, name, born, village_id, village_name, township, rec in due_rows(session, kind=kind, label=label,
                                                                              place=place):
        v = villages.setdefault(village_id, {"place_id": village_id, "name": village_name, "township": township,
                                             "due": 0, "done": 0, "points": 0, "doctor_signed": 0})
        for t in (v, total):
            t["due"] += 1
            t["done"] += rec is not None
            t["points"] += rec.points if rec else 0
            t["doctor_signed"] += bool(rec and rec.family_doctor_signed)
        persons.append({"person_id": pid, "name": name, "village_id": village_id, "village_name": village_name,
                        "age": after.year - 1 - born.year if kind == "health_check" else None,
                        "turns_min_age": kind == "health_check" and after.year - 1 - born.year == min_age,
                        "done": rec is not None, "done_on": rec.done_on if rec else None,
                        "points": rec.points if rec else None, "items": rec.items if rec else [],
                        "family_doctor_signed": rec.family_doctor_signed if rec else None})
    audit.record_person_reads(session, actor=actor, person_ids=[p["person_id"] for p in persons], action=kind)
    return {"kind": kind, "period": label, "starts_on": first, "ends_on": after - timedelta(days=1),
            "place_id": place.id, "name": place.name, "villages": list(villages.values()), "total": total,
            "persons": persons, "checklist": policy(session, kind).checklist}


# --- recording -----------------------------------------------------------------------------------


def _labels(kind: str) -> dict:
    return {"campaign_zh": text(f"campaign.{kind}"), "campaign_en": text(f"campaign.{kind}", "en")}


def record(session: Session, *, actor: Actor, kind: str, person_id: int, done_on: date, today: date,
           items: list[str] | None = None, family_doctor_signed: bool | None = None,
           note: str | None = None) -> CampaignRecord:
    """Record a person done for the period ``done_on`` falls in; a second record of the period is a 409."""
    user = actor.user
    if roles.is_volunteer(user) and kind == "cleanup":
        person = visible_person(session, actor, person_id)
    elif roles.is_staff(user):
        person = managed_person(session, actor, person_id)
    else:
        raise ServiceError(403, "forbidden_role")
    if done_on > today:
        raise ServiceError(422, "date_in_future", errors={"done_on": ["cannot be in the future"]})
    label = period_of(session, kind, done_on)
    due = session.scalar(select(Person.id).where(Person.id == person.id, due_filter(session, kind, label)))
    if due is None:
        raise ServiceError(422, "campaign_not_due", errors={"person_id": ["not due"]}, name=person.name, **_labels(kind))
    points = 0
    if kind == "cleanup":
        checklist = {item["code"]: item for item in policy(session, kind).checklist}
        unknown = [code for code in items or [] if code not in checklist]
        if unknown:
            raise ServiceError(422, "checklist_unknown", errors={"items": unknown})
        items = sorted(set(items or []), key=list(checklist).index)
        points = sum(checklist[code]["points"] for code in items)
        family_doctor_signed = None
    else:
        if family_doctor_signed is None:
            raise ServiceError(422, "validation", errors={"family_doctor_signed": ["say whether a family doctor is signed"]})
        items = []
    row = CampaignRecord(kind=kind, person_id=person.id, period=label, done_on=done_on, items=items, points=points,
                         family_doctor_signed=family_doctor_signed, note=note, recorded_by=user.id)
    done = ServiceError(409, "campaign_done", name=person.name, period=label, **_labels(kind))
    if session.scalar(select(CampaignRecord.id).where(CampaignRecord.kind == kind, CampaignRecord.person_id == person.id,
                                                      CampaignRecord.period == label)):
        raise done
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise done from None
    audit.record(session, actor=actor, action="create", entity=f"campaign_{kind}", entity_id=row.id, person_id=person.id)
    return row


# --- the schedule ----------------------------------------------------------------------------------


def remind_before_end(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """Within ``remind_days_before`` of a period's end, each township's staff learn how many are not
    done yet — once per township and period."""
    today = clock.today(zone, now)
    sent = 0
    for kind in KINDS:
        label = period_of(session, kind, today)
        last = period_bounds(label)[1] - timedelta(days=1)
        if (last - today).days >= policy(session, kind).remind_days_before:
            continue
        campaign = text(f"campaign.{kind}")
        for township_id, n in undone_counts(session, kind=kind, label=label).items():
            sent += len(notify.notify(session, user_ids=staff_of(session, township_id), kind=f"campaign_{kind}",
                                      title=text("campaign.reminder.title", campaign=campaign),
                                      body=text("campaign.reminder.body", period=label, campaign=campaign, count=n,
                                                end=last.isoformat()),
                                      dedupe_key=f"campaign:{kind}:{label}:remind:{township_id}", now=now,
                                      url=f"/#/campaign/{kind}"))
    return {"campaign_reminders": sent}


def alert_after_end(session: Session, *, now: datetime, zone: ZoneInfo, settings: AlertSettings) -> dict:
    """Once a period has ended, a township with persons not done gets one alert for it."""
    today = clock.today(zone, now)
    raised = 0
    for kind in KINDS:
        label = previous_period(session, kind, today)
        campaign = text(f"campaign.{kind}")
        for township_id, n in undone_counts(session, kind=kind, label=label).items():
            township = session.get(Place, township_id)
            _, created = raise_alert(
                session, kind="campaign_overdue", township_id=township_id,
                title=text("campaign.overdue.title", township=township.name, period=label, campaign=campaign),
                dedupe_key=f"campaign:{kind}:{label}:{township_id}", settings=settings, now=now,
                detail={"summary": text("campaign.overdue.body", period=label, count=n, campaign=campaign),
                        "campaign": kind, "period": label, "not_done": n})
            raised += created
    return {"campaign_alerts": raised}
