"""The month-close sweep over N people (default 1,000,000; `zhaoying demo --scale`), as a ratio to
a raw SQL aggregate of the same question written by hand, measured in the same run on the same
database. Target: ≤ 1.5×. Both write the month's compliance rows, each in a transaction that is
rolled back. DATABASE_URL picks the engine (a PostgreSQL URL: the database is created afresh).

Run: .venv/bin/python bench/month_close.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import click  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from server import demo  # noqa: E402
from server.config import normalise_database_url  # noqa: E402
from server.db import make_engine  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.quotas.close import compliance_sweep  # noqa: E402
from server.timeutil import month_bounds  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
YEAR, MONTH = 2026, 10

RAW = """
INSERT INTO monthlycompliance (person_id, month, village_id, caregiver_id, self_care_level, quota,
                               verified_home_visits, met)
SELECT p.id, '2026-10', p.village_id, a.caregiver_id, p.self_care_level, q.visits_per_month,
       coalesce(v.n, 0), coalesce(v.n, 0) >= q.visits_per_month
FROM person p
JOIN quotapolicy q ON q.self_care_level = p.self_care_level
LEFT JOIN careagreement a ON a.person_id = p.id AND a.status = 'active'
LEFT JOIN (SELECT person_id, count(*) AS n FROM visit
           WHERE mode = 'home' AND status IN ('verified', 'accepted') AND started_at >= :start AND started_at < :end
           GROUP BY person_id) v ON v.person_id = p.id
WHERE p.status = 'active' AND p.support_mode = 'decentralised'
"""


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='zhaoying-bench-')) / 'bench.db'}"
    url = normalise_database_url(url)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS zhaoying_bench WITH (FORCE)")
        conn.exec_driver_sql("CREATE DATABASE zhaoying_bench")
    admin.dispose()
    return url.rsplit("/", 1)[0] + "/zhaoying_bench"


def add_visits(engine, start) -> None:
    """Two verified home visits in the month for every other person, in SQL (it is setup, not the test)."""
    with engine.begin() as conn:
        for k in (1, 2):
            conn.execute(sa.text(f"""
                INSERT INTO visit (client_id, person_id, caregiver_id, agreement_id, mode, started_at, received_at,
                                   coord_system, services, status, exceptions, exception_detail, content_hash)
                SELECT 'bench-{k}-' || p.id, p.id, a.caregiver_id, a.id, 'home', :at, :at, 'wgs84', '[]', 'verified',
                       '[]', '{{}}', 'x'
                FROM person p JOIN careagreement a ON a.person_id = p.id WHERE p.id % 2 = 0
            """), {"at": db_time(engine, start + timedelta(days=k))})


def db_time(engine, moment: datetime):
    """A UTC instant as the column stores it: SQLite keeps naive UTC text (server/db.py UTCDateTime)."""
    if engine.dialect.name == "sqlite":
        return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    return moment


def timed(engine, fn) -> float:
    with engine.connect() as conn:
        trans = conn.begin()
        t = time.perf_counter()
        fn(conn)
        elapsed = time.perf_counter() - t
        trans.rollback()
    return elapsed


def main(n: int = 1_000_000) -> None:
    url = database_url()
    upgrade(url=url)
    engine = make_engine(url)
    t = time.perf_counter()
    demo.load_scale(engine, n, batch=10_000, progress=click.progressbar)
    start, end = month_bounds(YEAR, MONTH, ZONE)
    add_visits(engine, start)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"set up {n} people in {time.perf_counter() - t:.0f} s")

    def ours(conn):
        with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
            assert compliance_sweep(s, year=YEAR, month=MONTH, zone=ZONE) == n
            met = s.scalar(sa.text("SELECT count(*) FROM monthlycompliance WHERE met"))
        # the same question: every other person had two visits, the self-care quota is two
        assert met == s_expected_met, (met, s_expected_met)

    def floor(conn):
        assert conn.execute(sa.text(RAW), {"start": db_time(engine, start), "end": db_time(engine, end)}).rowcount == n
        assert conn.scalar(sa.text("SELECT count(*) FROM monthlycompliance WHERE met")) == s_expected_met

    with engine.connect() as conn:
        s_expected_met = conn.scalar(sa.text(
            "SELECT count(*) FROM person WHERE id % 2 = 0 AND self_care_level = 'self_care'"))
    floor_times, our_times = [], []
    for _ in range(3):
        floor_times.append(timed(engine, floor))
        our_times.append(timed(engine, ours))
    f, o = statistics.median(floor_times), statistics.median(our_times)
    print(f"month-close sweep over {n} people on {engine.dialect.name}")
    print(f"floor (raw SQL aggregate, INSERT … SELECT): {f:.2f} s")
    print(f"ours  (quotas.close.compliance_sweep):     {o:.2f} s   ratio {o / f:.2f}× floor (target ≤ 1.5)")
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
