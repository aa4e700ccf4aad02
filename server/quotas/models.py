from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server.db import UTCDateTime, utcnow

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
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
