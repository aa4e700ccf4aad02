"""Who is on the roster of home care on a given local day — the one answer the month close,
the reminders, the gap watch and the escalation all ask for (进退有序, seed 004 item 4).

A person is on the roster on day D while they are under decentralised support and either
still active or exited on D or later: the day of an exit is still theirs (a visit that day
counts), from the next day nothing concerns them. Also who is away from home on a day
(an Absence covering it), and the days of a month a person was due visits: on the roster and at
home, over which the month's quota is prorated."""

from __future__ import annotations

import math
from calendar import monthrange
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server.people.models import Absence, Person, PersonExit


def on_roster(day: date):
    """A clause over Person: on the home-care roster on local ``day``."""
    exited_from = sa.exists().where(PersonExit.person_id == Person.id, PersonExit.exited_on >= day)
    return (Person.support_mode == "decentralised") & ((Person.status == "active") | exited_from)


def away_on(day: date, person_id=Person.id):
    """A clause: the person (a column, Person.id by default) is away from home on ``day``."""
    return sa.exists().where(Absence.person_id == person_id, Absence.start_on <= day, Absence.end_on >= day)


def prorated_quota(quota: int, days_due: int, days_in_month: int) -> int:
    """The month's quota over the days a person was at home and on the roster.

    Rounded up: a month with any day at home keeps at least one visit of a quota of one — seed
    002 asks a monthly visit rate of 100% — and a larger local quota is never asked below the
    even pace of the days at home. A month wholly away (or off the roster) asks none."""
    if days_due <= 0:
        return 0
    return math.ceil(quota * min(days_due, days_in_month) / days_in_month)


def days_due(session: Session, *, year: int, month: int, person_ids: list[int] | None = None) -> dict[int, int]:
    """Days of the month each person was on the roster and at home, for the persons an absence
    or an exit touches in the month (everyone else is due the whole month)."""
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    absences = select(Absence.person_id, Absence.start_on, Absence.end_on).where(
        Absence.start_on <= last, Absence.end_on >= first)
    exits = select(PersonExit.person_id, PersonExit.exited_on).where(PersonExit.exited_on <= last)
    if person_ids is not None:
        absences = absences.where(Absence.person_id.in_(person_ids))
        exits = exits.where(PersonExit.person_id.in_(person_ids))
    away: dict[int, set[date]] = {}
    for pid, start, end in session.execute(absences):
        days = away.setdefault(pid, set())
        day = max(start, first)
        while day <= min(end, last):
            days.add(day)
            day += timedelta(days=1)
    left = dict(session.execute(exits).all())
    out = {}
    for pid in set(away) | set(left):
        until = min(last, left[pid]) if pid in left else last
        on_roster = max(0, (until - first).days + 1)
        out[pid] = on_roster - len([d for d in away.get(pid, ()) if d <= until])
    return out


def prorated_policy(policy, days: int, days_in_month: int):
    """A level's QuotaPolicy with its monthly numbers (the 探访 a month and each mode's minimum)
    prorated over ``days`` of the month, by ``prorated_quota``; the modes that count and the
    longest gap stay as they are."""
    fields = ("visits_per_month", "min_home", "min_phone_video", "min_remote")
    out = type(policy)(**{c: getattr(policy, c) for c in type(policy).model_fields})
    for f in fields:
        setattr(out, f, prorated_quota(getattr(policy, f), days, days_in_month))
    return out
