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
RISK_FLAGS = ("lives_alone", "empty_nest", "left_behind", "mental_illness", "severe_disability")
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
    status: str = Field(default="active", max_length=20, index=True)
    village_id: int = Field(foreign_key="place.id", index=True)
    address: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    home_lat: float | None = None
    home_lon: float | None = None
    home_location_state: str | None = Field(default=None, max_length=10)
    care_home_id: int | None = Field(default=None, foreign_key="carehome.id", index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
