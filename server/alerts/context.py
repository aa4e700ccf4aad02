"""What staff need beside an alert to act on it: the person's address and phone, their
caregiver and the caregiver's phone, and the visit the alert came from — its note and every
observation, the concerning ones marked. Reading it is a read of the person's record (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from server.alerts.models import Alert
from server.audit import service as audit
from server.auth.actor import Actor
from server.people import service as people
from server.people.models import Person
from server.visits import catalogue
from server.visits import service as visits
from server.visits.models import Visit
from server.visits.service import OBSERVATION_FIELDS


def observations(view: dict, *, recorded_level: str | None, zh: bool) -> list[dict]:
    """A visit's observations in catalogue order, labelled, each marked ``concern`` when staff
    should look at it (``catalogue.CONCERNING``, or a self-care level worse than on record)."""
    seen = view.get("observations") or {}
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
    """Alert id → its context (see the module docstring); alerts without a person get none."""
    person_ids = {a.person_id for a in alerts if a.person_id is not None}
    persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))} if person_ids else {}
    ctx = people.context_for(session, list(persons.values()))
    visit_ids = {a.detail.get("visit_id") for a in alerts if isinstance(a.detail.get("visit_id"), int)}
    found = list(session.scalars(select(Visit).where(Visit.id.in_(visit_ids)))) if visit_ids else []
    by_visit = {v["id"]: v for v in visits.views(session, found)}
    out = {}
    for a in alerts:
        person = persons.get(a.person_id)
        if person is None:
            continue
        village = ctx["villages"].get(person.village_id)
        caregiver = ctx["caregivers"].get(person.id)
        view = by_visit.get(a.detail.get("visit_id"))
        visit = None
        if view is not None and view["person_id"] == person.id:
            visit = {"id": view["id"], "started_at": view["started_at"], "mode": view["mode"],
                     "caregiver_name": view["caregiver_name"], "caregiver_phone": view["caregiver_phone"],
                     "note": (view["observations"] or {}).get("note"),
                     "observations": observations(view, recorded_level=person.self_care_level, zh=zh)}
        out[a.id] = {
            "person": {"id": person.id, "name": person.name, "address": person.address, "phone": person.phone,
                       "village": village.name if village else None},
            "caregiver": {"name": caregiver["display_name"], "phone": caregiver["phone"]} if caregiver else None,
            "visit": visit,
        }
    audit.record_person_reads(session, actor=actor, person_ids=sorted(persons), action="alert_context")
    return out
