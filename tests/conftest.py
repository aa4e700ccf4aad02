"""Schema built once per run by migrating; each test inside an outer transaction that is
rolled back, every session (the test's and the app's) on savepoints of it.

TEST_DATABASE_URL picks the engine (PostgreSQL in `make test`'s second pass); the
default is a SQLite file in the run's temporary folder.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server import create_app
from server.config import normalise_database_url
from server.db import Database, make_engine
from server.migrate import upgrade
from tests import factories


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
    }


@pytest.fixture
def app(app_config):
    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def world(session):
    """Two townships of one district, each with two villages, staff, a caregiver with a
    person under agreement, a volunteer in the township's team; and a district admin."""
    return factories.World.build(session)
