"""What the server benchmarks share: a PostgreSQL database of their own, and a free loopback port."""

from __future__ import annotations

import os
import socket
import sys

import sqlalchemy as sa

from server.config import normalise_database_url


def scratch_database(prefix: str) -> tuple[str, str]:
    """(admin URL, URL of a fresh database named ``prefix_<pid>``) on the PostgreSQL of DATABASE_URL."""
    base = normalise_database_url(os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgresql"):
        sys.exit(f"{prefix} needs PostgreSQL: set DATABASE_URL=postgresql://…")
    name = f"{prefix}_{os.getpid()}"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return admin, base.rsplit("/", 1)[0] + "/" + name


def drop_database(admin: str, url: str) -> None:
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
