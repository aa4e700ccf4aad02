from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# The project's defaults (README "Visit quotas"): seed 002 asks a monthly visit rate of 100%
# (at least one visit a month for everyone); people who cannot look after themselves need
# help with eating, medication and toileting (seed 001 §二(一)1), so more often.
DEFAULT_QUOTAS = {
    "self_care": (2, 20),
    "partly_disabled": (4, 10),
    "fully_disabled": (8, 5),
}


class QuotaPolicy(SQLModel, table=True):
    """Monthly visit quota per self-care level (生活自理能力): the minimum verified home visits
    a month and the longest allowed gap between them, in days. Edited by district admins."""

    self_care_level: str = Field(primary_key=True, max_length=20)
    visits_per_month: int
    max_gap_days: int
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class MonthlyCompliance(SQLModel, table=True):
    """Whether a person's visit quota was met in a month, written once by the month close.
    The basis for the care subsidy paid or withheld (seed 001: care not given is fraud)."""

    __table_args__ = (sa.UniqueConstraint("person_id", "month", name="uq_compliance_person_month"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    month: str = Field(max_length=7, index=True)
    village_id: int = Field(foreign_key="place.id")
    caregiver_id: int | None = Field(default=None, foreign_key="app_user.id")
    self_care_level: str = Field(max_length=20)
    quota: int
    verified_home_visits: int
    met: bool


class SchedulePolicy(SQLModel, table=True):
    """The cadences beside the visit quota (one row): volunteer team activities a month
    (seed 000 item 3), the yearly health check for people of 65 and over (seed 000 item 4), the
    month of the yearly review (动态管理, seed 004 item 4)."""

    id: int = Field(default=1, primary_key=True)
    volunteer_activities_per_month: int = 1
    health_check_min_age: int = 65
    review_month: int = 3
    # A visit received more than this many days after it started is a late_submission exception
    # (README "Visit verification"). The seeds give no number: 7 is a local policy default.
    late_submission_days: int = 7
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
