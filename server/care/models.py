from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# 照料服务人 are chosen 在其亲属、邻里或低保等低收入家庭中具有劳动能力的人员中 (seed 000 item 2): these three,
# no "other" (migration 0010_policy turned the old "other" rows into 邻里, by the seed's 就近 principle).
RELATION_LABELS = {
    "relative": "亲属",
    "neighbour": "邻里",
    "dibao_member": "低保等低收入家庭中有劳动能力的人员",
}
RELATIONS = tuple(RELATION_LABELS)
AGREEMENT_STATUSES = ("active", "ended")


class CareAgreement(SQLModel, table=True):
    """委托照料服务协议 / 监管监护协议书 (seed 001 §二(一)1): one caregiver per person
    ("一对一"), signed, with start and end dates.

    At most one active agreement per person, enforced by a partial unique index so
    two staff saving at once cannot both win.
    """

    __table_args__ = (
        sa.Index(
            "uq_careagreement_active_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    caregiver_id: int = Field(foreign_key="app_user.id", index=True)
    relation: str = Field(max_length=20)
    signed_on: date
    start_on: date
    end_on: date | None = None
    status: str = Field(default="active", max_length=10)
    end_reason: str | None = Field(default=None, max_length=200)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class CareHome(SQLModel, table=True):
    """敬老院, one row of seed 001 annex 2 (敖汉旗养老机构8月情况统计表): 序号, 名称,
    实有床位数, 现入住老人数, 工作人员人数. The 60% target (60%应住人数, 0.6 × beds
    rounded up) and 还应入住人数 are derived, not stored. Heads' names and phone
    numbers are left out on purpose.
    """

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = None
    name: str = Field(max_length=60, unique=True)
    place_id: int = Field(foreign_key="place.id", index=True)
    beds: int
    residents: int
    staff: int
