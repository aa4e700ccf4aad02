"""The visits an alert came from, as staff see them beside the alert (``server.alerts.context``
asks; this room answers): when, how, by whom, the note and every observation, the concerning
ones marked. Registered with the alerts room by importing this module (the composition root does)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from server.alerts import context
from server.auth.models import User
from server.visits import catalogue
from server.visits.models import Visit
from server.visits.service import OBSERVATION_FIELDS, observations_of


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


@context.reads_visits
def for_alerts(session: Session, *, visit_ids: set[int], recorded_levels: dict[int, str | None],
               zh: bool) -> dict[int, dict]:
    """{visit id: its context, with its ``person_id``} for the visits of ``visit_ids`` that exist."""
    out = {}
    for row in session.execute(
            select(Visit.id, Visit.person_id, Visit.started_at, Visit.mode,
                   *(getattr(Visit, f) for f in OBSERVATION_FIELDS),
                   User.display_name.label("caregiver_name"), User.phone.label("caregiver_phone"))
            .join(User, User.id == Visit.caregiver_id).where(Visit.id.in_(visit_ids))):
        seen = observations_of(row)
        out[row.id] = {"id": row.id, "person_id": row.person_id, "started_at": row.started_at, "mode": row.mode,
                       "caregiver_name": row.caregiver_name, "caregiver_phone": row.caregiver_phone,
                       "note": (seen or {}).get("note"),
                       "observations": observations(seen, recorded_level=recorded_levels.get(row.person_id), zh=zh)}
    return out
