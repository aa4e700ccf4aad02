"""The month close: the month's compliance written down once per person, quota_missed alerts
for those short, and a digest per township to its staff."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from server.alerts import service as alerts
from server.care.models import CareAgreement
from server.messages import text
from server.notify import service as notify
from server.people import absences, roster
from server.people.models import Person
from server.places.models import Place
from server.quotas import service as quotas
from server.quotas.models import MonthlyCompliance
from server.timeutil import month_bounds


def compliance_sweep(session: Session, *, year: int, month: int, zone: ZoneInfo) -> int:
    """Write one MonthlyCompliance row per active person for the month, in one INSERT … SELECT
    (rows already there are left as they are), judged by the quota policy in force
    (quotas.quota_sql, the QuotaPolicy rule in the database). Returns the rows written."""
    start, end = month_bounds(year, month, zone)
    label = f"{year:04d}-{month:02d}"
    policy = quotas.policies(session)
    visits = quotas.mode_counts(start, end)
    counted, met = quotas.quota_sql(policy, Person.self_care_level, visits)
    required = quotas.by_level(policy, Person.self_care_level, lambda p: p.required())
    source = (
        select(Person.id, sa.literal(label), Person.village_id, CareAgreement.caregiver_id, Person.self_care_level,
               required, counted, met)
        .outerjoin(CareAgreement, and_(CareAgreement.person_id == Person.id, CareAgreement.status == "active"))
        .outerjoin(visits, visits.c.person_id == Person.id)
        .where(roster.on_roster(date(year, month, 1)),
               ~sa.exists().where(MonthlyCompliance.person_id == Person.id, MonthlyCompliance.month == label))
    )
    columns = ["person_id", "month", "village_id", "caregiver_id", "self_care_level", "quota", "verified_home_visits",
               "met"]
    result = session.connection().execute(
        sa.insert(MonthlyCompliance).from_select(columns, source).execution_options(preserve_rowcount=True))
    return result.rowcount


def close_month(session: Session, *, year: int, month: int, zone: ZoneInfo, alert_settings: alerts.AlertSettings,
                now: datetime) -> dict:
    """Compliance rows for the month, a quota_missed alert per person short of the quota, and a
    digest per township to its staff (once per township and month)."""
    label = f"{year:04d}-{month:02d}"
    written = compliance_sweep(session, year=year, month=month, zone=zone)
    # a month partly away from home or off the roster asks a prorated quota (server/people/roster.py)
    absences.prorate_month(session, year=year, month=month, zone=zone)
    raised = alerts.raise_quota_missed(session, month_label=label, at=now, settings=alert_settings)
    village = sa.orm.aliased(Place)
    digest = session.execute(
        select(village.parent_id, func.count(), func.sum(case((MonthlyCompliance.met, 1), else_=0)))
        .join(village, village.id == MonthlyCompliance.village_id)
        .where(MonthlyCompliance.month == label).group_by(village.parent_id)
    ).all()
    for township_id, total, met in digest:
        notify.notify(session, user_ids=alerts.staff_of(session, township_id), kind="month_digest",
                      title=text("digest.month.title", month=label),
                      body=text("digest.month.body", total=total, met=met, missed=total - met),
                      dedupe_key=f"digest:{label}", url="/#/coverage", now=now)
    return {"compliance_rows": written, "quota_missed": raised}
