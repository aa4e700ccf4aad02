from __future__ import annotations

from datetime import date, datetime

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

    A version of a level's policy, in force from ``effective_month`` (YYYY-MM) until the next
    version of the level: each month is judged by its own version, and a change applies from the
    month a district admin chose (this month or a later one, never one already closed). A level
    with no version in force is judged by the seeds' default (DEFAULT_POLICY). ``updated_by``,
    ``updated_at``: who last saved this version, and when."""

    __table_args__ = (sa.UniqueConstraint("self_care_level", "effective_month", name="uq_quotapolicy_level_month"),)

    id: int | None = Field(default=None, primary_key=True)
    self_care_level: str = Field(max_length=20)
    effective_month: str = Field(max_length=7)
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


class PersonMonth(SQLModel, table=True):
    """A person's month, written by the month close for every person on the roster of home care
    in it (server/quotas/month.py person_rows): the record every report, coverage screen,
    dashboard and export of a closed month reads, which nothing done later changes — but an
    amendment (MonthAmendment, ``amended_at``).

    ``days_on_roster`` from the 纳入日期 (or the 1st) to the exit (or the month's end);
    ``days_away`` of them in hospital or with family (Absence); ``quota`` the 探访 the policy
    version in force (``policy_id``; None: the seeds' default) asks over the days at home,
    prorated. ``home``/``phone_video``/``remote``: the counted 探访 by mode (by anyone);
    ``by_caregiver`` of them by a caregiver with an agreement of the month (or a staff login of the
    organisation holding one, seed 002 item 5), ``by_cadre`` by a
    结对 cadre, ``by_other`` by anyone else; ``by_volunteer`` the volunteer activities naming the
    person. ``visited``: looked in on, as 月探访率 counts it (seed 002 item 3).
    ``risk_flags`` and ``self_care_level`` as they were, for the rates of seed 002's groups, and
    ``elderly``: 60 or over in the month (the groups count 特殊困难老年人 only, seed 002 item 3)."""

    __table_args__ = (sa.UniqueConstraint("month", "person_id", name="uq_personmonth_month_person"),
                      sa.Index("ix_personmonth_month_village", "month", "village_id"))

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7)
    person_id: int = Field(foreign_key="person.id", index=True)
    village_id: int = Field(foreign_key="place.id")
    caregiver_id: int | None = Field(default=None, foreign_key="app_user.id")
    self_care_level: str = Field(max_length=20)
    risk_flags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    elderly: bool = True
    policy_id: int | None = Field(default=None, foreign_key="quotapolicy.id")
    days_on_roster: int
    days_away: int
    quota: int
    home: int
    phone_video: int
    remote: int
    by_caregiver: int
    by_cadre: int
    by_other: int
    by_volunteer: int
    visited: bool
    amended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AgreementMonth(SQLModel, table=True):
    """An agreement's month, written by the month close for every care agreement that ran in it
    (server/quotas/month.py agreement_rows): the caregiver's own counted 探访 against the quota
    prorated over the days the agreement ran while the person was on the roster and at home
    (``days_due``), and its 履约 (``fulfilment``: met, not_met, or excused — 不计, the person away or off
    the roster every day the agreement ran) — the basis of the care subsidy. ``home``,
    ``phone_video``, ``remote``: the caregiver's verified visits of each mode group, of which the
    policy counts ``counted``; ``flagged``: their visits of the month waiting for review or rejected."""

    __table_args__ = (sa.UniqueConstraint("month", "agreement_id", name="uq_agreementmonth_month_agreement"),
                      sa.Index("ix_agreementmonth_month_village", "month", "village_id"))

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7)
    agreement_id: int = Field(foreign_key="careagreement.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    caregiver_id: int = Field(foreign_key="app_user.id", index=True)
    village_id: int = Field(foreign_key="place.id")
    self_care_level: str = Field(max_length=20)
    start_on: date  # the agreement's start, and its end when it ended in the month
    end_on: date | None = None
    days_due: int
    quota: int
    home: int
    phone_video: int
    remote: int
    counted: int
    flagged: int
    fulfilment: str = Field(max_length=10)
    amended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MonthTotals(SQLModel, table=True):
    """A month's figures of one place (a village, a township, the district): what coverage, 月探访率
    by group and the dashboard read, a row a place instead of a million persons a month.

    Written by the month close from its PersonMonth and AgreementMonth rows (``closed``), again
    for a place an amendment touches; for the live month, by the scheduler's rollup every few
    minutes (``closed`` false, ``computed_at`` the freshness the screens print).
    ``on_roster``/``visited``: persons on the roster in the month, and of them visited (月探访率);
    ``due_<level>``/``met_<level>``: agreements judged (met or not) by the person's self-care level,
    and of them met (照料服务履约); ``excused``: agreements 不计; ``<group>_total``/``<group>_visited``:
    the groups of seed 002 (VISIT_RATE_GROUPS) and ``any`` (each person once); ``alerts``: the alerts
    raised in the month about the place and the places under it (the dashboard's)."""

    # a place's children in a month (a district's townships, a township's villages)
    __table_args__ = (sa.Index("ix_monthtotals_month_parent", "month", "parent_id"),)

    month: str = Field(max_length=7, primary_key=True)
    place_id: int = Field(foreign_key="place.id", primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="place.id")
    level: str = Field(max_length=10)
    closed: bool
    computed_at: datetime = Field(sa_type=UTCDateTime)
    on_roster: int = 0
    visited: int = 0
    due_self_care: int = 0
    met_self_care: int = 0
    due_partly_disabled: int = 0
    met_partly_disabled: int = 0
    due_fully_disabled: int = 0
    met_fully_disabled: int = 0
    excused: int = 0
    lives_alone_total: int = 0
    lives_alone_visited: int = 0
    empty_nest_total: int = 0
    empty_nest_visited: int = 0
    left_behind_total: int = 0
    left_behind_visited: int = 0
    disabled_total: int = 0
    disabled_visited: int = 0
    severe_disability_total: int = 0
    severe_disability_visited: int = 0
    family_planning_special_total: int = 0
    family_planning_special_visited: int = 0
    any_total: int = 0
    any_visited: int = 0
    alerts: int = 0  # alerts raised in the month about the place and the places under it


# the counts a MonthTotals row sums from the month's rows, in the order they are written
TOTAL_COUNTS = tuple(c for c in MonthTotals.model_fields
                     if c not in ("month", "place_id", "parent_id", "level", "closed", "computed_at", "alerts"))


class MonthClose(SQLModel, table=True):
    """That a month was closed, and when: from then on its figures are its PersonMonth and
    AgreementMonth rows. ``policy``: the rules it judged by, as reports print them
    (quotas.service.applied: each level's version and whether volunteer visits counted)."""

    month: str = Field(max_length=7, primary_key=True)
    closed_at: datetime = Field(sa_type=UTCDateTime)
    policy: dict = Field(default_factory=dict, sa_type=sa.JSON)
    persons: int
    agreements: int


class MonthAmendment(SQLModel, table=True):
    """A closed month closed again for one person (更正): a review decided after the close, a
    stay away recorded late, a late visit accepted, a volunteer activity logged late. Who
    (``by``), when (``at``), why (``reason``: review, spot_check, absence, visit or volunteer_activity; ``ref``: the visit, stay or activity), and what
    changed (``detail``: the person's and the agreements' figures before and after)."""

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(max_length=7, index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    by: int | None = Field(default=None, foreign_key="app_user.id")
    reason: str = Field(max_length=20)
    ref: int | None = None
    detail: dict = Field(default_factory=dict, sa_type=sa.JSON)


class SchedulePolicy(SQLModel, table=True):
    """The cadences beside the visit quota (one row): volunteer team activities a month
    (seed 000 item 3), the yearly health check for people of 65 and over (seed 000 item 4), the
    month of the yearly review and the second one of B and C class 低保 (动态管理, seed 004 item 4).
    ``updated_by``, ``updated_at``: who last saved it, and when."""

    id: int = Field(default=1, primary_key=True)
    volunteer_activities_per_month: int = 1  # seed 000 item 3: 不定期组织开展志愿服务特困人员活动（每月至少一次）
    health_check_min_age: int = 65  # seed 000 item 4: 每年为65周岁以上特困人员进行一次免费健康体检
    review_month: int = 3  # seed 004 item 4: 对特困人员、…A类低保家庭，每年3月统一核查1次
    # seed 004 item 4: B、C类低保家庭，分别在每年3月和9月进行统一核查 — None: six months after review_month
    review_second_month: int | None = None
    # A visit received more than this many days after it started is a late_submission exception
    # (docs/domain.md "Visit verification"). The seeds give no number: 7 is a local policy default.
    late_submission_days: int = 7
    # Whether a volunteer team's visit naming a person (走访慰问, seed 000 item 3) makes that person
    # visited in the 月探访率 (seed 002). The seeds give no rule; the default reads seed 002's
    # 探访关爱机制, which counts the person visited 通过上门走访、通讯探访、结对帮扶、邻里互助等方式 — by
    # whoever comes, not only the caregiver. It never counts toward a caregiver's own quota.
    volunteer_visits_count: bool = True
    # A caregiver is reminded about a person whose month is not yet met once this many days (or
    # fewer) are left in the month, so there is still time to go (and at the even pace besides
    # when a quota asks for more than one). No seed gives a number: 7 is a local default.
    reminder_days_left: int = 7
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")  # None: nobody saved it yet
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
