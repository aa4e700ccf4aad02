"""What staff need beside an alert to act on it: the person's address and phone, their
caregiver and the caregiver's phone, and the visit the alert came from — its note and every
observation, the concerning ones marked. Reading it is a read of the person's record (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from server.alerts.models import Alert
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.models import User
from server.people import service as people
from server.people.models import Person
from server.places.models import Place
from server.visits import catalogue
from server.visits import service as visits
from server.visits.models import Visit
from server.visits.service import OBSERVATION_FIELDS


def observations(seen: dict | None, *, recorded_level: str | None, zh: bool) -> list[dict]:
    """A visit's observations (``visits.observations_of``) in catalogue order, labelled, each
    marked ``concern`` when staff should look at it (``catalogue.CONCERNING``, or a self-care
    level worse than on record)."""
    seen = seen or {}
    out = []
    for field in OBSERVATION_FIELDS:
        value = seen.get(field)
        if value is None or field == "note":
            continue
        label = catalogue.OBSERVATIONS[field].get(value, (value, value))[0 if zh else 1]
        if field == "self_care_level":
            order = list(catalogue.OBSERVATIONS["self_care_level"])
            concern = recorded_level in order and order.index(value) > order.index(recorded_level)
        else:
            concern = value in catalogue.CONCERNING.get(field, ())
        out.append({"field": field, "code": value, "label": label, "concern": concern})
    return out


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
    found = {r.id: r for r in session.execute(
        select(Visit.id, Visit.person_id, Visit.started_at, Visit.mode,
               *(getattr(Visit, f) for f in OBSERVATION_FIELDS),
               User.display_name.label("caregiver_name"), User.phone.label("caregiver_phone"))
        .join(User, User.id == Visit.caregiver_id).where(Visit.id.in_(visit_ids)))} if visit_ids else {}
    out = {}
    for a in alerts:
        person = persons.get(a.person_id)
        if person is None:
            continue
        caregiver = caregivers.get(person.id)
        row = found.get(a.detail.get("visit_id"))
        visit = None
        if row is not None and row.person_id == person.id:
            seen = visits.observations_of(row)
            visit = {"id": row.id, "started_at": row.started_at, "mode": row.mode,
                     "caregiver_name": row.caregiver_name, "caregiver_phone": row.caregiver_phone,
                     "note": (seen or {}).get("note"),
                     "observations": observations(seen, recorded_level=person.self_care_level, zh=zh)}
        out[a.id] = {
            "person": {"id": person.id, "name": person.name, "address": person.address, "phone": person.phone,
                       "village": person.village},
            "caregiver": {"name": caregiver["display_name"], "phone": caregiver["phone"]} if caregiver else None,
            "visit": visit,
        }
    audit.record_person_reads(session, actor=actor, person_ids=sorted(persons), action="alert_context")
    return out
