"""`zhaoying scheduler`: the one process that runs the jobs of server/jobs.py on cron triggers.

APScheduler 3 cannot share a job store between processes, so exactly one scheduler may run
against a database: it holds a PostgreSQL advisory lock (or, on SQLite, an exclusive lock on a
file beside the database) for as long as it lives; a second one waits as a standby and takes
over when the first dies. Every job is idempotent besides, so even a double run stores nothing
twice. A month close missed while no scheduler ran is done at start.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
from datetime import datetime
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


def catch_up(db: Database, settings: Settings, now: datetime | None = None) -> dict:
    """The month close of the month that ended, if no run did it (the scheduler was down on the 1st)."""
    return jobs.run("month_close", db, at=now or clock.now(), settings=settings)


def build(db: Database, settings: Settings) -> BlockingScheduler:
    zone = settings.zone
    named = {"REMINDER_HOUR": settings.reminder_hour}  # cron fields that are settings
    scheduler = BlockingScheduler(timezone=zone, job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs.JOBS.values():
        fields = {k: named.get(v, v) if isinstance(v, str) else v for k, v in job.cron.items()}
        scheduler.add_job(
            _run_safely, CronTrigger(timezone=zone, **fields), args=[job.name, db, settings], id=job.name,
            misfire_grace_time=job.misfire_grace_seconds, replace_existing=True,
        )
    return scheduler


def _run_safely(name: str, db: Database, settings: Settings) -> None:
    try:
        jobs.run(name, db, at=clock.now(), settings=settings)
    except Exception:  # logged by jobs.run; the scheduler must keep running the other jobs
        pass


def serve(db: Database, settings: Settings, *, retry_seconds: float = 15.0, announce=print) -> None:
    lock = LeaderLock(db, settings.instance_dir)
    if not lock.try_acquire():
        announce(f"scheduler {os.getpid()}: standby (another scheduler holds the lock)")
        while not lock.try_acquire():
            time.sleep(retry_seconds)
    announce(f"scheduler {os.getpid()}: leader")
    try:
        result = catch_up(db, settings)
        announce(f"scheduler {os.getpid()}: catch-up month close: {result}")
        scheduler = build(db, settings)
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        scheduler.start()
    finally:
        lock.release()
