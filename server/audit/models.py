from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime


class AuditLog(SQLModel, table=True):
    """Who read or changed what, when, from which address (PIPL: every access to a
    person's record is logged). ``person_id`` is set whenever the record concerns a person."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=20)
    entity: str = Field(max_length=30)
    entity_id: int | None = None
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    address: str | None = Field(default=None, max_length=45)
    detail: dict | None = Field(default=None, sa_type=sa.JSON)

    # the trail newest first, a keyset page at a time (audit.service.entries); retention cuts by ``at``
    __table_args__ = (sa.Index("ix_auditlog_at_id", "at", "id"),)
