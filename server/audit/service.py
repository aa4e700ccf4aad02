"""The audit trail: every read or change of a person's record, who, what, when, where from."""

from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server import clock
from server.audit.models import AuditLog
from server.db import id_rows
from server.auth.actor import Actor
from server.paging import Page, select_page, split

_INSERT = AuditLog.__table__.insert()
_READS = "zhaoying.audit.reads"  # session.info's list of the reads to write at its commit


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None = None,
    person_id: int | None = None,
    detail: dict | None = None,
) -> None:
    # A plain insert: the trail is written on every read, so it must cost one statement.
    session.connection().execute(
        _INSERT,
        {
            "at": clock.now(),
            "user_id": actor.user.id if actor else None,
            "address": actor.address if actor else None,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "person_id": person_id,
            "detail": detail,
        },
    )


def record_many(session: Session, *, actor: Actor | None, entries: list[dict]) -> None:
    """``record`` for a batch of changes in one statement (executemany): each entry has action,
    entity, entity_id and, where they apply, person_id and detail."""
    if not entries:
        return
    at = clock.now()
    base = {"at": at, "user_id": actor.user.id if actor else None, "address": actor.address if actor else None,
            "person_id": None, "detail": None}
    session.connection().execute(_INSERT, [{**base, **e} for e in entries])


def record_selected(session: Session, *, actor: Actor | None, action: str, entity: str, rows) -> None:
    """``record`` for a batch of changes in one INSERT … SELECT: ``rows`` is a select of the
    entity's id, the person's id (or NULL) and, when there is one, the detail (a JSON object built
    in the database, db.json_object), one row per change."""
    table = AuditLog.__table__
    changed = rows.subquery()
    session.execute(table.insert().from_select(
        ["at", "user_id", "address", "action", "entity", "entity_id", "person_id", "detail"][:5 + len(changed.c)],
        select(sa.literal(clock.now(), type_=table.c.at.type),
               sa.literal(actor.user.id if actor else None, type_=sa.Integer),
               sa.literal(actor.address if actor else None, type_=table.c.address.type),
               sa.literal(action, type_=table.c.action.type), sa.literal(entity, type_=table.c.entity.type),
               *changed.c)))


def record_person_reads(session: Session, *, actor: Actor, person_ids: Iterable[int], action: str) -> None:
    """One row per person shown, so a person's own trail lists every list that showed them.

    Kept in the session and written as its transaction commits (``_write_reads``), by one
    INSERT … SELECT over the ids bound as one parameter (db.id_rows): a list page's fifty rows
    cost one statement, not fifty rounds of parameters. Written at the commit, not here, because
    on SQLite a transaction's first write takes the database's one write lock until its commit: a
    list that wrote its trail and then shaped its page held that lock through the shaping, and
    sixteen staff paging at once queued on it. A request that fails is rolled back, and with it
    what it would have shown."""
    ids = list(person_ids)
    if ids:
        session.info.setdefault(_READS, []).append((clock.now(), actor.user.id, actor.address, action, ids))


@sa.event.listens_for(Session, "before_commit")
def _write_reads(session: Session) -> None:
    table = AuditLog.__table__
    for at, user_id, address, action, ids in session.info.pop(_READS, ()):
        shown = id_rows(session, ids)
        session.execute(table.insert().from_select(
            ["at", "user_id", "address", "action", "entity", "entity_id", "person_id"],
            select(sa.literal(at, type_=table.c.at.type), sa.literal(user_id, type_=sa.Integer),
                   sa.literal(address, type_=table.c.address.type), sa.literal(action, type_=table.c.action.type),
                   sa.literal("person", type_=table.c.entity.type), shown.c.value, shown.c.value)))


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_reads(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_READS, None)


def entries(session: Session, *, page: Page = Page(), **filters) -> tuple[list[AuditLog], str | None]:
    """The audit trail (query's), newest first, a page at a time."""
    return split(list(session.scalars(select_page(query(**filters), page, order=[AuditLog.at, AuditLog.id],
                                                  descending=True))), page, lambda e: (e.at, e.id))


def query(*, person_id: int | None = None, user_id: int | None = None):
    stmt = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if person_id is not None:
        stmt = stmt.where(AuditLog.person_id == person_id)
    if user_id is not None:
        stmt = stmt.where(AuditLog.user_id == user_id)
    return stmt
