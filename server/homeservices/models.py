"""Subsidised home services of seed 002 附件2 (铜梁区基本养老服务清单, items 5–7): 助浴, 助洁, 助乐.

The rates, caps and who is eligible are policy rows that district admins edit in the app; each row
carries its source. Until a row is edited the defaults below (the seed's own numbers) stand.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# 助浴 bathing, 助洁 cleaning, 助乐 recreation sessions at a mutual-aid point (互助养老点)
SERVICES = ("bath", "cleaning", "recreation")
CAP_PERIODS = ("month", "week")
# Who a rate is for, in the order a person is matched (the first eligible group gives the rate):
# 分散供养特困 · 低保 · 一二级残疾 (risk flag severe_disability) · 失独 · 80 岁以上 · a mutual-aid point (助乐).
GROUPS = ("tekun_decentralised", "dibao", "severe_disability", "lost_only_child", "aged_80", "mutual_aid_point")

# A person in two groups with different rates for a service (分散供养特困 and 一二级残疾: 65 or 75 元 a
# bath): no seed says which applies, so the district decides (ServiceGroupRule). ``listed`` — the first
# of GROUPS above the person is in, which is what applies while the district has not decided;
# ``higher`` / ``lower`` — the higher or the lower of their rates.
GROUP_RULES = ("listed", "higher", "lower")

SEED_BATH = "seed 002 附件2 第5项 助浴服务"
SEED_CLEANING = "seed 002 附件2 第6项 助洁服务"
SEED_RECREATION = "seed 002 附件2 第7项 助乐服务"

# service -> (subsidised times per period, period, minimum age, source)
DEFAULT_POLICIES = {
    "bath": (1, "month", 60, f"{SEED_BATH}：60周岁及以上，每人每月只享受1次补贴"),
    "cleaning": (1, "month", 60, f"{SEED_CLEANING}：60周岁及以上，每人每月只享受1次补贴"),
    "recreation": (1, "week", 60, f"{SEED_RECREATION}：互助养老点每周补助1场次"),
}
# (service, group) -> (amount in fen, source); a group without a row is not eligible
DEFAULT_RATES = {
    ("bath", "tekun_decentralised"): (6500, f"{SEED_BATH}：分散供养特困老人65元/人/次"),
    ("bath", "dibao"): (7500, f"{SEED_BATH}：低保老年人75元/人/次"),
    ("bath", "severe_disability"): (7500, f"{SEED_BATH}：一二级残疾老年人75元/人/次"),
    ("bath", "lost_only_child"): (7500, f"{SEED_BATH}：失独老年人75元/人/次"),
    ("cleaning", "tekun_decentralised"): (500, f"{SEED_CLEANING}：分散供养特困老人5元/人次"),
    ("cleaning", "dibao"): (500, f"{SEED_CLEANING}：低保老年人5元/人次"),
    ("cleaning", "severe_disability"): (500, f"{SEED_CLEANING}：一二级残疾老年人5元/人次"),
    ("cleaning", "lost_only_child"): (500, f"{SEED_CLEANING}：失独老年人5元/人次"),
    ("cleaning", "aged_80"): (500, f"{SEED_CLEANING}：80岁以上老年人5元/人次"),
    ("recreation", "mutual_aid_point"): (20000, f"{SEED_RECREATION}：每周补助1场次，每次200元"),
}


class ServicePolicy(SQLModel, table=True):
    """A service's cap (subsidised times per person — or per mutual-aid point for 助乐 — per month
    or week) and minimum age, with its source."""

    service: str = Field(primary_key=True, max_length=20)
    cap_count: int
    cap_period: str = Field(max_length=10)
    min_age: int
    source: str = Field(max_length=300)
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class ServiceRate(SQLModel, table=True):
    """The subsidy for one service to one group, in fen; ``eligible`` False takes the group out."""

    __table_args__ = (sa.UniqueConstraint("service", "group_code", name="uq_service_rate"),)

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(max_length=20)
    group_code: str = Field(max_length=30)
    amount_fen: int
    eligible: bool = True
    source: str = Field(max_length=300)
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class ServiceGroupRule(SQLModel, table=True):
    """Which rate applies to a person in two groups (GROUP_RULES), as a district admin decided it
    in the app (one row; none: not decided, GROUPS' order applies)."""

    id: int = Field(default=1, primary_key=True)
    rule: str = Field(max_length=10)
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class ServiceProvider(SQLModel, table=True):
    """A service organisation (服务组织) registered with a township, and the services it gives."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    township_id: int = Field(foreign_key="place.id", index=True)
    phone: str | None = Field(default=None, max_length=20)
    services: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    active: bool = True
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class AidPoint(SQLModel, table=True):
    """A mutual-aid point (小区/院坝互助养老点) where 助乐 sessions are held (seed 002 附件2 第7项)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    village_id: int = Field(foreign_key="place.id", index=True)
    township_id: int = Field(foreign_key="place.id", index=True)


class ServiceRecord(SQLModel, table=True):
    """One subsidised service given: who gave it, to whom (or at which point), on which day, at the
    rate of the day. ``period`` and ``slot`` hold the cap: the n-th subsidised time of a person (or
    point) in a month (or ISO week) takes slot n, and the unique key refuses a second n-th even
    when two clerks record at the same moment."""

    __table_args__ = (sa.UniqueConstraint("service", "subject", "period", "slot", name="uq_service_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: str | None = Field(default=None, max_length=36, unique=True)
    service: str = Field(max_length=20, index=True)
    provider_id: int = Field(foreign_key="serviceprovider.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    point_id: int | None = Field(default=None, foreign_key="aidpoint.id", index=True)
    subject: str = Field(max_length=30, description="person:ID or point:ID, what the cap counts")
    township_id: int = Field(foreign_key="place.id", index=True)
    served_on: date = Field(index=True)
    period: str = Field(max_length=8, description="YYYY-MM or YYYY-Www of served_on")
    slot: int
    group_code: str = Field(max_length=30)
    amount_fen: int
    note: str | None = Field(default=None, max_length=500)
    recorded_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
