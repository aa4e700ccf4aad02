from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

SEVERITIES = ("normal", "urgent")
LEVELS = ("township", "district")
STATUSES = ("open", "acknowledged", "resolved")
# Kinds the scheduler raises; the deterioration rules add their own (DOMAIN.md "escalation").
KINDS = ("visit_gap", "quota_missed")


class Alert(SQLModel, table=True):
    """Something township staff must act on, and, if nobody does within the SLA, the district
    (DOMAIN.md "When things go wrong: escalation"). ``dedupe_key`` makes raising idempotent:
    the same situation raised twice is one alert."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30, index=True)
    severity: str = Field(default="normal", max_length=10)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    place_id: int = Field(foreign_key="place.id", index=True, description="the township concerned")
    level: str = Field(default="township", max_length=10)
    status: str = Field(default="open", max_length=15, index=True)
    title: str = Field(max_length=200)
    detail: dict = Field(default_factory=dict, sa_type=sa.JSON)
    dedupe_key: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)  # raised_since
    sla_due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: int | None = Field(default=None, foreign_key="app_user.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: int | None = Field(default=None, foreign_key="app_user.id")
    outcome: str | None = Field(default=None, max_length=30)


class AlertEvent(SQLModel, table=True):
    """One step of an alert's timeline: raised, notified, escalated, acknowledged, note, resolved."""

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    kind: str = Field(max_length=20)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    note: str | None = Field(default=None, max_length=500)
