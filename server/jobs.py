"""The one place scheduled jobs are registered.

Each job is a plain function of (database, instant, settings): it opens its own sessions, calls
services with that instant as their ``now`` — so a run for an instant T stamps, selects and
delivers exactly as the scheduler would at T, whatever the wall clock says — and is idempotent — running it twice for the same period leaves the same state (a
JobRun row per job and period, unique rows per person/month/kind). `zhaoying jobs run NAME --at
ISO-TIME` runs any of them for a given instant; the scheduler process runs them on cron triggers.
The work itself is in the services (quotas.reminders, quotas.close, alerts.rules, alerts.service):
a job only claims its period, opens a session, calls them, finishes, then delivers.

A run is all or nothing: the claim of its period (the JobRun row), its work and the stamp that it
finished are committed together, once. A run that fails — or a process killed half-way — rolls all
three back, so the next tick finds the period unclaimed and does it again (two runs at once: the
second waits on the claim's unique key and finds it taken). Delivery is a separate step after that
commit (`_deliver`, batched in `notify.deliver_pending`): it sends whatever is undelivered, this
run's or an earlier one's, so a delivery that fails undoes no work and the next job's delivery
catches up.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from server.alerts import service as alerts
from server.campaigns import reminders as campaign_reminders
from server.campaigns import service as campaigns
from server.casework import relief
from server.db import Database
from server.notify import service as notify
from server.notify.models import JobRun
from server.pairing import festival
from server.privacy import service as privacy
from server.quotas import close, reminders
from server.quotas import service as quotas
from server.reviews import service as reviews
from server.spotchecks import service as spotchecks
from server.timeutil import month_before
from server.wiring import Settings

log = logging.getLogger("zhaoying.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[..., dict]
    cron: dict  # APScheduler CronTrigger fields, in the configured zone
    misfire_grace_seconds: int  # how late a run may still start (APScheduler's default of 1 s is useless)
    # it claims its period (a JobRun row), so a second run for one instant stores nothing: a run
    # missed while no scheduler led is safe to do when one takes over (scheduler.catch_up)
    claims_period: bool = False


def _local(at: datetime, settings: Settings) -> datetime:
    return at.astimezone(settings.zone)


def _previous_month(local: datetime) -> tuple[int, int]:
    return month_before(local.year, local.month)


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
    """Stamp the run finished and commit it with its work: until here nothing of the run is stored."""
    # the run is stamped on the timeline of the instant it ran for, however long ago that was
    elapsed = time.monotonic() - _STARTED.pop(id(run), time.monotonic())
    run.finished_at, run.result = run.started_at + timedelta(seconds=elapsed), result
    session.add(run)
    session.commit()
    return result


def _deliver(db: Database, settings: Settings, at: datetime, result: dict) -> dict:
    """After the work is committed: send what is undelivered, in batches each committed once sent.
    A failure here is logged and said in the result; the work stays, and the next delivery (any
    job's) sends what this one did not."""
    try:
        with db.session() as session:
            return {**result, **notify.deliver_pending(session, settings.notify, at)}
    except Exception:
        log.exception("delivery after a job failed at %s; the next delivery catches up", at.isoformat())
        return {**result, "delivery": "failed"}


def _do(db: Database, settings: Settings, *, at: datetime, work: Callable[[Session], dict],
        claim: tuple[str, str] | None = None, deliver: bool = True, skipped: dict | None = None) -> dict:
    """Every job's steps: with ``claim`` (job, period), claim the period or answer that another
    run did it (with ``skipped`` besides); do the ``work``; commit it (stamped finished when
    claimed); then deliver what it put in the inboxes, unless ``deliver`` is False."""
    with db.session() as session:
        run = None
        if claim is not None:
            run = _claim(session, *claim, at)
            if run is None:
                return {"skipped": "already done", **(skipped or {})}
        result = work(session)
        if run is not None:
            _finish(session, run, result)
        else:
            session.commit()
    return _deliver(db, settings, at, result) if deliver else result


# --- reminders ------------------------------------------------------------------------------------


def daily_reminders(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Caregivers behind the month's pace get one reminder a day naming whom to visit."""
    return _do(db, settings, at=at, claim=("daily_reminders", _local(at, settings).date().isoformat()),
               work=lambda session: reminders.remind_behind_pace(session, now=at, zone=settings.zone))


def volunteer_reminder(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Mid-month: a volunteer team that has logged nothing this month is reminded (seed 000 item 3)."""
    return _do(db, settings, at=at, claim=("volunteer_reminder", f"{_local(at, settings):%Y-%m}"),
               work=lambda session: reminders.remind_idle_volunteer_teams(session, now=at, zone=settings.zone),
               deliver=False)


def health_check_reminder(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Once a year: township staff learn how many people are due the free health check (seed 000 item 4)."""
    return _do(db, settings, at=at, claim=("health_check_reminder", str(_local(at, settings).year)),
               work=lambda session: campaign_reminders.remind_health_checks(session, now=at, zone=settings.zone),
               deliver=False)


def review_reminder(db: Database, *, at: datetime, settings: Settings) -> dict:
    """While a review campaign is open (March; September too for B and C class 低保, seed 004 item
    4): each township's staff learn how many are not reviewed yet. Once per local day."""
    day = _local(at, settings).date()
    with db.session() as session:
        if not reviews.current(session, day).is_open(day):
            return {"skipped": "no review campaign open"}
    return _do(db, settings, at=at, claim=("review_reminder", day.isoformat()),
               work=lambda session: reviews.remind_open(session, now=at, zone=settings.zone))


def review_overdue(db: Database, *, at: datetime, settings: Settings) -> dict:
    """The 1st after a review campaign ended: an alert to each township whose due persons were not
    all reviewed (once per township and campaign)."""
    local = _local(at, settings)
    with db.session() as session:
        c = reviews.last_closed(session, local.date())
    if (c.year, c.month) != _previous_month(local):
        return {"skipped": "no review campaign ended last month"}
    return _do(db, settings, at=at, claim=("review_overdue", c.label),
               work=lambda session: reviews.raise_overdue(session, now=at, zone=settings.zone,
                                                          settings=settings.alerts),
               skipped={"campaign": c.label})


def campaign_watch(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Daily: staff are reminded of whoever is not done before a clean-up quarter or health-check
    year ends, and a township with people not done when it has ended gets an alert."""
    def work(session: Session) -> dict:
        result = campaigns.remind_before_end(session, now=at, zone=settings.zone)
        result.update(campaigns.alert_after_end(session, now=at, zone=settings.zone, settings=settings.alerts))
        return result

    return _do(db, settings, at=at, work=work)


def festival_reminders(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Each day of a festival's window: cadres and volunteer teams with persons not yet visited
    (节日慰问, seed 003; seed 000 item 12)."""
    return _do(db, settings, at=at, claim=("festival_reminders", _local(at, settings).date().isoformat()),
               work=lambda session: festival.remind(session, now=at, zone=settings.zone))


# --- watching ------------------------------------------------------------------------------------


def gap_watch(db: Database, *, at: datetime, settings: Settings) -> dict:
    """A person whose last verified home visit is older than the longest allowed gap (or who was
    never visited since their agreement began that long ago) raises an alert to the township."""
    return _do(db, settings, at=at, work=lambda session: {"alerts_raised": quotas.watch_gaps(
        session, settings=settings.alerts, now=at, today=_local(at, settings).date())})


def escalation(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Alerts past their SLA climb to the district; what quiet hours held back is sent."""
    return _do(db, settings, at=at, work=lambda session: {"escalated": len(alerts.escalate_due(
        session, settings=settings.alerts, today=_local(at, settings).date(), now=at))})


def relief_statements(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Daily: township staff are chased for every emergency relief's 补充说明 still owed (seed 004
    item 11); a late one has already climbed to the district through the escalation job."""
    return _do(db, settings, at=at, claim=("relief_statements", _local(at, settings).date().isoformat()),
               work=lambda session: relief.chase_statements(session, now=at, zone=settings.zone))


# --- month close ---------------------------------------------------------------------------------


def month_close(db: Database, *, at: datetime, settings: Settings, year: int | None = None,
                month: int | None = None) -> dict:
    """On the 1st: the close of the month that ended (quotas.close), and of any of the eleven before
    it never closed."""
    if year is None:
        year, month = _previous_month(_local(at, settings))
    label = f"{year:04d}-{month:02d}"

    def work(session: Session) -> dict:
        result = close.close_month(session, year=year, month=month, zone=settings.zone,
                                   alert_settings=settings.alerts, now=at)
        result["caught_up"] = close.close_missed(session, before=(year, month), zone=settings.zone, now=at)
        return {"month": label, **result}

    return _do(db, settings, at=at, claim=("month_close", label), work=work, deliver=False,
               skipped={"month": label})


def month_rollup(db: Database, *, at: datetime, settings: Settings) -> dict:
    """Every few minutes: the live month's figures of every place counted again (quotas.close
    rollup), what a district's coverage and dashboard read (and say when they were counted)."""
    return _do(db, settings, at=at, work=lambda session: close.rollup(session, now=at, zone=settings.zone),
               deliver=False)


def spot_check_draw(db: Database, *, at: datetime, settings: Settings) -> dict:
    """On the 1st, once the month is closed: the random share of each township's verified visits of
    the month that ended, for its staff to call back (重点抽查, server/spotchecks)."""
    year, month = _previous_month(_local(at, settings))
    label = spotchecks.label(year, month)
    return _do(db, settings, at=at, claim=("spot_check_draw", label),
               work=lambda session: spotchecks.draw(session, year=year, month=month, zone=settings.zone, now=at),
               skipped={"month": label})


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
        Job("daily_reminders", daily_reminders, {"hour": "REMINDER_HOUR", "minute": 0}, 6 * HOUR, True),
        Job("gap_watch", gap_watch, {"minute": 5}, HOUR),
        # a month: whatever day a scheduler starts, the month that ended is closed (catch_up)
        Job("month_close", month_close, {"day": 1, "hour": 0, "minute": 30}, 31 * 24 * HOUR, True),
        Job("month_rollup", month_rollup, {"minute": f"*/{close.ROLLUP_MINUTES}"}, 15 * 60),
        Job("escalation", escalation, {"minute": "*/15"}, 15 * 60),
        Job("volunteer_reminder", volunteer_reminder, {"day": 15, "hour": "REMINDER_HOUR", "minute": 10}, 5 * 24 * HOUR, True),
        Job("health_check_reminder", health_check_reminder, {"month": 1, "day": 10, "hour": "REMINDER_HOUR", "minute": 20},
            20 * 24 * HOUR, True),
        Job("campaign_watch", campaign_watch, {"hour": "REMINDER_HOUR", "minute": 40}, 20 * HOUR),
        Job("retention", retention, {"hour": 3, "minute": 15}, 24 * HOUR),
        Job("review_reminder", review_reminder, {"day": "1,8,15,22,29", "hour": "REMINDER_HOUR", "minute": 30},
            6 * 24 * HOUR, True),
        Job("review_overdue", review_overdue, {"day": 1, "hour": 0, "minute": 45}, 27 * 24 * HOUR, True),
        Job("spot_check_draw", spot_check_draw, {"day": 1, "hour": 1, "minute": 0}, 27 * 24 * HOUR, True),
        Job("festival_reminders", festival_reminders, {"hour": "REMINDER_HOUR", "minute": 40}, 6 * HOUR, True),
        Job("relief_statements", relief_statements, {"hour": "REMINDER_HOUR", "minute": 40}, 6 * HOUR, True),
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
