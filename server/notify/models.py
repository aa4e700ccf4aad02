from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

CHANNELS = ("inbox", "webpush", "sms")


class Notification(SQLModel, table=True):
    """A message to one user. The in-app inbox always has it; Web Push and the SMS gateway carry
    it too where they can. ``dedupe_key`` (unique per user) keeps a job that runs twice from
    saying the same thing twice."""

    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key", name="uq_notification_user_key"),
        # what delivery still has to carry, in id order (deliver_pending's batches); small, since
        # a delivered row leaves it
        sa.Index("ix_notification_undelivered", "id", sqlite_where=sa.text("delivered_at IS NULL"),
                 postgresql_where=sa.text("delivered_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    kind: str = Field(max_length=30)
    title: str = Field(max_length=120)
    body: str = Field(max_length=1000)
    url: str | None = Field(default=None, max_length=200)
    urgent: bool = False
    alert_id: int | None = Field(default=None, foreign_key="alert.id", index=True)  # an alert's messages (for_alerts)
    dedupe_key: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                          description="when push or SMS took it; None while waiting (quiet hours)")


class Delivery(SQLModel, table=True):
    """One attempt to carry a notification over one channel: the delivery log."""

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int = Field(foreign_key="notification.id", index=True)
    channel: str = Field(max_length=10)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    status: str = Field(max_length=10, description="sent | failed | gone | skipped")
    http_status: int | None = None
    error: str | None = Field(default=None, max_length=300)


class PushSubscription(SQLModel, table=True):
    """A browser's Web Push subscription (RFC 8030 endpoint, RFC 8291 keys)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    endpoint: str = Field(max_length=800, unique=True)
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class JobRun(SQLModel, table=True):
    """A scheduled job's run for one period (a day, an hour, a month): what makes a job that runs
    twice, or is caught up after downtime, do its work once."""

    __table_args__ = (sa.UniqueConstraint("job", "period", name="uq_jobrun_job_period"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=40)
    period: str = Field(max_length=20)
    started_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    result: dict = Field(default_factory=dict, sa_type=sa.JSON)
