from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# 上门入户 · 电话 · 视频 · 远程监测 (DOMAIN.md "who uses the app").
MODES = ("home", "phone", "video", "remote")
# verified: every check passed; exception: waiting for township review;
# accepted / rejected: an exception after review.
STATUSES = ("verified", "exception", "accepted", "rejected")
COUNTS_AS_VERIFIED = ("verified", "accepted")


class Visit(SQLModel, table=True):
    """One home visit (or call) by a caregiver: the evidence behind the care subsidy.

    Carries the six elements of electronic visit verification: service (``services``),
    person, date, location (``lat``/``lon`` WGS-84 with ``accuracy_m``), caregiver,
    start and end time. ``client_id`` is made on the phone, so a replayed upload from
    an offline outbox is stored once; ``content_hash`` tells a replay from a conflict.

    What the caregiver saw is part of the visit, in the columns of seed 001 annex 3's form:
    ``self_care_level`` — 自理情况; ``living_environment`` — 居住环境 (整洁干净 / 一般 / 脏乱差);
    ``health`` — 健康 (well / unwell / needs doctor / in hospital; 生病送医, seed 001 §二(一)1);
    ``hygiene`` — 个人卫生; ``food_supplies`` — 食物和生活用品; ``mood`` — 精神状态; ``note``; and,
    on a home visit, seed 002 item 3's ``safety_risk`` — 安全风险, ``family_support`` — 家庭赡养 and
    ``care_need`` — 关爱保护 (codes of server/visits/catalogue.OBSERVATIONS).
    """

    # a person's visits by month, a caregiver's visits in time order (the neighbours of a check-in);
    # every visit of a month, for the month's counts (close, coverage, reminders, gap watch): on
    # PostgreSQL it carries what those counts read, so they are index-only scans of the month. This,
    # not partitioning by month, is what the month scans need (measured, issue 13's closing note:
    # 40 ms against 55 ms for a month partition and 312 ms without it, at 3.2 million visits), and a
    # partitioned table could not keep ``client_id`` unique, the check-in's idempotency key.
    __table_args__ = (
        sa.Index("ix_visit_person_started", "person_id", "started_at"),
        sa.Index("ix_visit_caregiver_started", "caregiver_id", "started_at"),
        # the month's scans, and the visits list newest first (a keyset page on (started_at, id))
        sa.Index("ix_visit_started", "started_at", "id", postgresql_include=["person_id", "status", "mode"]),
        # the review queue: visits of one status, newest first (visits.service list's order)
        sa.Index("ix_visit_status_started", "status", "started_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)
    person_id: int = Field(foreign_key="person.id")
    caregiver_id: int = Field(foreign_key="app_user.id")
    agreement_id: int | None = Field(default=None, foreign_key="careagreement.id")
    # a cadre's pairing visit (结对帮扶, seed 003): then ``caregiver_id`` is the cadre's login
    pairing_id: int | None = Field(default=None, foreign_key="pairing.id", index=True)
    mode: str = Field(max_length=10)
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    coord_system: str = Field(default="wgs84", max_length=10, description="what the phone sent; stored as WGS-84")
    services: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    device_time: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    status: str = Field(max_length=10)
    exceptions: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    exception_detail: dict = Field(default_factory=dict, sa_type=sa.JSON)
    content_hash: str = Field(max_length=64)
    reviewed_by: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_reason: str | None = Field(default=None, max_length=40)
    review_note: str | None = Field(default=None, max_length=500)
    self_care_level: str | None = Field(default=None, max_length=20)
    health: str | None = Field(default=None, max_length=20)
    hygiene: str | None = Field(default=None, max_length=10)
    living_environment: str | None = Field(default=None, max_length=10)
    food_supplies: str | None = Field(default=None, max_length=12)
    mood: str | None = Field(default=None, max_length=10)
    safety_risk: str | None = Field(default=None, max_length=20)
    family_support: str | None = Field(default=None, max_length=20)
    care_need: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=500)
    # a 远程监测 check (mode ``remote``): the device looked at (catalogue.MONITOR_DEVICES) and what it read
    monitor_device: str | None = Field(default=None, max_length=20)
    monitor_reading: str | None = Field(default=None, max_length=200)
