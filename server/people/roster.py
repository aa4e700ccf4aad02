"""Who is on the roster of home care on a given local day — the one answer the month close,
the reminders, the gap watch and the escalation all ask for (进退有序, seed 004 item 4).

A person is on the roster on day D while they are under decentralised support and either
still active or exited on D or later: the day of an exit is still theirs (a visit that day
counts), from the next day nothing concerns them. Also who is away from home on a day
(an Absence covering it)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from server.people.models import Absence, Person, PersonExit


def on_roster(day: date):
    """A clause over Person: on the home-care roster on local ``day``."""
    exited_from = sa.exists().where(PersonExit.person_id == Person.id, PersonExit.exited_on >= day)
    return (Person.support_mode == "decentralised") & ((Person.status == "active") | exited_from)


def away_on(day: date, person_id=Person.id):
    """A clause: the person (a column, Person.id by default) is away from home on ``day``."""
    return sa.exists().where(Absence.person_id == person_id, Absence.start_on <= day, Absence.end_on >= day)
