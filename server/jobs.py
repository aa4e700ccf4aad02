"""The one place scheduled jobs are registered.

Each job is a plain function of (database, instant, settings): it opens its own sessions, calls
services with that instant as their ``now`` — so a run for an instant T stamps, selects and
delivers exactly as the scheduler would at T, whatever the wall clock says — and is idempotent — running it twice for the same period leaves the same state (a
JobRun row per job and period, unique rows per person/month/kind). `zhaoying jobs run NAME --at
ISO-TIME` runs any of them for a given instant; the scheduler process runs them on cron triggers.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from server.activities.models import (
    VolunteerActivity,
    VolunteerTeam,
    VolunteerTeamMember,
)
from server.alerts import service as alerts
from server.alerts.models import Alert, AlertEvent
from server.care.models import CareAgreement
from server.db import Database
from server.notify import service as notify
from server.notify.models import JobRun
from server.people.models import Person
from server.places.models import Place
from server.privacy import service as privacy
from server.quotas import service as quotas
from server.quotas.models import MonthlyCompliance, QuotaPolicy, SchedulePolicy
from server.settings import Settings
from server.timeutil import month_bounds
from server.visits.models import COUNTS_AS_VERIFIED, Visit

log = logging.getLogger("zhaoying.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[..., dict]
    cron: dict  # APScheduler CronTrigger fields, in the configured zone
    misfire_grace_seconds: int  # how late a run may still start (APScheduler's default of 1 s is useless)


def _local(at: datetime, settings: Settings) -> datetime:
    return at.astimezone(settings.zone)


def _previous_month(local: datetime) -> tuple[int, int]:
    return (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)


_STARTED: dict[int, float] = {}  # id(JobRun) -> monotonic start, for the run's duration


def _claim(session: Session, job: str, period: str, now: datetime) -> JobRun | None:
    """The run of ``job`` for ``period``, or None if another run already did (or is doing) it."""
    run = JobRun(job=job, period=period, started_at=now)
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        return None
    _STARTED[id(run)] = time.monotonic()
    return run


def _finish(session: Session, run: JobRun, result: dict) -> dict:
    # the run is stamped on the timeline of the instant it ran for, however long ago that was
    elapsed = time.monotonic() - _STARTED.pop(id(run), time.monotonic())
    run.finished_at, run.result = run.started_at + timedelta(seconds=elapsed), result
    session.add(run)
    session.commit()
    return result


# --- reminders ------------------------------------------------------------------------------------


def daily_reminders(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Caregivers behind the month's pace get one reminder a day naming whom to visit."""
    local = _local(at, settings)
    period = local.date().isoformat()
    zone = settings.zone
    with db.session() as session:
        run = _claim(session, "daily_reminders", period, at)
        if run is None:
            return {"skipped": "already done"}
        start, end = month_bounds(local.year, local.month, zone)
        in_month = (Visit.mode == "home") & Visit.status.in_(COUNTS_AS_VERIFIED) & (Visit.started_at >= start) & (
            Visit.started_at < end)
        rows = session.execute(
            select(CareAgreement.caregiver_id, Person.name, Person.self_care_level, func.count(case((in_month, Visit.id))))
            .join(Person, Person.id == CareAgreement.person_id)
            .outerjoin(Visit, Visit.person_id == Person.id)
            .where(CareAgreement.status == "active", Person.status == "active")
            .group_by(CareAgreement.caregiver_id, Person.id, Person.name, Person.self_care_level)
        ).all()
        policy = quotas.policies(session)
        behind: dict[int, list[str]] = {}
        for caregiver_id, name, level, done in rows:
            quota = policy[level].visits_per_month
            expected = quotas.expected_by(quota, local)
            if done < expected:
                behind.setdefault(caregiver_id, []).append(f"{name}（本月{done}/{quota}次）")
        sent = 0
        for caregiver_id, names in behind.items():
            sent += len(notify.notify(session, user_ids=[caregiver_id], kind="reminder", title="本月走访提醒",
                                      body="请尽快上门看望：" + "、".join(names[:10]), dedupe_key=f"remind:{period}", now=at,
                                      url="/#/home"))
        session.commit()
        delivered = notify.deliver_pending(session, settings.notify, at)
        return _finish(session, run, {"caregivers_reminded": sent, **delivered})


def volunteer_reminder(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Mid-month: a volunteer team that has logged nothing this month is reminded (seed 000 item 3)."""
    local = _local(at, settings)
    period = f"{local:%Y-%m}"
    with db.session() as session:
        run = _claim(session, "volunteer_reminder", period, at)
        if run is None:
            return {"skipped": "already done"}
        first = local.date().replace(day=1)
        idle = list(session.scalars(select(VolunteerTeam.id).where(~sa.exists().where(
            VolunteerActivity.team_id == VolunteerTeam.id, VolunteerActivity.held_on >= first))))
        notified = 0
        for team_id in idle:
            team = session.get(VolunteerTeam, team_id)
            members = session.scalars(select(VolunteerTeamMember.user_id).where(VolunteerTeamMember.team_id == team_id))
            users = list(members) + alerts.staff_of(session, team.township_id)
            notified += len(notify.notify(session, user_ids=users, kind="volunteer_reminder", title="志愿服务活动提醒",
                                          body=f"{team.name}本月还没有登记志愿服务活动，每月至少一次。",
                                          dedupe_key=f"volunteer:{team_id}:{period}", now=at))
        session.commit()
        return _finish(session, run, {"idle_teams": len(idle), "notified": notified})


def _notify_all_township_staff(session: Session, *, kind: str, title: str, body_for, dedupe_key: str,
                               now: datetime) -> int:
    sent = 0
    for township in session.scalars(select(Place).where(Place.level == "township")):
        body = body_for(township)
        if body:
            sent += len(notify.notify(session, user_ids=alerts.staff_of(session, township.id), kind=kind, title=title,
                                      body=body, dedupe_key=dedupe_key, now=now))
    return sent


def health_check_reminder(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Once a year: township staff learn how many people of 65 and over are due the free health check
    (seed 000 item 4)."""
    local = _local(at, settings)
    period = str(local.year)
    with db.session() as session:
        run = _claim(session, "health_check_reminder", period, at)
        if run is None:
            return {"skipped": "already done"}
        min_age = session.get(SchedulePolicy, 1).health_check_min_age
        born_by = local.date().replace(year=local.year - min_age)
        village = sa.orm.aliased(Place)

        def body_for(township):
            n = session.scalar(select(func.count()).select_from(Person).join(village, village.id == Person.village_id)
                               .where(village.parent_id == township.id, Person.status == "active",
                                      Person.birth_date <= born_by))
            return f"本镇有{n}名{min_age}岁以上特困人员，今年需安排一次免费健康体检。" if n else None

        sent = _notify_all_township_staff(session, kind="health_check", title="年度健康体检提醒", body_for=body_for,
                                          dedupe_key=f"health:{period}", now=at)
        session.commit()
        return _finish(session, run, {"notified": sent})


def review_reminder(db: Database, *, at: datetime, settings: Settings) -> dict:
    """In the review month (March by default): the yearly review of every person (动态管理, seed 004 item 4)."""
    local = _local(at, settings)
    period = str(local.year)
    with db.session() as session:
        if local.month != session.get(SchedulePolicy, 1).review_month:
            return {"skipped": "not the review month"}
        run = _claim(session, "review_reminder", period, at)
        if run is None:
            return {"skipped": "already done"}
        sent = _notify_all_township_staff(
            session, kind="review", title="年度动态管理复核提醒",
            body_for=lambda t: "本月请完成特困人员年度复核（动态管理），核实在册人员情况。",
            dedupe_key=f"review:{period}", now=at)
        session.commit()
        return _finish(session, run, {"notified": sent})


# --- watching ------------------------------------------------------------------------------------


def gap_watch(db: Database, *, at: datetime, settings: Settings) -> dict:
    """A person whose last verified home visit is older than the longest allowed gap (or who was
    never visited since their agreement began that long ago) raises an alert to the township."""
    with db.session() as session:
        policy = quotas.policies(session)
        village = sa.orm.aliased(Place)
        last = (select(Visit.person_id, func.max(Visit.started_at).label("last"))
                .where(Visit.mode == "home", Visit.status.in_(COUNTS_AS_VERIFIED)).group_by(Visit.person_id).subquery())
        raised = 0
        for level, rule in policy.items():
            cutoff = at - timedelta(days=rule.max_gap_days)
            rows = session.execute(
                select(Person.id, Person.name, village.parent_id, last.c.last)
                .join(village, village.id == Person.village_id)
                .join(CareAgreement, and_(CareAgreement.person_id == Person.id, CareAgreement.status == "active"))
                .outerjoin(last, last.c.person_id == Person.id)
                .where(Person.status == "active", Person.self_care_level == level,
                       sa.or_(last.c.last < cutoff, and_(last.c.last.is_(None), CareAgreement.start_on < cutoff.date())))
            ).all()
            for person_id, name, township_id, last_at in rows:
                since = last_at.date().isoformat() if last_at else "never"
                days = (at - last_at).days if last_at else None
                summary = f"{name}已{days}天没有核实的上门走访" if days else f"{name}签订协议后还没有核实的上门走访"
                _, created = alerts.raise_alert(
                    session, kind="visit_gap", township_id=township_id, person_id=person_id, settings=settings.alerts,
                    title=summary, detail={"summary": summary, "last_visit": since, "max_gap_days": rule.max_gap_days},
                    dedupe_key=f"gap:{person_id}:{since}", now=at)
                raised += created
        session.commit()
        delivered = notify.deliver_pending(session, settings.notify, at)
        session.commit()
        return {"alerts_raised": raised, **delivered}


def escalation(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Alerts past their SLA climb to the district; what quiet hours held back is sent."""
    with db.session() as session:
        escalated = alerts.escalate_due(session, settings=settings.alerts, now=at)
        session.commit()
        delivered = notify.deliver_pending(session, settings.notify, at)
        session.commit()
        return {"escalated": len(escalated), **delivered}


# --- month close ---------------------------------------------------------------------------------


def compliance_sweep(session: Session, *, year: int, month: int, zone: ZoneInfo) -> int:
    """Write one MonthlyCompliance row per active person for the month, in one INSERT … SELECT
    (rows already there are left as they are). Returns the rows written."""
    start, end = month_bounds(year, month, zone)
    label = f"{year:04d}-{month:02d}"
    visits = (select(Visit.person_id, func.count().label("n"))
              .where(Visit.mode == "home", Visit.status.in_(COUNTS_AS_VERIFIED), Visit.started_at >= start,
                     Visit.started_at < end)
              .group_by(Visit.person_id).subquery())
    done = func.coalesce(visits.c.n, 0)
    source = (
        select(Person.id, sa.literal(label), Person.village_id, CareAgreement.caregiver_id, Person.self_care_level,
               QuotaPolicy.visits_per_month, done, done >= QuotaPolicy.visits_per_month)
        .join(QuotaPolicy, QuotaPolicy.self_care_level == Person.self_care_level)
        .outerjoin(CareAgreement, and_(CareAgreement.person_id == Person.id, CareAgreement.status == "active"))
        .outerjoin(visits, visits.c.person_id == Person.id)
        .where(Person.status == "active", Person.support_mode == "decentralised",
               ~sa.exists().where(MonthlyCompliance.person_id == Person.id, MonthlyCompliance.month == label))
    )
    columns = ["person_id", "month", "village_id", "caregiver_id", "self_care_level", "quota", "verified_home_visits",
               "met"]
    result = session.connection().execute(
        sa.insert(MonthlyCompliance).from_select(columns, source).execution_options(preserve_rowcount=True))
    return result.rowcount


def month_close(db: Database, *, at: datetime, settings: Settings, year: int | None = None,
                month: int | None = None) -> dict:
    """On the 1st: compliance rows for the month that ended, a quota_missed alert per person
    short of the quota, and a digest per township to its staff."""
    zone = settings.zone
    if year is None:
        year, month = _previous_month(_local(at, settings))
    label = f"{year:04d}-{month:02d}"
    with db.session() as session:
        run = _claim(session, "month_close", label, at)
        if run is None:
            return {"skipped": "already done", "month": label}
        written = compliance_sweep(session, year=year, month=month, zone=zone)
        # quota_missed alerts in one statement too; dedupe keys keep them once per person and month
        village = sa.orm.aliased(Place)
        missed = (
            select(sa.literal("quota_missed"), sa.literal("normal"), MonthlyCompliance.person_id, village.parent_id,
                   sa.literal("township"), sa.literal("open"),
                   Person.name + sa.literal(f" {label} 走访未达标"),
                   sa.literal(f"quota:{label}:") + sa.cast(MonthlyCompliance.person_id, sa.String),
                   sa.literal(at, type_=Alert.__table__.c.created_at.type),
                   sa.literal(at + timedelta(minutes=settings.alerts.sla_minutes["normal"]), type_=Alert.__table__.c.sla_due_at.type),
                   sa.literal({"month": label}, type_=Alert.__table__.c.detail.type))
            .join(Person, Person.id == MonthlyCompliance.person_id)
            .join(village, village.id == MonthlyCompliance.village_id)
            .where(MonthlyCompliance.month == label, ~MonthlyCompliance.met,
                   ~sa.exists().where(Alert.dedupe_key == sa.literal(f"quota:{label}:") + sa.cast(MonthlyCompliance.person_id, sa.String)))
        )
        raised = session.connection().execute(sa.insert(Alert).from_select(
            ["kind", "severity", "person_id", "place_id", "level", "status", "title", "dedupe_key", "created_at",
             "sla_due_at", "detail"], missed).execution_options(preserve_rowcount=True)).rowcount
        # each new alert's timeline starts with its raising, like alerts raised one by one
        session.connection().execute(sa.insert(AlertEvent).from_select(
            ["alert_id", "at", "kind"],
            select(Alert.id, sa.literal(at, type_=AlertEvent.__table__.c.at.type), sa.literal("raised"))
            .where(Alert.kind == "quota_missed", Alert.dedupe_key.startswith(f"quota:{label}:"),
                   ~sa.exists().where(AlertEvent.alert_id == Alert.id))))
        digest = session.execute(
            select(village.parent_id, func.count(), func.sum(case((MonthlyCompliance.met, 1), else_=0)))
            .join(village, village.id == MonthlyCompliance.village_id)
            .where(MonthlyCompliance.month == label).group_by(village.parent_id)
        ).all()
        for township_id, total, met in digest:
            notify.notify(session, user_ids=alerts.staff_of(session, township_id), kind="month_digest",
                          title=f"{label} 走访月报", body=f"在册{total}人，{met}人达到走访要求，{total - met}人未达标。",
                          dedupe_key=f"digest:{label}", url="/#/coverage", now=at)
        session.commit()
        return _finish(session, run, {"month": label, "compliance_rows": written, "quota_missed": raised})


# --- privacy -------------------------------------------------------------------------------------


def retention(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Photos and precise visit positions past their retention period go (server/privacy/service.py)."""
    with db.session() as session:
        return privacy.apply_retention(session, now=at, settings=settings.retention, store=settings.photos.store())


# --- the registry ----------------------------------------------------------------------------------

HOUR = 3600
JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("daily_reminders", daily_reminders, {"hour": "REMINDER_HOUR", "minute": 0}, 6 * HOUR),
        Job("gap_watch", gap_watch, {"minute": 5}, HOUR),
        Job("month_close", month_close, {"day": 1, "hour": 0, "minute": 30}, 27 * 24 * HOUR),
        Job("escalation", escalation, {"minute": "*/15"}, 15 * 60),
        Job("volunteer_reminder", volunteer_reminder, {"day": 15, "hour": "REMINDER_HOUR", "minute": 10}, 5 * 24 * HOUR),
        Job("health_check_reminder", health_check_reminder, {"month": 1, "day": 10, "hour": "REMINDER_HOUR", "minute": 20},
            20 * 24 * HOUR),
        Job("retention", retention, {"hour": 3, "minute": 15}, 24 * HOUR),
        Job("review_reminder", review_reminder, {"day": 1, "hour": "REMINDER_HOUR", "minute": 30}, 10 * 24 * HOUR),
    )
}


def run(name: str, db: Database, *, at: datetime, settings: Settings) -> dict:
    """Run one job by name for an instant (the scheduler and `zhaoying jobs run` both come here)."""
    job = JOBS[name]
    try:
        result = job.func(db, at=at, settings=settings)
    except Exception:
        log.exception("job %s failed at %s", name, at.isoformat())
        raise
    log.info("job %s at %s: %s", name, at.isoformat(), result)
    return result
