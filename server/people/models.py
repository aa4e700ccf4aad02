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
RISK_FLAGS = ("lives_alone", "empty_nest", "left_behind", "mental_illness", "severe_disability", "lost_only_child")
# 救助类别 (seed 003 annex: 低保 / 特困 / 特殊困难家庭): the roster is mostly 特困 (分散供养特困人员), but
# pairing, subsidised services and the yearly review also concern 低保 and other hard-pressed households.
ASSISTANCE_CATEGORIES = ("tekun", "dibao", "special_hardship")
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
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
