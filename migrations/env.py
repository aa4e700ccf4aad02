"""Alembic over SQLModel.metadata, for SQLite and PostgreSQL alike.

A caller may hand over an open connection in ``config.attributes["connection"]``
(the tests do); otherwise the URL comes from the app's settings (DATABASE_URL).
"""

from alembic import context
from sqlmodel import SQLModel

import server.models  # noqa: F401  (registers every table)
from server.config import load_settings
from server.db import UTCDateTime, derived_table, make_engine

target_metadata = SQLModel.metadata


def render_item(type_, obj, autogen_context):
    # Migrations spell the shared UTC type as what it is in the database.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object_for(dialect: str):
    """An object built only for some dialects (``ddl_if``: the trigram indexes of PostgreSQL) is
    compared only on them; SQLite's full-text tables are not compared."""
    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and reflected and compare_to is None and derived_table(name):
            return False
        ddl_if = getattr(obj, "_ddl_if", None)
        return ddl_if is None or ddl_if.dialect is None or ddl_if.dialect == dialect
    return include_object


def run_with(connection) -> None:
    context.configure(
        include_object=include_object_for(connection.dialect.name),
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = context.config.attributes.get("url") or load_settings()["DATABASE_URL"]
    engine = make_engine(url)
    with engine.connect() as conn:
        run_with(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_online()
