from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

SEXES = ("M", "F")
# 生活自理能力 (seed 000 item 5; seed 001 §二(一)1): 全自理 · 半失能 · 全失能.
SELF_CARE_LEVELS = ("self_care", "partly_disabled", "fully_disabled")
# 供养方式: 分散供养 (at home) · 集中供养 (in a care home).
SUPPORT_MODES = ("decentralised", "centralised")
STATUSES = ("active", "centralised", "deceased", "exited")
# Special-difficulty groups of seeds 002–004 (独居, 空巢, 留守, 精神障碍, 重残).
# 失独 (lost_only_child): elders whose only child has died, eligible for 助浴 at the 低保 rate (seed 002 服务清单).
# 计划生育特殊家庭 (family_planning_special): its own group of seed 002 item 3's 探访关爱 — not 失独, which
# is one kind of it: only 失独 is named in 服务清单 items 5–6, so this flag alone earns no 助浴/助洁 rate.
RISK_FLAGS = ("lives_alone", "empty_nest", "left_behind", "mental_illness", "severe_disability", "lost_only_child",
              "family_planning_special")
# 救助类别 (seed 003 annex: 低保 / 特困 / 特殊困难家庭): the roster is mostly 特困 (分散供养特困人员), but
# pairing, subsidised services and the yearly review also concern 低保 and other hard-pressed households.
ASSISTANCE_CATEGORIES = ("tekun", "dibao", "special_hardship")
# The groups whose 月探访率 seed 002 item 3 (探访关爱机制) asks to reach 100%: 独居、空巢、留守、失能、重残、
# 计划生育特殊家庭等特殊困难老年人. 失能 is a self-care level (partly or fully disabled), the others are
# risk flags; a person counts in them from the month they are 60 (老年人: VISIT_RATE_MIN_AGE).
VISIT_RATE_GROUPS = ("lives_alone", "empty_nest", "left_behind", "disabled", "severe_disability",
                     "family_planning_special")
# 特殊困难老年人 (seed 002 item 3) are 老年人: 60 and over, as seed 002 附件2 counts 老年人 (60周岁及以上).
VISIT_RATE_MIN_AGE = 60


def visit_rate_groups(risk_flags: list[str] | None, self_care_level: str) -> list[str]:
    """The seed 002 groups a person belongs to (one may be in several); the rates count them in a
    month they are 60 or over (VISIT_RATE_MIN_AGE)."""
    flags = set(risk_flags or ())
    return [g for g in VISIT_RATE_GROUPS
            if (self_care_level in ("partly_disabled", "fully_disabled") if g == "disabled" else g in flags)]


def in_visit_rate_group(group: str, risk_flags, self_care_level):
    """SQL: a person (their ``risk_flags`` JSON column and ``self_care_level``) is in one of seed
    002's groups (VISIT_RATE_GROUPS), as visit_rate_groups answers in Python; ``any``: in one of
    them at least. The flags are matched in the JSON's text, quoted, on both engines."""
    if group == "any":
        return sa.or_(*(in_visit_rate_group(g, risk_flags, self_care_level) for g in VISIT_RATE_GROUPS))
    if group == "disabled":
        return self_care_level.in_(("partly_disabled", "fully_disabled"))
    return sa.cast(risk_flags, sa.Text).like(f'%"{group}"%')


# 低保 classes A/B/C: A is reviewed each March, B and C in March and September (seed 004 item 4).
DIBAO_CLASSES = ("A", "B", "C")
HOME_LOCATION_STATES = ("confirmed", "proposed")


class Person(SQLModel, table=True):
    """A person in extreme difficulty (特困人员), one row of seed 001 annex 1's count
    and of annex 3's assessment form (村/居委会, 姓名, 性别, 年龄 from birth date).

    ``id_number`` — 公民身份号码 (GB 11643), stored whole and masked in every response.
    ``home_lat``/``home_lon`` are WGS-84; ``home_location_state`` is ``confirmed`` when
    staff set it and ``proposed`` when it came from the first verified visits.
    """

    # search by a fragment of name, ID number or phone (people.service.search): trigram indexes on
    # PostgreSQL (pg_trgm), which ``ILIKE '%q%'`` uses; on SQLite a full-text table with a trigram
    # tokenizer, kept by triggers (migration 0025_person_search_sqlite)
    __table_args__ = tuple(
        sa.Index(f"ix_person_{c}_trgm", c, postgresql_using="gin", postgresql_ops={c: "gin_trgm_ops"})
        .ddl_if(dialect="postgresql")
        for c in ("name", "id_number", "phone"))

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, index=True)
    sex: str = Field(max_length=1)
    birth_date: date
    id_number: str = Field(max_length=18, unique=True)
    support_mode: str = Field(default="decentralised", max_length=20)
    self_care_level: str = Field(max_length=20, index=True)
    risk_flags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    assistance_category: str = Field(default="tekun", max_length=20, index=True)
    dibao_class: str | None = Field(default=None, max_length=1)
    status: str = Field(default="active", max_length=20, index=True)
    village_id: int = Field(foreign_key="place.id", index=True)
    address: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    home_lat: float | None = None
    home_lon: float | None = None
    home_location_state: str | None = Field(default=None, max_length=10)
    care_home_id: int | None = Field(default=None, foreign_key="carehome.id", index=True)
    # 集中供养意愿 (seed 001 §二(一)2–3): whether the person wishes to move into a care home, as the
    # last door-to-door evaluation asked it (None: never asked), and when.
    wishes_centralised: bool | None = None
    wishes_centralised_on: date | None = None
    # 纳入日期: the day the person came under support (imported, entered, or the day they were
    # added). A month's roster counts them from this day to their exit (server/people/roster.py).
    enrolled_on: date = Field(index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


# 进退有序 (seed 004 item 4): why a person leaves the roster of home care.
EXIT_REASONS = ("deceased", "moved_away", "care_home", "not_eligible")
# An absence from home (seed 000 item 7: 住院期间照料): in hospital, or staying with family elsewhere.
ABSENCE_KINDS = ("hospital", "family")


class PersonExit(SQLModel, table=True):
    """A person's exit from the roster (退出): from the day after ``exited_on`` no quota,
    reminder or alert concerns them, their agreements end on that day and their caregiver
    loses access. One per person; the record of who they were stays readable to staff."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    exited_on: date
    reason: str = Field(max_length=20)
    note: str | None = Field(default=None, max_length=500)
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class Absence(SQLModel, table=True):
    """A stay away from home, ``start_on`` to ``end_on`` inclusive (local days): gap alerts are
    suspended and the month's quota is prorated over the days at home; visits in hospital count.
    ``care_subsidy_yuan`` — what the township paid from the 住院照料护理补贴 budget for care
    during a hospital stay (240 元 a person a year, seed 000 item 7)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=10)
    start_on: date = Field(index=True)
    end_on: date = Field(index=True)
    care_subsidy_yuan: int | None = None
    note: str | None = Field(default=None, max_length=500)
    recorded_by: int = Field(foreign_key="app_user.id")
    recorded_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
