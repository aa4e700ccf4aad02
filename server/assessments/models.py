from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

HOUSING = ("own", "borrowed", "group_home")  # 自有 · 借住 · 幸福院
ENVIRONMENT = ("clean", "fair", "dirty")  # 整洁干净 · 一般 · 脏乱差
QUALITY = ("good", "fair", "poor")  # 较好 · 一般 · 较差
OVERALL = ("good", "poor", "bad")  # 较好 · 较差 · 差


class Assessment(SQLModel, table=True):
    """One row of seed 001 annex 3, 敖汉旗分散供养特困人员排查评估表: 村/居委会, 姓名, 性别 and 年龄
    come from the person; the rest is the panel's finding on ``assessed_on``.

    guardian_* — 监护人/护理人姓名、年龄、与被监护人关系; self_care_level — 自理情况;
    housing — 住房情况; living_environment — 居住环境; quality_of_life — 生活质量;
    care_quality — 护理情况; treated_promptly — 生病是否能得到及时救治;
    subsidy_self_controlled — 特困供养费是否由本人支配; rights_infringed — 是否存在侵占特困供养人员合法权益;
    overall — 评估结果 (较好 / 较差 / 差); remarks — 备注.
    """

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    assessed_on: date
    assessor_id: int = Field(foreign_key="app_user.id")
    guardian_name: str | None = Field(default=None, max_length=50)
    guardian_age: int | None = None
    guardian_relation: str | None = Field(default=None, max_length=30)
    self_care_level: str = Field(max_length=20)
    housing: str = Field(max_length=12)
    living_environment: str = Field(max_length=10)
    quality_of_life: str = Field(max_length=10)
    care_quality: str = Field(max_length=10)
    treated_promptly: bool
    subsidy_self_controlled: bool
    rights_infringed: bool
    overall: str = Field(max_length=10)
    remarks: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
