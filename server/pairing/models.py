"""结对帮扶 (seed 003 item 九 and its annex): district departments paired with street offices,
their cadres paired with persons in difficulty under the "321" rule, and the festival visits.

Seed 003's annex (渝中区区级部门结对帮扶困难群众一览表) pairs each group of 区级部门 with one 街道 and
counts its 低保 / 特困 / 特殊困难家庭 people; its 工作要求 sets the "321" rule and the festivals
(元旦春节、端午、中秋) on which cadres visit.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# 领导干部按照"321"原则开展结对帮扶: 区级领导结对2-3人，处级领导结对1-2人，其他干部结对1人 (seed 003 工作要求).
CADRE_RANKS = ("district_leader", "division_leader", "other")
RULE_321: dict[str, tuple[int, int]] = {
    "district_leader": (2, 3),  # 区级领导
    "division_leader": (1, 2),  # 处级领导
    "other": (1, 1),  # 其他干部
}
# 元旦春节、端午、中秋 (seed 003 工作要求; seed 000 item 12 "在重要节日…走访慰问").
FESTIVALS = ("spring", "dragon_boat", "mid_autumn")
PAIR_STATUSES = ("active", "ended")
# Whose visit makes a person visited in a festival campaign. Seed 000 item 12: 在重要节日，发动社会力量，对特困人员
# 进行走访慰问 — social forces, not the cadres alone: a paired cadre's home visit (seed 003 结对帮扶) and a
# volunteer team's 节日慰问 naming the person (seed 000 item 3). The district may narrow it in the app.
FESTIVAL_VISITORS = ("cadre", "volunteer")
DEFAULT_FESTIVAL_VISITORS = ("cadre", "volunteer")


class PairingUnit(SQLModel, table=True):
    """A 区级部门 (or the group of them one annex row names) that pairs with street offices,
    with the leader to contact."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    district_id: int = Field(foreign_key="place.id", index=True)
    leader_name: str | None = Field(default=None, max_length=50)
    leader_phone: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class UnitTownship(SQLModel, table=True):
    """A unit paired with a street office / township ("街道吹哨、部门报到")."""

    __table_args__ = (sa.UniqueConstraint("unit_id", "township_id", name="uq_unit_township"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="pairingunit.id", index=True)
    township_id: int = Field(foreign_key="place.id", index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class Cadre(SQLModel, table=True):
    """A cadre (干部) of a unit, with their login (role ``cadre``) and rank under the "321" rule."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", unique=True)
    unit_id: int = Field(foreign_key="pairingunit.id", index=True)
    rank: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class Pairing(SQLModel, table=True):
    """A cadre paired with a person (结对帮扶到户到人)."""

    __table_args__ = (sa.Index("ix_pairing_person_status", "person_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    cadre_id: int = Field(foreign_key="cadre.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    status: str = Field(default="active", max_length=10)
    started_on: date
    ended_on: date | None = None
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class FestivalCampaign(SQLModel, table=True):
    """A festival visit campaign (节日慰问): its window is set by the district each year."""

    __table_args__ = (sa.UniqueConstraint("year", "festival", name="uq_festival_year"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    festival: str = Field(max_length=20)
    starts_on: date
    ends_on: date
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class FestivalPolicy(SQLModel, table=True):
    """The pairing room's settings (one row; none saved: the seeds' defaults), edited by district
    admins in the app: whose visits count for the festival campaigns (default cadres and volunteers,
    seed 000 item 12), the festivals a district adds to seed 003's three (``festivals``: their names,
    e.g. 重阳节; each is its campaigns' ``festival``), and the "321" ranges by rank (``rule_321``:
    rank → [least, most]; None: seed 003's, RULE_321)."""

    id: int = Field(default=1, primary_key=True)
    visitors: list[str] = Field(default_factory=lambda: list(DEFAULT_FESTIVAL_VISITORS), sa_type=sa.JSON)
    festivals: list[str] | None = Field(default=None, sa_type=sa.JSON)
    rule_321: dict | None = Field(default=None, sa_type=sa.JSON)
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
