"""Casework around the visit loop (issue 15 parts 4–7): reports from the field, emergency relief,
and the district's policy for the door-to-door evaluation and the rules that act on it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

# What a report from the field is about (seed 004 item 17 主动发现; seed 001 §四(四) 公众举报, §二(一)).
# category -> its subjects
REPORT_SUBJECTS = {
    "needs_help": ("needs_help",),  # 发现需救助的困难群众
    "major_change": ("death", "hospital", "moved", "family"),  # 去世 · 住院 · 搬迁 · 家庭变故
    # 侵害合法权益 · 补贴未由本人支配 · 照料人不尽责 (seed 001 §二(一)1–2)
    "complaint": ("rights_infringed", "subsidy_not_controlled", "caregiver_not_caring"),
}
REPORT_CATEGORIES = tuple(REPORT_SUBJECTS)
REPORT_SUBJECT_CODES = tuple(s for subjects in REPORT_SUBJECTS.values() for s in subjects)


class FieldReport(SQLModel, table=True):
    """A report made from the app by a caregiver, volunteer or staff member: someone who needs
    help (a person on the roster, or one not yet on it — 服务找人), a major change, or a complaint.
    It becomes an alert to the township (``alert_id``): the task, its SLA and its escalation are
    the alert's. ``client_id`` is made on the phone, so a report replayed from the outbox is stored
    once."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=36, unique=True)
    reporter_id: int = Field(foreign_key="app_user.id", index=True)
    category: str = Field(max_length=20)
    subject: str = Field(max_length=30)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    person_name: str | None = Field(default=None, max_length=50, description="someone not on the roster")
    village_id: int = Field(foreign_key="place.id", index=True)
    caregiver_id: int | None = Field(default=None, foreign_key="app_user.id",
                                     description="the caregiver a complaint is about")
    description: str = Field(max_length=1000)
    alert_id: int | None = Field(default=None, foreign_key="alert.id", index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class Relief(SQLModel, table=True):
    """Emergency relief (急难型临时救助, seed 004 item 11): 小金额先行救助 — paid first, on resolving
    an alert — 事后补充说明: the statement follows, due ``statement_due``, a task of its own
    (``task_alert_id``) that escalates when late."""

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    township_id: int = Field(foreign_key="place.id", index=True)
    amount: Decimal = Field(sa_type=sa.Numeric(10, 2))
    granted_on: date = Field(index=True)
    statement_due: date
    task_alert_id: int | None = Field(default=None, foreign_key="alert.id")
    statement: str | None = Field(default=None, max_length=1000)
    statement_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    statement_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class CaseworkPolicy(SQLModel, table=True):
    """The district's numbers for casework (one row), edited by district admins in the app."""

    id: int = Field(default=1, primary_key=True)
    # 事后补充说明 (seed 004 item 11) gives no period: a local default the district changes.
    relief_statement_days: int = 7
    # 逐人定期考核评价 (seed 001 §二(一)2) gives no period; issue 15 asks "no evaluation in 12 months".
    evaluation_interval_months: int = 12
    # 疑似虚报: this many visits of one agreement rejected as not done within this many days
    # (issue 15 part 5; the seeds name the fraud, 虚报/冒领, not a count).
    fraud_rejections: int = 2
    fraud_window_days: int = 90
    # 重点抽查、随机暗访 (seed 003 三(四)) gives no share: the percentage of each township's verified
    # visits of a month drawn for a call-back (server/spotchecks), a local default; 0 draws none.
    spot_check_percent: int = 5
    updated_by: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
