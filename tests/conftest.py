"""Schema built once per run by migrating; each test inside an outer transaction that is
rolled back, every session (the test's and the app's) on savepoints of it.

TEST_DATABASE_URL picks the engine (PostgreSQL in `make test`'s second pass); the
default is a SQLite file in the run's temporary folder.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import Session

from server import create_app
from server.config import DEFAULT_PUSH_ENDPOINT_HOSTS, normalise_database_url
from server.db import Database, make_engine
from server.migrate import upgrade
from server.wiring import Settings
from tests import factories

SH = ZoneInfo("Asia/Shanghai")

# Tests never read the real clock. Every test runs with it frozen at an ordinary moment; a test
# marked `clock_edges` runs again at each instant that has broken date code elsewhere (the
# machine runs UTC, days and months are Shanghai's).
ORDINARY_INSTANT = datetime(2026, 11, 18, 10, 0, tzinfo=SH)
EDGE_INSTANTS = {
    "sh-last-second-of-month": datetime(2026, 11, 30, 23, 59, 59, tzinfo=SH),
    "sh-first-second-of-month": datetime(2026, 12, 1, 0, 0, 1, tzinfo=SH),
    "utc-16h30": datetime(2026, 11, 18, 16, 30, tzinfo=timezone.utc),  # 00:30 the next day in Shanghai
    "dec-31-utc-new-year-sh": datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc),
    "dec-31-sh": datetime(2026, 12, 31, 12, 0, tzinfo=SH),
    "feb-29": datetime(2028, 2, 29, 12, 0, tzinfo=SH),
}


def pytest_configure(config):
    config.addinivalue_line("markers", "clock_edges: run at every instant of conftest.EDGE_INSTANTS too")


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("clock_edges"):
        instants = {"ordinary": ORDINARY_INSTANT, **EDGE_INSTANTS}
        metafunc.parametrize("frozen_at", list(instants.values()), ids=list(instants), indirect=True)


@pytest.fixture(autouse=True)
def frozen_at(request):
    """The instant the test runs at (the clock does not move during it)."""
    if request.node.get_closest_marker("browser"):
        # Chromium has a clock of its own: the browser tests set both together (tests/pwa/conftest.py)
        yield None
        return
    instant = getattr(request, "param", ORDINARY_INSTANT)
    with time_machine.travel(instant, tick=False):
        yield instant


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url=url)
    return url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection) -> Session:
    with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
        yield s


@pytest.fixture
def app_config(database_url, engine, connection, tmp_path) -> dict:
    return {
        "DATABASE": Database(database_url, engine=engine, bind=connection),
        "SECRET_KEY": "test-secret",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "MEDIA_DIR": str(tmp_path / "media"),
        "TESTING": True,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 8,
        # the tests' loopback push service (tests/notify/receivers.py) beside the real ones; never the default
        "PUSH_ENDPOINT_HOSTS": ",".join(DEFAULT_PUSH_ENDPOINT_HOSTS + ("127.0.0.1",)),
        "PUSH_ALLOW_LOOPBACK": True,
    }


@pytest.fixture
def app(app_config):
    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app_config):
    """The tests' Database, as a job is given it."""
    return app_config["DATABASE"]


@pytest.fixture
def settings(app):
    """The app's settings for a job run in a test: no push keys, no SMS gateway (nothing leaves the
    machine; tests of delivery set their own)."""
    return Settings.from_config({**app.config, "VAPID_PRIVATE_KEY": None, "SMS_WEBHOOK_URL": None})


@pytest.fixture
def world(session):
    """Two townships of one district, each with two villages, staff, a caregiver with a
    person under agreement, a volunteer in the township's team; and a district admin."""
    return factories.World.build(session)
