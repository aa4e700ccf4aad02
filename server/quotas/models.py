from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# How a caregiver reaches the person (seed 000 item 2: 上门入户、电话视频、远程监测), grouped as the
# quota policy counts them: a visit's ``mode`` (server/visits/models.py MODES) → its group.
MODE_GROUPS = {"home": ("home",), "phone_video": ("phone", "video"), "remote": ("remote",)}
GROUP_OF_MODE = {mode: group for group, modes in MODE_GROUPS.items() for mode in modes}

# The seeds' minimum, the same for every self-care level: at least one 探访 a month, of any
# verified mode.
#   - seed 002 (探访关爱机制): 特殊困难老年人月探访率达到100%, visited 通过上门走访、通讯探访 —
#     a call counts as much as a home visit;
#   - seed 000 item 2: the caregiver serves 不定期 通过上门入户、电话视频、远程监测 — no number and
#     no cadence per self-care level, so nothing more is assumed;
#   - no seed sets a longest gap between visits: none (the month close catches a month without one).
# More (home visits per level, a longest gap) is a local rule district admins set in the app.
DEFAULT_POLICY = {
    "visits_per_month": 1,  # seed 002 月探访率 100%: each person visited in each month
    "max_gap_days": None,  # no seed gives one
    "count_home": True, "count_phone_video": True, "count_remote": True,  # seed 000 item 2, seed 002
    "min_home": 0, "min_phone_video": 0, "min_remote": 0,  # no seed asks a mode of its own
}


class QuotaPolicy(SQLModel, table=True):
    """What counts toward the month, per self-care level (生活自理能力): the 探访 a month of the
    modes that count (``count_<group>``), the least of each mode (``min_<group>``: a local rule
    asking for home visits), and the longest allowed gap between them in days (none by default).
    Edited by district admins (``updated_by``, ``updated_at``: who last did, and when)."""

    self_care_level: str = Field(primary_key=True, max_length=20)
    visits_per_month: int
    max_gap_days: int | None = None
    count_home: bool = True
    count_phone_video: bool = True
    count_remote: bool = True
    min_home: int = 0
    min_phone_video: int = 0
    min_remote: int = 0
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)

    def counting_modes(self) -> tuple[str, ...]:
        """The visit modes this level's policy counts."""
        return tuple(m for group, modes in MODE_GROUPS.items() if getattr(self, f"count_{group}") for m in modes)

    def required(self) -> int:
        """The 探访 the month asks for at least, the per-mode minimums included."""
        return max(self.visits_per_month, self.min_home + self.min_phone_video + self.min_remote)

    def counted(self, home, phone_video, remote):
        """Visits of the counting modes, from the verified visits of each group. Works on numbers
        and on SQL expressions alike (the month close evaluates it in the database)."""
        return ((home if self.count_home else 0) + (phone_video if self.count_phone_video else 0)
                + (remote if self.count_remote else 0))

    def met(self, home, phone_video, remote):
        """The one rule of 达标: enough visits of the counting modes, and each mode's minimum.
        Numbers give a bool, SQL expressions a SQL condition."""
        return ((self.counted(home, phone_video, remote) >= self.visits_per_month) & (home >= self.min_home)
                & (phone_video >= self.min_phone_video) & (remote >= self.min_remote))


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
    verified_home_visits: int  # the visits the policy counted (the column keeps its first name)
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
    # Whether a volunteer team's visit naming a person (走访慰问, seed 000 item 3) makes that person
    # visited in the 月探访率 (seed 002). The seeds give no rule; the default reads seed 002's
    # 探访关爱机制, which counts the person visited 通过上门走访、通讯探访、结对帮扶、邻里互助等方式 — by
    # whoever comes, not only the caregiver. It never counts toward a caregiver's own quota.
    volunteer_visits_count: bool = True
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
