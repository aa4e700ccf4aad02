"""The periodic review (动态管理, seed 004 item 4): 特困人员 and A-class 低保 are reviewed once a year
in March; B and C class 低保 in March and again in September. 核查方式包括但不限于续保申请、平台核查、
入户调查. A campaign is a review month of a year, "YYYY-MM": the month is SchedulePolicy.review_month
(March by default) and review_second_month (September), both edited by district admins. It is open through that
month (Shanghai days); from the 1st of the next month whoever is due and not reviewed is overdue.
A review whose result is "exit" takes the person off the roster through server/lifecycle/exits.py.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from server.alerts import service as alerts
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.errors import ServiceError
from server.lifecycle import exits
from server.messages import text
from server.notify import service as notify
from server.people import roster
from server.people import service as people
from server.people.models import Person
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place
from server.quotas import service as quotas
from server.reviews.models import REVIEW_METHODS, REVIEW_RESULTS, ReviewRecord
from server.timeutil import month_before, month_bounds


@dataclass(frozen=True)
class Campaign:
    year: int
    month: int
    yearly: bool  # the review month everyone is due in; else the half-year one of B and C class 低保

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    def is_open(self, today: date) -> bool:
        return (today.year, today.month) == (self.year, self.month)


def review_months(session: Session) -> tuple[int, int]:
    """The yearly review month (SchedulePolicy.review_month, March by default) and the second one,
    when B and C class 低保 are reviewed again (review_second_month; by default six months after the
    first, September; seed 004 item 4), both set by district admins in the app."""
    policy = quotas.schedule(session)
    return policy.review_month, quotas.second_review_month(policy)


def campaign(session: Session, year: int, month: int) -> Campaign:
    """The campaign of ``month`` of ``year``; 422 when no review is held that month."""
    yearly, half = review_months(session)
    if month not in (yearly, half):
        raise ServiceError(422, "review_campaign_invalid", errors={"campaign": ["not a review month"]},
                           march=yearly, september=half)
    return Campaign(year, month, yearly=month == yearly)


def current(session: Session, today: date) -> Campaign:
    """The campaign open ``today``, else the last one before it (whose stragglers are overdue)."""
    yearly, half = review_months(session)
    y, m = today.year, today.month
    while m not in (yearly, half):
        y, m = month_before(y, m)
    return Campaign(y, m, yearly=m == yearly)


def last_closed(session: Session, today: date) -> Campaign:
    """The last campaign that ended before ``today``."""
    y, m = month_before(today.year, today.month)
    return current(session, date(y, m, 1))


def _due(c: Campaign):
    """Who a campaign reviews: everyone's yearly review takes 特困 and every 低保 class (A yearly,
    B and C twice); the half-year one B and C class 低保 (seed 004 item 4)."""
    dibao_bc = (Person.assistance_category == "dibao") & Person.dibao_class.in_(("B", "C"))
    if c.yearly:
        return Person.assistance_category.in_(("tekun", "dibao"))
    return dibao_bc


def due_in(c: Campaign, *, today: date, zone: ZoneInfo):
    """A clause over Person: due in campaign ``c`` as seen on ``today`` — under support on its last
    day (or today, while it is open), at home or in a care home (a resident is 特困 all the same),
    and registered before it ended."""
    day = min(today, c.last_day)
    ends = month_bounds(c.year, c.month, zone)[1]
    return _due(c) & roster.on_register(day) & (Person.created_at < ends)


def _reviewed(c: Campaign):
    return sa.exists().where(ReviewRecord.person_id == Person.id, ReviewRecord.campaign == c.label)


def not_reviewed(session: Session, c: Campaign, *, place: Place, today: date, zone: ZoneInfo) -> list[Person]:
    """Persons under ``place`` due in ``c`` with no review recorded for it."""
    return list(session.scalars(
        select(Person).join(Place, Place.id == Person.village_id)
        .where(places.subtree_filter(place), due_in(c, today=today, zone=zone), ~_reviewed(c))
        .order_by(Place.path, Person.name, Person.id)))


def not_reviewed_count(session: Session, c: Campaign, *, place: Place, today: date, zone: ZoneInfo) -> int:
    """How many of ``not_reviewed`` there are, counted by the database."""
    return session.scalar(
        select(func.count(Person.id)).join(Place, Place.id == Person.village_id)
        .where(places.subtree_filter(place), due_in(c, today=today, zone=zone), ~_reviewed(c)))


def coverage_by_township(session: Session, c: Campaign, *, place: Place, today: date,
                         zone: ZoneInfo) -> list[dict]:
    """Due and reviewed per township under ``place`` (a district, or one township)."""
    township = sa.orm.aliased(Place)
    rows = session.execute(
        select(township.id, township.name, func.count(Person.id),
               func.count(sa.case((_reviewed(c), Person.id))))
        .select_from(Person).join(Place, Place.id == Person.village_id).join(township, township.id == Place.parent_id)
        .where(places.subtree_filter(place), due_in(c, today=today, zone=zone))
        .group_by(township.id, township.name).order_by(township.id)).all()
    return [{"township_id": tid, "name": name, "due": due, "reviewed": done,
             "rate": round(done / due, 4) if due else None} for tid, name, due, done in rows]


def status(session: Session, *, actor: Actor, place_id: int | None, label: tuple[int, int] | None, today: date,
           zone: ZoneInfo) -> dict:
    """A campaign (the one open today, else the last one) for staff: who is not reviewed yet
    (overdue once it ended), the records made, and coverage per township."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    place = managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)
    c = campaign(session, *label) if label else current(session, today)
    if (c.year, c.month) > (today.year, today.month):
        raise ServiceError(422, "date_in_future", errors={"campaign": ["not begun yet"]})
    pending = not_reviewed(session, c, place=place, today=today, zone=zone)
    records = session.execute(
        select(ReviewRecord, Person.name, User.display_name).join(Person, Person.id == ReviewRecord.person_id)
        .join(Place, Place.id == Person.village_id).join(User, User.id == ReviewRecord.reviewed_by)
        .where(places.subtree_filter(place), ReviewRecord.campaign == c.label)
        .order_by(ReviewRecord.reviewed_on.desc(), ReviewRecord.id.desc())).all()
    ctx = people.context_for(session, pending)
    audit.record_person_reads(session, actor=actor, person_ids=[p.id for p in pending] + [r.person_id for r, _, _ in records],
                              action="list_reviews")
    return {
        "campaign": c.label, "yearly": c.yearly, "open": c.is_open(today), "overdue": today > c.last_day,
        "ends_on": c.last_day,
        "not_reviewed": [{"person_id": p.id, "name": p.name, "village_name": ctx["villages"][p.village_id].name,
                          "assistance_category": p.assistance_category, "dibao_class": p.dibao_class}
                         for p in pending],
        "reviewed": [{"id": r.id, "person_id": r.person_id, "name": name, "method": r.method, "result": r.result,
                      "reviewed_on": r.reviewed_on, "reviewed_by": by, "note": r.note} for r, name, by in records],
        "coverage": coverage_by_township(session, c, place=place, today=today, zone=zone),
    }


def record_review(session: Session, *, actor: Actor, person_id: int, label: tuple[int, int], method: str,
                  result: str, reviewed_on: date, note: str | None, today: date, now: datetime, zone: ZoneInfo,
                  alert_settings: alerts.AlertSettings) -> ReviewRecord:
    """Staff record a person's review in a campaign; the result "exit" takes them off the roster on
    the day of the review (reason not_eligible)."""
    if not roles.is_staff(actor.user):
        people.find_person(session, person_id)
        raise ServiceError(403, "forbidden_role")
    person = people.managed_person(session, actor, person_id)
    c = campaign(session, *label)
    if method not in REVIEW_METHODS:
        raise ServiceError(422, "validation", errors={"method": [f"one of {', '.join(REVIEW_METHODS)}"]})
    if result not in REVIEW_RESULTS:
        raise ServiceError(422, "validation", errors={"result": [f"one of {', '.join(REVIEW_RESULTS)}"]})
    if reviewed_on > today:
        raise ServiceError(422, "date_in_future", errors={"reviewed_on": ["cannot be in the future"]})
    if (c.year, c.month) > (today.year, today.month):
        raise ServiceError(422, "date_in_future", errors={"campaign": ["not begun yet"]})
    if session.scalar(select(ReviewRecord.id).where(ReviewRecord.person_id == person.id,
                                                    ReviewRecord.campaign == c.label)) is not None:
        raise ServiceError(409, "review_exists")
    if session.scalar(select(Person.id).where(Person.id == person.id, due_in(c, today=today, zone=zone))) is None:
        raise ServiceError(422, "review_not_due", errors={"person_id": ["not due in this campaign"]})
    record = ReviewRecord(person_id=person.id, campaign=c.label, method=method, result=result,
                          reviewed_on=reviewed_on, reviewed_by=actor.user.id, note=note, recorded_at=now)
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:  # the same review saved twice at once
        raise ServiceError(409, "review_exists") from None
    audit.record(session, actor=actor, action="review", entity="person", entity_id=person.id, person_id=person.id,
                 detail={"campaign": c.label, "method": method, "result": result})
    if result == "exit":
        exits.record_exit(session, actor=actor, person_id=person.id, on=reviewed_on, reason="not_eligible", note=note,
                          now=now, zone=zone, alert_settings=alert_settings)
    return record


# --- what the scheduler does ------------------------------------------------------------------------


def _outstanding_by_township(session: Session, c: Campaign, *, today: date, zone: ZoneInfo) -> list[tuple]:
    township = sa.orm.aliased(Place)
    return session.execute(
        select(township.id, township.name, func.count(Person.id))
        .select_from(Person).join(Place, Place.id == Person.village_id).join(township, township.id == Place.parent_id)
        .where(due_in(c, today=today, zone=zone), ~_reviewed(c))
        .group_by(township.id, township.name).order_by(township.id)).all()


def remind_open(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """While a campaign is open: each township's staff learn how many are not reviewed yet (once
    a day at most, by the dedupe key)."""
    today = now.astimezone(zone).date()
    c = current(session, today)
    if not c.is_open(today):
        return {"skipped": "no campaign open"}
    sent = 0
    for township_id, _, n in _outstanding_by_township(session, c, today=today, zone=zone):
        sent += len(notify.notify(session, user_ids=alerts.staff_of(session, township_id), kind="review",
                                  title=text("reminder.review.title"),
                                  body=text("reminder.review.open", campaign=c.label, count=n),
                                  dedupe_key=f"review:{c.label}:{today.isoformat()}", url="/#/reviews", now=now))
    return {"campaign": c.label, "notified": sent}


def raise_overdue(session: Session, *, now: datetime, zone: ZoneInfo, settings: alerts.AlertSettings) -> dict:
    """Once a campaign has ended: an alert to each township with persons due and not reviewed,
    once per township and campaign."""
    today = now.astimezone(zone).date()
    c = last_closed(session, today)
    raised = 0
    for township_id, name, n in _outstanding_by_township(session, c, today=today, zone=zone):
        title = text("alert.review_overdue", township=name, count=n, campaign=c.label)
        _, created = alerts.raise_alert(session, kind="review_overdue", township_id=township_id, title=title,
                                        dedupe_key=f"review_overdue:{c.label}:{township_id}", settings=settings,
                                        detail={"summary": title, "campaign": c.label, "count": n}, now=now)
        raised += created
    return {"campaign": c.label, "alerts_raised": raised}
