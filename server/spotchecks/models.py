from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

OUTCOMES = ("true", "false")  # 属实, 不属实


class SpotCheck(SQLModel, table=True):
    """A verified visit drawn at random for township staff to call back (重点抽查、随机暗访,
    seed 003 三(四)): each month, after it closes, a share of each township's verified visits of
    that month (``CaseworkPolicy.spot_check_percent``). Staff ask the person (or the village)
    whether the visit took place and the care was given, and record ``outcome`` — ``true``
    (属实) or ``false`` (不属实, with the not-done ``reason`` and a ``note``: the visit is then
    rejected, visits.service.overturn)."""

    __table_args__ = (sa.Index("ix_spotcheck_township_month", "township_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", unique=True)
    township_id: int = Field(foreign_key="place.id")
    month: str = Field(max_length=7, description="YYYY-MM: the month of the visits it was drawn from")
    percent: int = Field(description="the share drawn that month (the setting then, kept: a month drawn is a record)")
    drawn_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=5)
    reason: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=500)
    checked_by: int | None = Field(default=None, foreign_key="app_user.id")
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
