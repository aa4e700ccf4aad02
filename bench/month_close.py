"""The month close over N people (default 1,000,000; `zhaoying demo --scale`), as a ratio to the same
work written by hand in SQL (bench/month_sql.py), measured in the same run on the same database.
Target: ≤ 1.5×. Both write the month's record — a row per person, a row per agreement, the figures
of every place — each in a transaction that is rolled back. DATABASE_URL picks the engine (a
PostgreSQL URL: the database is created afresh).

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
from server.alerts.service import AlertSettings  # noqa: E402
from server.quotas.close import close_month  # noqa: E402

import month_sql  # noqa: E402  (bench/month_sql.py: the month's work written by hand)
from server.timeutil import month_bounds  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
YEAR, MONTH = 2026, 10

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

    at = datetime(YEAR, MONTH + 1, 1, 0, 30, tzinfo=ZONE)

    def ours(conn):
        with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
            done = close_month(s, year=YEAR, month=MONTH, zone=ZONE, now=at,
                               alert_settings=AlertSettings({"urgent": 240, "normal": 4320}))
            assert (done["persons"], done["agreements"]) == (n, n), done
            met = s.scalar(sa.text("SELECT count(*) FROM agreementmonth WHERE fulfilment = 'met'"))
        # the same question: every other person had two visits, the default quota is one
        assert met == s_expected_met, (met, s_expected_met)

    def floor(conn):
        assert month_sql.close(conn, YEAR, MONTH, at=at) == {"persons": n, "agreements": n}
        assert conn.scalar(sa.text("SELECT count(*) FROM agreementmonth WHERE fulfilment = 'met'")) == s_expected_met

    with engine.connect() as conn:
        s_expected_met = conn.scalar(sa.text("SELECT count(*) FROM person WHERE id % 2 = 0"))
    floor_times, our_times = [], []
    for _ in range(3):
        floor_times.append(timed(engine, floor))
        our_times.append(timed(engine, ours))
    f, o = statistics.median(floor_times), statistics.median(our_times)
    print(f"month close over {n} people on {engine.dialect.name}")
    print(f"floor (bench/month_sql.py, by hand): {f:.2f} s")
    print(f"ours  (quotas.close.close_month):    {o:.2f} s   ratio {o / f:.2f}× floor (target ≤ 1.5)")
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
