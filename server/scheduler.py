"""`zhaoying scheduler`: the one process that runs the jobs of server/jobs.py on cron triggers.

APScheduler 3 cannot share a job store between processes, so exactly one scheduler may run
against a database: it holds a PostgreSQL advisory lock (or, on SQLite, an exclusive lock on a
file beside the database) for as long as it lives; a second one waits as a standby and takes
over when the first dies. Every job is idempotent besides, so even a double run stores nothing
twice. What fell due while no scheduler led (the leader was killed, the machine rebooted) is done
when one takes over: every job that claims its period, run for the instant it fell due, if that
is within the job's grace (`catch_up`).
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from server import clock, jobs
from server.db import Database
from server.wiring import Settings

log = logging.getLogger("zhaoying.scheduler")
ADVISORY_KEY = 0x7A687979  # "zhyy"


class LeaderLock:
    """Held for the life of the process; released when it exits, however it exits."""

    def __init__(self, db: Database, instance_dir: str):
        self.db = db
        self.instance_dir = instance_dir
        self._conn = None
        self._file = None

    def try_acquire(self) -> bool:
        if self.db.engine.dialect.name == "postgresql":
            conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if conn.scalar(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}):
                self._conn = conn
                return True
            conn.close()
            return False
        path = Path(self.db.engine.url.database or "").with_suffix(".scheduler.lock") \
            if self.db.engine.url.database else Path(self.instance_dir) / "scheduler.lock"
        handle = open(path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._file is not None:
            self._file.close()


def trigger(job: jobs.Job, settings: Settings) -> CronTrigger:
    """The job's cron trigger in the configured zone (REMINDER_HOUR and the like from the settings)."""
    named = {"REMINDER_HOUR": settings.reminder_hour}  # cron fields that are settings
    fields = {k: named.get(v, v) if isinstance(v, str) else v for k, v in job.cron.items()}
    return CronTrigger(timezone=settings.zone, **fields)


def last_due(cron: CronTrigger, now: datetime, grace_seconds: int) -> datetime | None:
    """The last instant ``cron`` fired at or before ``now``, if it is within ``grace_seconds``."""
    due, cursor = None, cron.get_next_fire_time(None, now - timedelta(seconds=grace_seconds))
    while cursor is not None and cursor <= now:
        due, cursor = cursor, cron.get_next_fire_time(None, cursor + timedelta(seconds=1))
    return due


def catch_up(db: Database, settings: Settings, now: datetime | None = None) -> dict:
    """At takeover: each job that claims its period, run for the last instant it fell due within
    its grace, so that a run missed while no scheduler led is done now and one done already
    answers "already done" (the month close of the month that ended, when the scheduler was down
    on the 1st; today's reminders, when the leader died at 08:59). The jobs that claim nothing
    (the watches, the rollup) run at their next tick, minutes away."""
    now = now or clock.now()
    done = {}
    for job in jobs.JOBS.values():
        due = last_due(trigger(job, settings), now, job.misfire_grace_seconds) if job.claims_period else None
        if due is not None:
            done[job.name] = _run_safely(job.name, db, settings, at=due)
    return done


def build(db: Database, settings: Settings, since: datetime | None = None) -> BlockingScheduler:
    """The scheduler of every job; with ``since`` (when the catch-up began), a job that fell due
    after it, while the catch-up ran, runs at start instead of being skipped to its next time."""
    scheduler = BlockingScheduler(timezone=settings.zone, job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs.JOBS.values():
        cron = trigger(job, settings)
        first = {"next_run_time": cron.get_next_fire_time(None, since)} if since is not None else {}
        scheduler.add_job(
            _run_safely, cron, args=[job.name, db, settings], id=job.name,
            misfire_grace_time=job.misfire_grace_seconds, replace_existing=True, **first,
        )
    return scheduler


def _run_safely(name: str, db: Database, settings: Settings, at: datetime | None = None) -> dict:
    try:
        return jobs.run(name, db, at=at or clock.now(), settings=settings)
    except Exception:  # logged by jobs.run; the scheduler must keep running the other jobs
        return {"failed": True}


def serve(db: Database, settings: Settings, *, retry_seconds: float = 15.0, announce=print) -> None:
    lock = LeaderLock(db, settings.instance_dir)
    if not lock.try_acquire():
        announce(f"scheduler {os.getpid()}: standby (another scheduler holds the lock)")
        while not lock.try_acquire():
            time.sleep(retry_seconds)
    announce(f"scheduler {os.getpid()}: leader")
    try:
        since = clock.now()
        result = catch_up(db, settings, now=since)
        announce(f"scheduler {os.getpid()}: caught up: {result}")
        scheduler = build(db, settings, since=since)
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        scheduler.start()
    finally:
        lock.release()
