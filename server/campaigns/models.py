"""Campaigns that come round with a frequency: the quarterly 人居环境 clean-up of every home under
decentralised support (seed 000 item 11: 积分制, 清单制) and the yearly free health check for
people of 65 and over (seed 000 item 4; seed 002 附件2 第9项 with 家庭医生签约)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

KINDS = ("cleanup", "health_check")
# 各镇街每季度组织开展一次 (seed 000 item 11) · 每年…进行一次免费健康体检 (seed 000 item 4): the seeds'
# frequencies, in force until a district sets its own from a later year (CampaignFrequency)
FREQUENCY = {"cleanup": "quarter", "health_check": "year"}
FREQUENCIES = ("month", "quarter", "half_year", "year")

# The seeds name the 清单制 but give no list and no points. Until district admins set theirs, the
# list is what seed 001 asks of a home (§二(一)1 维护居所卫生、保持个人清洁; annex 3 note 2: 被褥衣服,
# 室内异味), one point an item: a count, not a number any seed gives.
DEFAULT_CHECKLIST = [
    {"code": "home_clean", "label": "居所卫生整洁", "points": 1},
    {"code": "personal_hygiene", "label": "个人清洁", "points": 1},
    {"code": "bedding_clothes", "label": "被褥衣服干净", "points": 1},
    {"code": "no_odour", "label": "室内无异味", "points": 1},
]
# Days before a period ends when staff are reminded of whoever is not done: no seed gives one;
# a local default district admins change in the app.
DEFAULT_REMIND_DAYS = 15


class CampaignPolicy(SQLModel, table=True):
    """A campaign's settings: when to remind, and (clean-up) the checklist with its points."""

    kind: str = Field(primary_key=True, max_length=20)
    remind_days_before: int = DEFAULT_REMIND_DAYS
    checklist: list[dict] = Field(default_factory=list, sa_type=sa.JSON)
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class CampaignRecord(SQLModel, table=True):
    """A person done for a campaign's period (YYYY-Qn or YYYY): the clean-up with the checklist
    items met and the points they earn, or the health check with the family doctor signed or not."""

    __table_args__ = (sa.UniqueConstraint("kind", "person_id", "period", name="uq_campaign_person_period"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    period: str = Field(max_length=7, index=True)
    done_on: date
    items: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    points: int = 0
    family_doctor_signed: bool | None = None
    note: str | None = Field(default=None, max_length=500)
    recorded_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class CampaignFrequency(SQLModel, table=True):
    """A district's own frequency for a campaign, from the first of January of ``from_year`` on (issue
    29 part 8). A year already begun keeps the frequency it began with, so its periods and their
    records stay whole; the latest version whose year has come is in force, else the seed's."""

    kind: str = Field(primary_key=True, max_length=20)
    from_year: int = Field(primary_key=True)
    frequency: str = Field(max_length=10)
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
