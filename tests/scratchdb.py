"""A database of a test module's own, migrated to head: a SQLite file, or (with TEST_DATABASE_URL, as
`make test`'s PostgreSQL pass sets) a PostgreSQL database beside the test one, dropped afterwards.
For tests whose servers commit for real (live threads, subprocesses), which the transactional
fixtures cannot show."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from server.config import normalise_database_url
from server.migrate import upgrade


@contextmanager
def scratch_database(tmp_path_factory, suffix: str) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path_factory.mktemp(suffix) / f'{suffix}.db'}"
        upgrade(url=url)
        yield url
        return
    base = normalise_database_url(base)
    name = sa.engine.make_url(base).database + f"_{suffix}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
    upgrade(url=url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
