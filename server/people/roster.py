"""Who is on the roster of home care on a given local day, or in a month — the one answer the
month close, the reminders, the gap watch and the escalation all ask for (进退有序, seed 004 item 4).

A person is on the roster on day D while they are under decentralised support, came under
support (``enrolled_on``, 纳入日期) on D or before, and are either still active or exited on D or
later: the day of an exit is still theirs (a visit that day counts), from the next day nothing
concerns them. A month's roster is everyone on it on one of its days at least. Also who is away
from home on a day (an Absence covering it), and how many days of a stretch they were: the days
of a month a person was due visits — on the roster and at home — over which the month's quota is
prorated (``prorated``)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from server.db import day_count, earlier_day, later_day
from server.people.models import Absence, Person, PersonExit


def _day(value):
    return sa.literal(value, sa.Date()) if isinstance(value, date) else value


def in_roster(first: date, last: date):
    """A clause over Person: on the home-care roster on one day at least of [first, last]."""
    left = aliased(PersonExit)  # its own: a query joined to PersonExit already must not correlate it
    exited_from = sa.exists().where(left.person_id == Person.id, left.exited_on >= first)
    return ((Person.support_mode == "decentralised") & (Person.enrolled_on <= last)
            & ((Person.status == "active") | exited_from))


def on_roster(day: date):
    """A clause over Person: on the home-care roster on local ``day``."""
    return in_roster(day, day)


# Under support in either mode: at home (分散供养) or a resident of a care home (集中供养).
UNDER_SUPPORT = ("active", "centralised")


def on_register(day: date):
    """A clause over Person: under support on local ``day`` in either mode — the home-care roster
    and the care homes' residents — as the periodic review (seed 004 item 4) and the health check
    (seed 000 item 4) ask: 特困人员 whoever supports them. The day of an exit is still theirs."""
    left = aliased(PersonExit)
    return ((Person.enrolled_on <= day)
            & (Person.status.in_(UNDER_SUPPORT) | sa.exists().where(left.person_id == Person.id, left.exited_on >= day)))


def roster_span(first: date, last: date, exited_on):
    """(from, to): the days of [first, last] a person (Person's columns; ``exited_on``, the
    column of their exit, NULL when they have none) was on the roster, as SQL dates; empty when
    from is after to."""
    return (later_day(_day(first), Person.enrolled_on),
            earlier_day(_day(last), func.coalesce(exited_on, _day(last))))


def days_from_to(start, end):
    """The days from ``start`` to ``end`` inclusive (SQL dates), none when end is before start."""
    n = day_count(end, start) + 1
    return sa.case((n > 0, n), else_=0)


def away_on(day: date, person_id=Person.id):
    """A clause: the person (a column, Person.id by default) is away from home on ``day``."""
    return sa.exists().where(Absence.person_id == person_id, Absence.start_on <= day, Absence.end_on >= day)


def days_away(person_id, start, end):
    """SQL: the days from ``start`` to ``end`` (SQL dates) the person (a column) was away from home.
    Stays never overlap (server/people/absences.py refuses it), so their days add up."""
    lo, hi = later_day(Absence.start_on, start), earlier_day(Absence.end_on, end)
    return (select(func.coalesce(func.sum(day_count(hi, lo) + 1), 0))
            .where(Absence.person_id == person_id, Absence.start_on <= end, Absence.end_on >= start)
            .scalar_subquery())


def prorated(quota, days_due, days_in_month: int):
    """The month's quota over the days a person was at home and on the roster (numbers, or SQL
    expressions: the month close and every figure of a month evaluate it in the database).

    Rounded up: a month with any day at home keeps at least one visit of a quota of one — seed
    002 asks a monthly visit rate of 100% — and a larger local quota is never asked below the
    even pace of the days at home. A month wholly away (or off the roster) asks none."""
    return (quota * days_due + days_in_month - 1) // days_in_month
