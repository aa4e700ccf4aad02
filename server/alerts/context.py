"""What staff need beside an alert to act on it: the person's address and phone, their
caregiver and the caregiver's phone, and the visit the alert came from — its note and every
observation, the concerning ones marked. Reading it is a read of the person's record (audited)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlmodel import Session

from server.alerts.models import Alert
from server.audit import service as audit
from server.auth.actor import Actor
from server.people import service as people
from server.people.models import Person
from server.places.models import Place


# The room an alert came from describes its source: the visits room registers the function that
# reads the visits alerts name (``server.visits.alert_context``); the alerts room never reads a visit.
_visit_readers: list[Callable[..., dict[int, dict]]] = []


def reads_visits(reader: Callable[..., dict[int, dict]]) -> Callable[..., dict[int, dict]]:
    """Registers ``reader(session, visit_ids=…, recorded_levels={person_id: level}, zh=…)``, which
    answers {visit id: the visit's context, with its ``person_id``} for the visits it finds."""
    _visit_readers.append(reader)
    return reader


def for_alerts(session: Session, *, actor: Actor, alerts: list[Alert], zh: bool) -> dict[int, dict]:
    """Alert id → its context (see the module docstring); alerts without a person get none. Only
    what the context shows is read: a page of fifty alerts is staff's busiest list."""
    person_ids = {a.person_id for a in alerts if a.person_id is not None}
    if not person_ids:
        return {}
    persons = {r.id: r for r in session.execute(
        select(Person.id, Person.name, Person.address, Person.phone, Person.self_care_level,
               Place.name.label("village"))
        .join(Place, Place.id == Person.village_id).where(Person.id.in_(person_ids)))}
    caregivers = people.active_caregivers(session, list(persons))
    visit_ids = {a.detail.get("visit_id") for a in alerts if isinstance(a.detail.get("visit_id"), int)}
    found = {}
    for reader in _visit_readers if visit_ids else ():
        found.update(reader(session, visit_ids=visit_ids, zh=zh,
                            recorded_levels={p.id: p.self_care_level for p in persons.values()}))
    out = {}
    for a in alerts:
        person = persons.get(a.person_id)
        if person is None:
            continue
        caregiver = caregivers.get(person.id)
        visit = found.get(a.detail.get("visit_id"))
        if visit is not None and visit["person_id"] != person.id:
            visit = None
        out[a.id] = {
            "person": {"id": person.id, "name": person.name, "address": person.address, "phone": person.phone,
                       "village": person.village},
            "caregiver": {"name": caregiver["display_name"], "phone": caregiver["phone"]} if caregiver else None,
            "visit": visit,
        }
    audit.record_person_reads(session, actor=actor, person_ids=sorted(persons), action="alert_context")
    return out
