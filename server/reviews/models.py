from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# 核查方式 (seed 004 item 4): 续保申请 · 平台核查 · 入户调查.
REVIEW_METHODS = ("renewal_application", "platform_check", "home_survey")
# What the review decided: keep the aid as it is, adjust it, or the person leaves (进退有序).
REVIEW_RESULTS = ("continue", "adjust", "exit")


class ReviewRecord(SQLModel, table=True):
    """One person's periodic review (定期核查, seed 004 item 4) in a campaign: the campaign is the
    review month of a year (``campaign`` "YYYY-MM"), March for everyone, September again for
    B and C class 低保. At most one record per person and campaign."""

    __table_args__ = (sa.UniqueConstraint("person_id", "campaign", name="uq_reviewrecord_person_campaign"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    campaign: str = Field(max_length=7, index=True)
    method: str = Field(max_length=30)
    result: str = Field(max_length=10)
    reviewed_on: date
    reviewed_by: int = Field(foreign_key="app_user.id")
    note: str | None = Field(default=None, max_length=500)
    recorded_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
