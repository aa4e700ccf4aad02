"""A province on one database (issue 13): seed N persons with two months of visits, then time every
job, the staff pages and a million-row export, each beside its target and a floor measured in the
same run (raw SQL for the jobs, a bare request for the pages), so ratios mean something on a noisy
machine.

Run (from the project root):
    .venv/bin/python bench/scale.py --persons 1000000 --database postgresql://postgres@127.0.0.1:5432/zy_scale
    .venv/bin/python bench/scale.py --persons 100000 --database sqlite:////tmp/zy_scale.db
Options: --only jobs|pages|export (repeatable), --skip-seed (reuse a database seeded by an earlier run),
--requests 50, --concurrency 16, --workers 4, --port 8765, --job-timeout 1800 (a job still running is killed), --page-budget 120 (seconds per page
 and mode; requests not started by then are left out and the row says so).

What it does:
1. seed (unless --skip-seed): the database is created afresh (PostgreSQL: dropped and created; SQLite:
   the file removed), migrated with the project's Alembic upgrade (server/migrate.py), then filled with
   set-based SQL: a district → townships (~30 villages each) → villages (~20 persons each), persons in
   executemany batches, one caregiver and one active care agreement per person, staff per township and
   district admins (INSERT … SELECT), two months of home visits (verified / exception / pending; every
   fifth person missed this month's quota), open alerts past their SLA, audit rows and notifications.
   A tqdm progress bar (the `bench` extra; a plain counter without it).
2. jobs: every job of server/jobs.py JOBS, each in a subprocess (`zhaoying jobs run NAME --at ISO`) whose
   peak RSS comes from os.wait4; where the bench has a raw-SQL equivalent of the job's work it is run
   first, in a transaction rolled back, then the job (so both do the same work). Printed: time, the
   job's schedule interval, % of it, peak MB, raw time and job/raw. Targets: ≤ 2× raw, ≤ 5% of the
   interval, < 300 MB. A raw equivalent faster than what any run costs with nothing to do (session,
   settings, the delivery step: the fastest job of the run, printed) is compared with that instead.
3. pages: `zhaoying serve --workers 4` on a loopback port; as a district admin and a township staff,
   each list/search page 50 times sequentially then 50 times from 16 threads (first page only, with
   page_size=50, the lists' cursor pagination). p50/p95, target p95 < 300 ms. Then /api/me p95
   while 4 clients hammer coverage. Floor: /api/health-like bare request (GET /api/me).
4. export: the agreements report as CSV for the whole district (a row per agreement: N rows) streamed
   to /dev/null; time and the gunicorn workers' peak RSS (VmHWM). Target < 300 MB.
Exits 0 whatever the numbers; the table says which targets were missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

import month_sql  # noqa: E402  (bench/month_sql.py: the month's work written by hand)

from server.auth.models import User  # noqa: E402
from server.auth.roles import CAREGIVER, DISTRICT_ADMIN, TOWNSHIP_STAFF  # noqa: E402
from server.care.models import CareAgreement  # noqa: E402
from server.config import normalise_database_url  # noqa: E402
from server.db import make_engine  # noqa: E402
from server.jobs import JOBS  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.people.models import Person  # noqa: E402
from server.places.models import Place  # noqa: E402

try:
    from tqdm import tqdm
except ImportError:  # the `bench` extra is not installed: a plain counter
    class tqdm:  # noqa: N801
        def __init__(self, total, desc, **_):
            self.total, self.desc, self.n = total, desc, 0

        def update(self, k):
            self.n += k
            print(f"\r{self.desc}: {self.n}/{self.total}", end="", flush=True)

        def close(self):
            print()

ZONE = ZoneInfo("Asia/Shanghai")
M1, M2 = (2026, 10), (2026, 11)  # the two months of visits; the jobs run in (or right after) the second
PASSWORD = "bench-scale-1"
PER_VILLAGE, VILLAGES_PER_TOWNSHIP = 20, 30
MB = 1024 * 1024
TABLE = Person.__tablename__, User.__tablename__, CareAgreement.__tablename__, Place.__tablename__


# --- database --------------------------------------------------------------------------------------

def fresh_database(url: str) -> str:
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return url
    base, name = url.rsplit("/", 1)
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url


def db_time(engine, moment: datetime):
    """A UTC instant as the column stores it: SQLite keeps naive UTC text (server/db.py UTCDateTime)."""
    if engine.dialect.name == "sqlite":
        return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    return moment.astimezone(timezone.utc)


def local(y, m, d, h=0, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=ZONE)


# --- seeding ---------------------------------------------------------------------------------------

def seed(engine, n: int) -> None:
    from server.auth.service import make_hasher

    t0 = time.perf_counter()
    pw = make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD)
    villages_n = max(1, -(-n // PER_VILLAGE))
    townships_n = max(1, -(-villages_n // VILLAGES_PER_TOWNSHIP))
    now = local(*M1, 1) - timedelta(days=60)
    now_db = db_time(engine, now)
    steps = ["places", "persons", "caregivers", "agreements", "staff", "visits", "alerts", "audit",
             "notifications", "analyze"]
    bar = tqdm(total=len(steps) - 1 + n, desc="seeding", unit="row")
    with engine.begin() as conn:
        # the policy the bench measures under: two home visits a month, and a longest gap of 20 days for
        # the disabled (the defaults ask one and no gap, so reminders and gap watch would have no work)
        conn.execute(sa.text("UPDATE quotapolicy SET visits_per_month = 2"))
        conn.execute(sa.text("UPDATE quotapolicy SET max_gap_days = 20 WHERE self_care_level <> 'self_care'"))
        # the tree: ids assigned by the database, paths written set-based afterwards
        district = conn.execute(sa.insert(Place).returning(Place.id),
                                {"name": "规模区", "level": "district", "code": "159900", "path": ""}).scalar_one()
        conn.execute(sa.text("UPDATE place SET path = '/' || id || '/' WHERE id = :d"), {"d": district})
        conn.execute(sa.insert(Place), [{"name": f"规模{t + 1}镇", "level": "township", "parent_id": district,
                                         "path": ""} for t in range(townships_n)])
        townships = conn.execute(sa.text("SELECT id FROM place WHERE parent_id = :d ORDER BY id"),
                                 {"d": district}).scalars().all()
        conn.execute(sa.text("UPDATE place SET path = '/' || :d || '/' || id || '/' WHERE parent_id = :d"),
                     {"d": district})
        for i in range(0, villages_n, 20_000):
            conn.execute(sa.insert(Place), [{"name": f"第{v + 1}村", "level": "village",
                                             "parent_id": townships[v // VILLAGES_PER_TOWNSHIP], "path": ""}
                                            for v in range(i, min(villages_n, i + 20_000))])
        conn.execute(sa.text("""UPDATE place SET path = (SELECT t.path FROM place t WHERE t.id = place.parent_id)
                                || id || '/' WHERE level = 'village' AND path = ''"""))
        villages = conn.execute(sa.text(
            "SELECT v.id FROM place v JOIN place t ON t.id = v.parent_id WHERE t.parent_id = :d ORDER BY v.id"),
            {"d": district}).scalars().all()
        bar.update(1)

        # persons: executemany batches (the ID number and name vary per row; portable on both engines)
        from server.demo import GIVEN_F, GIVEN_M, SURNAMES
        from server.people import idnumber
        levels = ["self_care"] * 8 + ["partly_disabled", "fully_disabled"]
        base = date(1935, 1, 1)

        def phone(k: int) -> str:
            # distinct and scattered as real numbers are (48271 is prime to 10⁸: k → digits is one to
            # one), not 139 and a counter: a run of zeros shared by a hundred thousand sequential
            # numbers would measure the seed, not the search
            return f"{PHONE_PREFIXES[k % 10]}{(k * 48271 + 12345) % 10**8:08d}"

        for i in range(0, n, 10_000):
            rows = []
            for k in range(i, min(n, i + 10_000)):
                sex = "M" if k % 3 else "F"
                born = base + timedelta(days=(k // 499) % 18000)
                rows.append({
                    "name": SURNAMES[k % len(SURNAMES)] + (GIVEN_M if sex == "M" else GIVEN_F)[(k // 7) % 20 % len(GIVEN_F)],
                    "sex": sex, "birth_date": born, "id_number": idnumber.make("159900", born, k % 499 + 1, sex),
                    "phone": phone(k), "support_mode": "decentralised", "self_care_level": levels[k % 10],
                    "risk_flags": RISK_FLAG_MIX[k % len(RISK_FLAG_MIX)],
                    "status": "active", "village_id": villages[k // PER_VILLAGE % len(villages)],
                    "enrolled_on": now.date(), "created_at": now, "updated_at": now})
            conn.execute(sa.insert(Person), rows)
            bar.update(len(rows))
        true = "1" if engine.dialect.name == "sqlite" else "true"
        j = "" if engine.dialect.name == "sqlite" else "::json"  # a JSON literal
        # a caregiver per person, then the agreement binding them (INSERT … SELECT)
        conn.execute(sa.text(f"""
            INSERT INTO app_user (username, password_hash, role, display_name, place_id, is_active, failed_logins,
                                  created_at)
            SELECT 'c' || id, :pw, '{CAREGIVER}', '照料人', village_id, {true}, 0, :now FROM person"""),
                     {"pw": pw, "now": now_db})
        bar.update(1)
        conn.execute(sa.text("""
            INSERT INTO careagreement (person_id, caregiver_id, relation, signed_on, start_on, status, created_at)
            SELECT p.id, u.id, 'relative', :on, :on, 'active', :now
            FROM person p JOIN app_user u ON u.username = 'c' || p.id"""),
                     {"on": date(2024, 1, 1), "now": now_db})
        bar.update(1)
        # staff: two per township, two district admins
        conn.execute(sa.text(f"""
            INSERT INTO app_user (username, password_hash, role, display_name, place_id, is_active, failed_logins,
                                  created_at)
            SELECT 'staff' || k || '-' || id, :pw, '{TOWNSHIP_STAFF}', '专职人员', id, {true}, 0, :now
            FROM place, (SELECT 1 AS k UNION ALL SELECT 2) two WHERE parent_id = :d"""),
                     {"pw": pw, "now": now_db, "d": district})
        conn.execute(sa.insert(User), [{"username": f"admin{k}", "password_hash": pw, "role": DISTRICT_ADMIN,
                                        "display_name": "民政局", "place_id": district, "is_active": True,
                                        "failed_logins": 0, "created_at": now} for k in (1, 2)])
        bar.update(1)

        # visits: month 1 as the quota asks (2 for most), month 2 up to the 15th; every fifth person none
        # in month 2 (quota missed, gap), 5% exceptions, 3% pending review
        for (y, m), days in ((M1, (5, 18)), (M2, (3, 12))):
            for k, day in enumerate(days):
                at = db_time(engine, local(y, m, day, 10))
                end = db_time(engine, local(y, m, day, 10, 40))
                skip = "AND p.id % 5 <> 0" if (y, m) == M2 else ""
                # each person's visit at a minute of its own between 10:00 and 18:00, not a million
                # at one instant: a township's visits then lie among the others' as they do, instead
                # of all after them in the index's order
                if engine.dialect.name == "sqlite":
                    at, end = (f"datetime('{t}', '+' || ((p.id * 37) % 480) || ' minutes')" for t in (at, end))
                else:
                    at, end = (f"(TIMESTAMPTZ '{t.isoformat()}' + ((p.id * 37) % 480) * INTERVAL '1 minute')"
                               for t in (at, end))
                conn.execute(sa.text(f"""
                    INSERT INTO visit (client_id, person_id, caregiver_id, agreement_id, mode, started_at, ended_at,
                                       received_at, lat, lon, accuracy_m, coord_system, services, status, exceptions,
                                       exception_detail, content_hash)
                    SELECT 'b{y}{m}{k}-' || p.id, p.id, a.caregiver_id, a.id, 'home', {at}, {end}, {end}, 42.28, 119.9,
                           12, 'wgs84', '[]'{j},
                           CASE WHEN (p.id + {k}) % 20 = 0 THEN 'exception'
                                WHEN (p.id + {k}) % 33 = 0 THEN 'pending' ELSE 'verified' END,
                           (CASE WHEN (p.id + {k}) % 20 = 0 THEN '["outside_geofence"]' ELSE '[]' END){j},
                           '{{}}'{j}, 'bench'
                    FROM person p JOIN careagreement a ON a.person_id = p.id WHERE a.status = 'active' {skip}"""))
        bar.update(1)
        # open quota alerts past their SLA (escalation's work), on a tenth of the persons
        conn.execute(sa.text(f"""
            INSERT INTO alert (kind, severity, person_id, place_id, level, status, title, detail, dedupe_key,
                               created_at, sla_due_at)
            SELECT 'quota_missed', 'normal', p.id, v.parent_id, 'township', 'open', '本月探访未达标', '{{}}'{j},
                   'bench:' || p.id, :created, :due
            FROM person p JOIN place v ON v.id = p.village_id WHERE p.id % 10 = 1"""),
                     {"created": db_time(engine, local(*M2, 2, 8)), "due": db_time(engine, local(*M2, 9, 8))})
        bar.update(1)
        conn.execute(sa.text("""
            INSERT INTO auditlog (at, user_id, action, entity, entity_id, person_id, address)
            SELECT :at, a.caregiver_id, 'read', 'person', p.id, p.id, '127.0.0.1'
            FROM person p JOIN careagreement a ON a.person_id = p.id"""),
                     {"at": db_time(engine, local(*M2, 10, 9))})
        bar.update(1)
        conn.execute(sa.text(f"""
            INSERT INTO notification (user_id, kind, title, body, urgent, dedupe_key, created_at, delivered_at)
            SELECT a.caregiver_id, 'reminder', '探访提醒', '本月还需探访', {'0' if true == '1' else 'false'},
                   'bench:' || a.id, :at, :at
            FROM careagreement a WHERE a.id % 4 = 0"""), {"at": db_time(engine, local(*M2, 10, 9))})
        bar.update(1)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    bar.update(1)
    bar.close()
    with engine.connect() as conn:
        counts = {t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}"))
                  for t in ("place", "person", "app_user", "careagreement", "visit", "alert", "auditlog",
                            "notification")}
    print(f"seeded in {time.perf_counter() - t0:.0f} s: {counts}")


def close_history(url: str) -> None:
    """The months from the persons' enrolment up to M1, closed as the scheduler closed them on their 1st
    (the month close job): a district's dashboard reads eleven closed months and the live one, as it
    does where the app has run for a year, not months never closed counted at each request."""
    enrolled = local(*M1, 1) - timedelta(days=60)
    y, m = enrolled.year, enrolled.month
    env = child_env(url)
    while (y, m) <= M1:
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        at = local(ny, nm, 1, 0, 30)
        secs, mb, rc, last = run_child(JOB_CLI + ["jobs", "run", "month_close", "--at", at.isoformat()], env)
        print(f"  closed {y}-{m:02d}: {secs:.1f} s, {mb:.0f} MB, exit {rc}: {last[:120]}", flush=True)
        y, m = ny, nm


# --- jobs ------------------------------------------------------------------------------------------

def _cron_interval(job) -> int:
    """The seconds between two runs of a job, from its cron fields (the coarsest field that is set)."""
    c = job.cron
    if "month" in c:
        return 365 * 86400
    if "day" in c:
        days = str(c["day"]).split(",")
        return 86400 * (31 if len(days) == 1 else 7)
    if "hour" in c:
        return 86400
    if str(c.get("minute", "")).startswith("*/"):
        return int(str(c["minute"])[2:]) * 60
    return 3600


def _job_instant(name: str, hour: int) -> datetime:
    if name in ("month_close", "review_overdue"):
        return local(M2[0], M2[1] + 1, 1, 0, 30)  # the month after the second: closes M2
    if name == "retention":
        return local(*M2, 16, 3, 15)
    if name == "month_rollup":
        return local(*M2, 16, 10, 5)  # the live month of the second: its visits up to the 15th
    if name == "health_check_reminder":
        return local(M2[0] + 1, 1, 10, hour, 20)
    if name == "volunteer_reminder":
        return local(*M2, 15, hour, 10)
    return local(*M2, 16, hour, 0 if name == "daily_reminders" else 5 if name == "gap_watch" else 40)


# seed 002's groups as a register has them: most live alone, some in an empty nest or left behind
RISK_FLAG_MIX = ([["lives_alone"]] * 5 + [[]] * 3 + [["empty_nest"], ["left_behind", "severe_disability"]])
PHONE_PREFIXES = ("139", "138", "137", "135", "150", "151", "186", "188", "159", "177")


def raw_sql(engine) -> dict:
    """The job's work as plain set-based SQL (what it should insert/update), for the jobs where the bench
    knows it. Each is a function (conn, at) run in a transaction the caller rolls back."""
    sqlite = engine.dialect.name == "sqlite"

    def escalation(conn, at):
        # the alerts climb with their events; the district hears of the scheduler's visit alerts as
        # one digest per township (issue 13 item 3)
        now = db_time(engine, at)
        ids = "SELECT id FROM alert WHERE status = 'open' AND level = 'township' AND sla_due_at < :now"
        conn.execute(sa.text(f"INSERT INTO alertevent (alert_id, at, kind) SELECT id, :now, 'escalated' FROM ({ids}) d"),
                     {"now": now})
        conn.execute(sa.text(f"""
            INSERT INTO notification (user_id, kind, title, body, urgent, dedupe_key, created_at)
            SELECT u.id, 'escalation', 'esc', 'esc', {'0' if sqlite else 'false'}, 'esc:' || d.place_id, :now
            FROM (SELECT place_id FROM alert WHERE id IN ({ids}) GROUP BY place_id) d, app_user u
            WHERE u.role = 'district_admin'"""), {"now": now})
        conn.execute(sa.text(f"UPDATE alert SET level = 'district' WHERE id IN ({ids})"), {"now": now})

    def gap_watch(conn, at):
        # each person's alert with its 'raised' event, and one digest per township to its staff
        j = "" if sqlite else "::json"
        now = db_time(engine, at)
        since = db_time(engine, at - timedelta(days=20))
        conn.execute(sa.text(f"""
            INSERT INTO alert (kind, severity, person_id, place_id, level, status, title, detail, dedupe_key,
                               created_at, sla_due_at)
            SELECT 'visit_gap', 'normal', p.id, v.parent_id, 'township', 'open', 'gap', '{{}}'{j}, 'rawgap:' || p.id,
                   :now, :now
            FROM person p JOIN place v ON v.id = p.village_id
            JOIN quotapolicy q ON q.self_care_level = p.self_care_level AND q.max_gap_days IS NOT NULL
            WHERE p.status = 'active' AND NOT EXISTS (
                SELECT 1 FROM visit x WHERE x.person_id = p.id AND x.mode = 'home'
                AND x.status IN ('verified', 'accepted') AND x.started_at >= :since)"""),
                     {"now": now, "since": since})
        conn.execute(sa.text("""INSERT INTO alertevent (alert_id, at, kind)
                                SELECT id, :now, 'raised' FROM alert WHERE dedupe_key LIKE 'rawgap:%'"""),
                     {"now": now})
        conn.execute(sa.text(f"""
            INSERT INTO notification (user_id, kind, title, body, urgent, dedupe_key, created_at)
            SELECT u.id, 'gap_digest', 'gaps', 'gaps', {'0' if sqlite else 'false'}, 'rawgaps', :now
            FROM (SELECT place_id FROM alert WHERE dedupe_key LIKE 'rawgap:%' GROUP BY place_id) d
            JOIN app_user u ON u.place_id = d.place_id AND u.role = 'township_staff'"""), {"now": now})

    def daily_reminders(conn, at):
        month_sql.reminders(conn, at=at)

    def month_close(conn, at):
        month_sql.close(conn, *M2, at=at)

    def month_rollup(conn, at):
        local_at = at.astimezone(ZONE)
        month_sql.rollup(conn, local_at.year, local_at.month, at=at)

    def retention(conn, at):
        conn.execute(sa.text("DELETE FROM auditlog WHERE at < :cut"),
                     {"cut": db_time(engine, at - timedelta(days=3 * 365))})

    return {"escalation": escalation, "gap_watch": gap_watch, "daily_reminders": daily_reminders,
            "month_close": month_close, "month_rollup": month_rollup, "retention": retention}


def child_env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "SECRET_KEY": "bench-scale",
            "ZHAOYING_LOG_LEVEL": "WARNING"}


CLI = [sys.executable, "-c", "from server.cli import main; main()"]
# `zhaoying jobs run`, with the job's own time written to stderr (start-up and imports left out)
JOB_CLI = [sys.executable, "-c", """
import sys, time
import server.jobs as jobs
from server.cli import main
run = jobs.run
def timed(*a, **k):
    t = time.perf_counter()
    try:
        return run(*a, **k)
    finally:
        print(f"BENCH_JOB_SECONDS {time.perf_counter() - t}", file=sys.stderr, flush=True)
jobs.run = timed
main()
"""]


def run_child(cmd: list[str], env: dict, timeout: float = 3600) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, last output) of a subprocess, its peak RSS from os.wait4; killed
    after ``timeout`` seconds (exit code -9, the time then reads as the timeout)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    out = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - t
    lines = out.strip().splitlines()
    for line in lines:
        if line.startswith("BENCH_JOB_SECONDS "):
            elapsed = float(line.split()[1])
    lines = [ln for ln in lines if not ln.startswith("BENCH_JOB_SECONDS")]
    return elapsed, usage.ru_maxrss / 1024, proc.returncode, lines[-1] if lines else ""


def bench_jobs(engine, url: str, rows: list, timeout: float, only=()) -> None:
    from server.settings import current as current_settings  # noqa: F401 (REMINDER_HOUR from the env)
    hour = int(os.environ.get("REMINDER_HOUR", "9"))
    raws = raw_sql(engine)
    env = child_env(url)
    # floor: a subprocess that imports the app and exits (its RSS is what every job's peak starts from)
    fl, fl_mb, _, _ = run_child(CLI + ["jobs", "list"], env)
    rows.append(("job", "(floor: CLI start-up)", f"{fl:.2f} s", "", "", f"{fl_mb:.0f} MB", "", ""))
    measured = []
    # the month close last: the jobs before it run in the second month, still open (the rollup's)
    for name, job in sorted(JOBS.items(), key=lambda item: item[0] == "month_close"):
        if only and name not in only:
            continue
        at = _job_instant(name, hour)
        raw_t = None
        if name in raws:
            with engine.connect() as conn:
                trans = conn.begin()
                t = time.perf_counter()
                raws[name](conn, at)
                raw_t = time.perf_counter() - t
                trans.rollback()
        secs, mb, rc, last = run_child(JOB_CLI + ["jobs", "run", name, "--at", at.isoformat()], env, timeout)
        measured.append((name, job, max(secs, 0.001), mb, rc, raw_t))  # the job's own time, in its process
        print(f"  {name} at {at.isoformat()}: {secs:.2f} s, {mb:.0f} MB, exit {rc}: {last[:160]}", flush=True)
    # what any run costs with nothing to do (its session, settings, the delivery step): the fastest
    # job of this run; a raw equivalent under it is compared with it, not with its own few ms
    fixed = min(work for _, _, work, _, rc, _ in measured if rc == 0)
    rows.append(("job", "(fixed cost of a run: the fastest)", f"{fixed:.2f} s", "", "", "", "", ""))
    for name, job, work, mb, rc, raw_t in measured:
        interval = _cron_interval(job)
        pct = 100 * work / interval
        ok = [pct <= 5, mb < 300] + ([work <= 2 * max(raw_t, fixed)] if raw_t is not None else [])
        rows.append(("job", name, f"{work:.2f} s", f"{interval // 60} min", f"{pct:.2f}%", f"{mb:.0f} MB",
                     f"{raw_t:.2f} s  {work / max(raw_t, fixed):.1f}×" if raw_t is not None else "—",
                     ("ok" if rc == 0 and all(ok) else "MISS") + (
                         "" if rc == 0 else f" (killed after {timeout:.0f} s)" if rc == -9 else f" (exit {rc})")))


# --- pages -----------------------------------------------------------------------------------------

class Server:
    def __init__(self, url: str, port: int, workers: int, threads: int):
        self.port = port
        self.proc = subprocess.Popen(CLI + ["serve", "--port", str(port), "--workers", str(workers),
                                            "--threads", str(threads)],
                                     env=child_env(url), cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                if self.get("/", None)[0] < 500:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start")

    def request(self, method: str, path: str, token: str | None, body: dict | None = None, sink=False):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        resp = conn.getresponse()
        if sink:
            size = 0
            while chunk := resp.read(1 << 16):
                size += len(chunk)
            data = size
        else:
            data = resp.read()
        conn.close()
        return resp.status, data

    def get(self, path, token):
        return self.request("GET", path, token)

    def login(self, username: str) -> str:
        status, data = self.request("POST", "/api/auth/login", None, {"username": username, "password": PASSWORD})
        if status != 200:
            raise SystemExit(f"login {username}: {status} {data[:200]!r}")
        return json.loads(data)["access_token"]

    def workers_hwm_mb(self) -> float:
        """The largest VmHWM among the gunicorn workers (children of the serve process)."""
        peak = 0
        for pid in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        return peak

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


def timings(server, path, token, n, concurrency, budget: float = 1e9) -> tuple[list[float], list[int]]:
    """n requests (first page only), sequential or from ``concurrency`` threads; requests not started
    within ``budget`` seconds are left out (a page taking seconds would otherwise hold the run for hours)."""
    deadline = time.perf_counter() + budget

    def one(_):
        if time.perf_counter() > deadline:
            return None
        t = time.perf_counter()
        status, _ = server.get(path, token)
        return (time.perf_counter() - t) * 1000, status

    if concurrency <= 1:
        res = [one(i) for i in range(n)]
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            res = list(pool.map(one, range(n)))
    res = [r for r in res if r is not None]
    return [r[0] for r in res], [r[1] for r in res]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def page_list(engine) -> tuple[list[tuple[str, str]], str]:
    with engine.connect() as conn:
        district = conn.scalar(sa.text("SELECT id FROM place WHERE name = '规模区' AND parent_id IS NULL"))
        township = conn.scalar(sa.text("SELECT min(id) FROM place WHERE parent_id = :d"), {"d": district})
        village = conn.scalar(sa.text("SELECT min(id) FROM place WHERE parent_id = :t"), {"t": township})
        name, idn, phone = conn.execute(sa.text(
            "SELECT name, id_number, phone FROM person WHERE village_id = :v ORDER BY id LIMIT 1"), {"v": village}).one()
        staff = conn.scalar(sa.text("SELECT username FROM app_user WHERE role = 'township_staff' AND place_id = :t "
                                    "ORDER BY id LIMIT 1"), {"t": township})
    from urllib.parse import quote
    month = f"{M2[0]}-{M2[1]:02d}"
    # (label, path, district only): a township staff is refused the district's pages by design (403)
    pages = [
        ("persons list", "/api/persons?page_size=50"),
        ("person search: name", f"/api/persons?page_size=50&q={quote(name)}"),
        ("person search: ID prefix", f"/api/persons?page_size=50&q={idn[:10]}"),
        ("person search: phone", f"/api/persons?page_size=50&q={phone}"),
        ("visits list", "/api/visits?page_size=50"),
        ("review queue (exception)", "/api/visits?page_size=50&status=exception"),
        ("review records", "/api/reviews?page_size=50"),
        ("alerts (open)", "/api/alerts?page_size=50&status=open"),
        ("audit log", "/api/audit?page_size=50", True),
        ("coverage: district", f"/api/coverage?place_id={district}&month={month}", True),
        ("coverage: district, this month", f"/api/coverage?place_id={district}", True),
        ("visit rates: district", f"/api/visit-rates?place_id={district}&month={month}", True),
        ("coverage: township", f"/api/coverage?place_id={township}&month={month}"),
        ("coverage: township, this month", f"/api/coverage?place_id={township}"),
        ("coverage: village", f"/api/coverage?place_id={village}&month={month}"),
        ("reports dashboard", "/api/reports/dashboard"),
        ("reports agreements", f"/api/reports/agreements?month={month}&place_id={township}"),
        ("inbox", "/api/notifications?page_size=50"),
    ]
    return pages, staff


class Rollup:
    """What the scheduler does beside the pages: the live month's rollup (jobs.month_rollup) every
    ROLLUP_MINUTES, run for the wall clock's instant, so the district's pages of this month read its
    rows as they would in production (a rollup older than three runs is not read)."""

    def __init__(self, url: str):
        from server.quotas.close import ROLLUP_MINUTES

        self.env, self.every = child_env(url), ROLLUP_MINUTES * 60
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def run(self) -> float:
        secs, mb, rc, last = run_child(JOB_CLI + ["jobs", "run", "month_rollup"], self.env)
        print(f"  rollup of the live month: {secs:.1f} s, {mb:.0f} MB, exit {rc}: {last[:100]}", flush=True)
        return secs

    def _loop(self):
        while not self.stop.wait(self.every):
            self.run()

    def __enter__(self):
        self.run()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(600)


def bench_pages(engine, server, rows, n, concurrency, budget, only=()) -> None:
    pages, staff = page_list(engine)
    pages = [p if len(p) == 3 else (*p, False) for p in pages]
    chosen = [p for p in pages if not only or any(o in p[0] for o in only)]
    for who, username in (("district admin", "admin1"), ("township staff", staff)):
        token = server.login(username)
        floor, _ = timings(server, "/api/me", token, n, 1)
        rows.append(("page", f"[{who}] floor GET /api/me", f"p50 {pct(floor, 50):.0f} ms",
                     f"p95 {pct(floor, 95):.0f} ms", "", "", "", ""))
        for label, path, *district_only in chosen:
            if district_only[0] and who == "township staff":
                continue
            seq, st1 = timings(server, path, token, n, 1, budget)
            par, st2 = timings(server, path, token, n, concurrency, budget)
            short = f" ({len(seq)}+{len(par)} of {n}+{n} in budget)" if len(seq) + len(par) < 2 * n else ""
            bad = sorted({s for s in st1 + st2 if s >= 400})
            ok = pct(seq, 95) < 300 and pct(par, 95) < 300 and not bad
            rows.append(("page", f"[{who}] {label}", f"p50 {pct(seq, 50):.0f} ms", f"p95 {pct(seq, 95):.0f} ms",
                         f"×{concurrency}: p50 {pct(par, 50):.0f}", f"p95 {pct(par, 95):.0f} ms",
                         f"{pct(seq, 95) / max(pct(floor, 50), 0.1):.0f}× floor p50",
                         ("ok" if ok else "MISS") + (f" HTTP {bad}" if bad else "") + short))
            print(f"  {who} {label}: seq p95 {pct(seq, 95):.0f} ms, ×{concurrency} p95 {pct(par, 95):.0f} ms"
                  + (f" HTTP {bad}" if bad else ""), flush=True)
    # reports do not starve check-ins: /api/me while 4 clients hammer coverage
    token = server.login("admin1")
    coverage = next(p for label, p, _ in pages if label == "coverage: district")
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            server.get(coverage, token)

    threads = [threading.Thread(target=hammer, daemon=True) for _ in range(4)]
    for th in threads:
        th.start()
    time.sleep(0.5)
    me, _ = timings(server, "/api/me", token, n, 1, budget)
    stop.set()
    for th in threads:
        th.join(600)
    rows.append(("page", "/api/me while 4 hammer coverage", f"p50 {pct(me, 50):.0f} ms", f"p95 {pct(me, 95):.0f} ms",
                 "", "", "", "ok" if pct(me, 95) < 300 else "MISS"))


def bench_export(engine, server, rows) -> None:
    token = server.login("admin1")
    with engine.connect() as conn:
        district = conn.scalar(sa.text("SELECT id FROM place WHERE name = '规模区' AND parent_id IS NULL"))
        agreements = conn.scalar(sa.text("SELECT count(*) FROM careagreement WHERE status = 'active'"))
    path = f"/api/reports/agreements?format=csv&place_id={district}&month={M2[0]}-{M2[1]:02d}"
    before = server.workers_hwm_mb()
    t = time.perf_counter()
    status, size = server.request("GET", path, token, sink=True)
    secs = time.perf_counter() - t
    hwm = server.workers_hwm_mb()
    rows.append(("export", f"agreements CSV, district ({agreements} rows)", f"{secs:.1f} s", f"{size / MB:.1f} MB out",
                 f"HTTP {status}", f"{hwm:.0f} MB (was {before:.0f})", "",
                 "ok" if status == 200 and hwm < 300 else "MISS"))


# --- main ------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=None)
    ap.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/zy_scale")
    ap.add_argument("--only", action="append", choices=("seed", "jobs", "pages", "export"),
                    help="seed: seed only (time it); otherwise the parts to measure (all by default)")
    ap.add_argument("--skip-seed", action="store_true")
    ap.add_argument("--job", action="append", default=[], help="time only these jobs (repeatable; default every job)")
    ap.add_argument("--page", action="append", default=[],
                    help="time only the pages whose label contains this (repeatable; default every page)")
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=8, help="threads per worker (serve's own default)")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--page-budget", type=float, default=120,
                    help="seconds per page and mode; requests not started by then are left out")
    ap.add_argument("--job-timeout", type=float, default=1800, help="seconds before a job's process is killed")
    a = ap.parse_args()
    url = normalise_database_url(a.database)
    n = a.persons or (100_000 if url.startswith("sqlite") else 1_000_000)
    only = set(a.only or ("jobs", "pages", "export"))
    if not a.skip_seed:
        url = fresh_database(url)
        upgrade(url=url)
        engine = make_engine(url)
        seed(engine, n)
        close_history(url)
    else:
        engine = make_engine(url)
    with engine.connect() as conn:
        t = time.perf_counter()
        for _ in range(100):
            conn.execute(sa.text("SELECT 1"))
        floor_ms = (time.perf_counter() - t) * 10
    rows = [("floor", "SELECT 1 round trip", f"{floor_ms:.3f} ms", "", "", "", "", "")]
    if "jobs" in only:
        print("jobs:", flush=True)
        bench_jobs(engine, url, rows, a.job_timeout, a.job)
    if only & {"pages", "export"}:
        server = Server(url, a.port, a.workers, a.threads)
        try:
            if "pages" in only:
                print("pages:", flush=True)
                with Rollup(url):
                    bench_pages(engine, server, rows, a.requests, a.concurrency, a.page_budget, a.page)
            if "export" in only:
                print("export:", flush=True)
                bench_export(engine, server, rows)
        finally:
            server.stop()
    print(f"\n{engine.dialect.name}, {n if not a.skip_seed else 'reused'} persons — targets: job ≤ 2× raw, "
          "≤ 5% of interval, < 300 MB; page p95 < 300 ms; export < 300 MB")
    widths = [max(len(str(r[i])) for r in rows) for i in range(8)]
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
