"""Two `zhaoying scheduler` processes against one database: one leads, one waits; every job runs
once; when the leader dies the standby takes over without redoing what was done."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.config import normalise_database_url
from server.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
ZHAOYING = str(Path(sys.executable).with_name("zhaoying"))


@pytest.fixture
def shared_db(tmp_path, database_url):
    """A database of its own (the processes commit for real): PostgreSQL when the run is on it."""
    if database_url.startswith("postgresql"):
        admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("DROP DATABASE IF EXISTS zhaoying_sched WITH (FORCE)")
            conn.exec_driver_sql("CREATE DATABASE zhaoying_sched")
        admin.dispose()
        url = database_url.rsplit("/", 1)[0] + "/zhaoying_sched"
    else:
        url = f"sqlite:///{tmp_path / 'sched.db'}"
    upgrade(url=normalise_database_url(url))
    yield url


def start(url, tmp_path, name):
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(tmp_path / name), "SECRET_KEY": "x",
           "PYTHONUNBUFFERED": "1"}
    (tmp_path / name).mkdir(exist_ok=True)
    with open(tmp_path / f"{name}.log", "w") as log:  # the child keeps its own handle
        proc = subprocess.Popen([ZHAOYING, "scheduler", "--retry-seconds", "0.3"], env=env, stdout=log,
                                stderr=subprocess.STDOUT, cwd=ROOT)
    return proc, tmp_path / f"{name}.log"


def wait_for(path, text, timeout=30.0):
    end = time.monotonic() + timeout  # the wall clock is frozen or travelled in tests
    while time.monotonic() < end:
        if text in path.read_text():
            return path.read_text()
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {path.name}: {path.read_text()[-2000:]}")


def test_two_schedulers_one_leader_every_job_once(shared_db, tmp_path):
    a, a_log = start(shared_db, tmp_path, "a")
    try:
        wait_for(a_log, "caught up")
        b, b_log = start(shared_db, tmp_path, "b")
        try:
            wait_for(b_log, "standby")
            time.sleep(1.0)
            assert "leader" not in b_log.read_text()
            engine = sa.create_engine(normalise_database_url(shared_db))
            runs = _runs(engine)
            # the month that ended is closed at start; what else the catch-up ran depends on the hour
            assert runs["month_close"] == 1 and all(n == 1 for n in runs.values())
            a.terminate()
            a.wait(timeout=10)
            text = wait_for(b_log, "caught up")
            assert "leader" in text and "already done" in text  # took over, did not redo
            assert _runs(engine) == runs
            engine.dispose()
        finally:
            b.terminate()
            b.wait(timeout=10)
    finally:
        if a.poll() is None:
            a.terminate()
            a.wait(timeout=10)


def _runs(engine) -> dict[str, int]:
    """How many runs each job has, across its periods (1 each: every period claimed once)."""
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT job, period FROM jobrun GROUP BY job, period HAVING count(*) > 1")).all() == []
        return dict(conn.execute(sa.text("SELECT job, count(*) FROM jobrun GROUP BY job")).all())


def test_jobs_run_by_hand(shared_db, tmp_path):
    env = {**os.environ, "DATABASE_URL": shared_db, "INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"}
    out = subprocess.run([ZHAOYING, "jobs", "run", "month_close", "--at", "2026-12-01T00:30:00+08:00"], env=env,
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert '"month": "2026-11"' in out.stdout
    bad = subprocess.run([ZHAOYING, "jobs", "run", "month_close", "--at", "2026-12-01T00:30"], env=env,
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode != 0 and "offset" in bad.stderr
    unknown = subprocess.run([ZHAOYING, "jobs", "run", "nope"], env=env, capture_output=True, text=True, cwd=ROOT,
                             timeout=60)
    assert unknown.returncode != 0 and "unknown job" in unknown.stderr
