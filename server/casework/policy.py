"""The district's casework numbers (``CaseworkPolicy``): read by everyone, set by district admins."""

from __future__ import annotations

from sqlmodel import Session

from server import clock
from server.audit import service as audit
from server.auth.actor import Actor
from server.casework.models import CaseworkPolicy


def policy(session: Session) -> CaseworkPolicy:
    return session.get(CaseworkPolicy, 1) or CaseworkPolicy(id=1)


def update_policy(session: Session, *, actor: Actor, **values) -> CaseworkPolicy:
    row = policy(session)
    for k, v in values.items():
        setattr(row, k, v)
    row.updated_by, row.updated_at = actor.user.id, clock.now()
    session.add(row)
    audit.record(session, actor=actor, action="update", entity="casework_policy", detail=values)
    session.flush()
    return row
