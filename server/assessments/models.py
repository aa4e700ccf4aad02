from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

HOUSING = ("own", "borrowed", "group_home")  # 自有 · 借住 · 幸福院
ENVIRONMENT = ("clean", "fair", "dirty")  # 整洁干净 · 一般 · 脏乱差
QUALITY = ("good", "fair", "poor")  # 较好 · 一般 · 较差

# 护理情况 (care_quality) is graded on the column's own words, 较好 / 一般 / 较差, as the form prints them
# and the export writes them; annex 3's note 2 defines three steps but names them 较好 / 较差 / 差.
# Its three definitions are taken in order onto the column's three words (its 较差 is our 一般, its
# 差 our 较差): the note and the column grade the same three steps, the column's words are what the
# panel ticks and the bureau reads back, and 差 stays the word of the overall result alone
# (评估结果：较好、较差、差), where it means "move into a care home" — a 护理情况 graded 差 next to an
# overall 较差 would read as a contradiction on the printed form.
CARE_QUALITY_DEFINITIONS = {
    "good": ("衣着干净，无异味，饮食营养均衡", "Clean clothes, no odour, a balanced diet"),
    "fair": ("卫生较差，室内有轻微异味", "Hygiene rather poor, a slight odour indoors"),
    "poor": ("被褥衣服较脏，室内及个人卫生差，室内异味较大", "Bedding and clothes dirty, poor home and personal hygiene, "
             "a strong odour indoors"),
}
# Note 1: 生活质量 is judged on regular meals, a balanced diet and enough supplies.
QUALITY_OF_LIFE_GUIDE = ("可从三餐是否规律、营养是否均衡，生活物资是否充足等方面综合评判",
                         "Judge by regular meals, a balanced diet and enough daily supplies")
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
    # made on the phone when the form is filled in the field, so a replay from the outbox is stored once
    client_id: str | None = Field(default=None, max_length=36, unique=True)
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
