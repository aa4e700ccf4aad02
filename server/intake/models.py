"""Intake: how someone comes onto the roster (issue 29 part 4).

Seed 001 §二(一)3: 对于新申请特困供养人员，在入户调查过程中，要对其现在生活状态水平进行评估，对于不适合分散
供养人员要在审批后及时纳入到敬老院集中供养. Seed 004 item 20: 审核确认权限下放至镇（街）…对没有争议的救助
申请家庭，村（社区）可不再进行民主评议，但要进行张榜公示，接受群众监督.

So an application goes: opened (by staff, or from a field report, 主动发现) → 入户调查 with annex 3's
assessment → the township's decision (approved or refused, dated, with its reason) → 张榜公示 for
the district's number of days (an objection stops it until staff decide) → placed on the roster,
at home (a care agreement follows) or in a care home. The person's 纳入日期 is the decision's day.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# What is stored; the step a user sees (service.step_of) also tells 待纳入 (the 公示 is over).
STATUSES = ("investigating", "deciding", "publicising", "objected", "enrolled", "refused")
STEPS = ("investigating", "deciding", "publicising", "objected", "placing", "enrolled", "refused")
DECISIONS = ("approved", "refused")
OBJECTION_OUTCOMES = ("dismissed", "upheld")  # 异议不成立, listing resumes · 异议成立, application refused
PLACEMENTS = ("home", "care_home")  # 分散供养 (with a care agreement) · 集中供养 in a 敬老院


class IntakePolicy(SQLModel, table=True):
    """The district's intake numbers (one row), edited by district admins in the app."""

    id: int = Field(default=1, primary_key=True)
    # 张榜公示 (seed 004 item 20) names no period, nor does any other seed: no default. Until the
    # district sets it, no application can be approved.
    publicity_days: int | None = None
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class IntakeApplication(SQLModel, table=True):
    """An application to come under support (特困供养申请), with each step's day and who did it.

    The applicant is not on the roster (no ``Person``) until placement: name, ID number (公民身份号码,
    stored whole, shown masked), village, address and phone are kept here; sex and birth date come
    from the ID number. ``assessment`` is annex 3's finding of the 入户调查 (the fields of
    ``server.assessments``' form), written as the person's first ``Assessment`` on placement.
    """

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="investigating", max_length=20, index=True)
    township_id: int = Field(foreign_key="place.id", index=True)
    village_id: int = Field(foreign_key="place.id")
    field_report_id: int | None = Field(default=None, foreign_key="fieldreport.id", unique=True,
                                        description="the report from the field it was opened from (主动发现)")
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=18, index=True)
    address: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=500)
    opened_on: date
    opened_by: int = Field(foreign_key="app_user.id")
    # 入户调查
    investigated_on: date | None = None
    investigated_by: int | None = Field(default=None, foreign_key="app_user.id")
    assessment: dict | None = Field(default=None, sa_type=sa.JSON)
    # the township's decision (审核确认, seed 004 item 20); 纳入日期 = decided_on
    decision: str | None = Field(default=None, max_length=10)
    decided_on: date | None = None
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    decision_reason: str | None = Field(default=None, max_length=500)
    # 张榜公示: from the day posted, the district's number of days (kept as it was when posted);
    # ``publicity_until`` (inclusive) moves later by the days an objection stopped the listing
    publicity_from: date | None = None
    publicity_days: int | None = None
    publicity_until: date | None = None
    # placement on the roster
    placement: str | None = Field(default=None, max_length=10)
    placed_on: date | None = None
    placed_by: int | None = Field(default=None, foreign_key="app_user.id")
    care_home_id: int | None = Field(default=None, foreign_key="carehome.id")
    person_id: int | None = Field(default=None, foreign_key="person.id", unique=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class IntakeObjection(SQLModel, table=True):
    """An objection raised while the application is posted (接受群众监督): the listing stops until
    staff decide it — dismissed (the listing resumes, its end moved by the days it stood still) or
    upheld (the application is refused, the finding its reason)."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="intakeapplication.id", index=True)
    raised_on: date
    objector: str | None = Field(default=None, max_length=50, description="who objected, when they gave a name")
    content: str = Field(max_length=1000)
    recorded_by: int = Field(foreign_key="app_user.id")
    outcome: str | None = Field(default=None, max_length=10)
    decided_on: date | None = None
    decided_by: int | None = Field(default=None, foreign_key="app_user.id")
    finding: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
