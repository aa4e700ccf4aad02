"""Engine, the request-scoped session, and the column types every domain shares.

SQLite is the embedded default and PostgreSQL the one for scale; the code is the
same for both, the differences are kept here.
"""

from __future__ import annotations

import logging
from datetime import timezone

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from server.errors import unavailable

EXTENSION_KEY = "zhaoying.db"
log = logging.getLogger("zhaoying.db")


class UTCDateTime(sa.types.TypeDecorator):
    """An aware UTC datetime on both engines.

    SQLite keeps no offset, so a naive value read back is UTC by construction:
    every value is converted to UTC before it is written, and a naive one is
    refused rather than guessed at.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# --- SQL functions that differ by engine, for statements that build rows in the database ---------------


def _by_engine(name: str, type_, doc: str, **templates: str):
    """An SQL function written in each engine's own words: ``templates`` by dialect name, each
    formatting the compiled arguments ({0}, {1}, … or {args}, all of them separated by commas)."""
    function = type(name, (sa.sql.functions.FunctionElement,), {"type": type_, "inherit_cache": True, "__doc__": doc})
    for dialect, template in templates.items():
        def render(element, compiler, _template=template, **kw):
            parts = [compiler.process(c, **kw) for c in element.clauses]
            return _template.format(*parts, args=", ".join(parts))
        compiles(function, dialect)(render)
    return function


utc_date = _by_engine(
    "utc_date", sa.String(), """The UTC calendar date of a UTCDateTime column, as text 'YYYY-MM-DD' (Python's
    ``value.date().isoformat()`` of the value read back).""",
    postgresql="to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    sqlite="date({0})")  # SQLite holds it as UTC text 'YYYY-MM-DD HH:MM:SS…'

whole_days = _by_engine(
    "whole_days", sa.Integer(), """Whole days from the second datetime to the first (Python's
    ``(later - earlier).days`` for later ≥ earlier), an integer.""",
    postgresql="CAST(floor(extract(epoch FROM ({0} - {1})) / 86400) AS INTEGER)",
    sqlite="((CAST(strftime('%s', {0}) AS INTEGER) - CAST(strftime('%s', {1}) AS INTEGER)) / 86400)")

day_count = _by_engine(
    "day_count", sa.Integer(), """Days from the second date to the first (Python's ``(later - earlier).days``
    for two local days), an integer; negative when the first is the earlier.""",
    postgresql="({0} - {1})",
    sqlite="CAST(julianday({0}) - julianday({1}) AS INTEGER)")  # SQLite holds a date as text 'YYYY-MM-DD'

later_day = _by_engine("later_day", sa.Date(), "The latest of the dates given (NULLs are not given).",
                       postgresql="GREATEST({args})", sqlite="max({args})")
earlier_day = _by_engine("earlier_day", sa.Date(), "The earliest of the dates given (NULLs are not given).",
                         postgresql="LEAST({args})", sqlite="min({args})")
larger = _by_engine("larger", sa.Integer(), "The largest of the integers given.",
                    postgresql="GREATEST({args})", sqlite="max({args})")

_json_object = _by_engine("json_object", sa.JSON(), "A JSON object of key and value arguments.",
                          postgresql="json_build_object({args})", sqlite="json_object({args})")


def json_object(**fields):
    """A JSON object built in the database from SQL expressions (json_build_object on PostgreSQL,
    json_object on SQLite): for a detail written by an INSERT … SELECT."""
    return _json_object(*(part for key, value in fields.items() for part in (sa.literal(key), value)))


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # pysqlite's own transaction handling issues a plain deferred BEGIN, which fails at once
        # with "database is locked" when a reader tries to become a writer while another writer
        # holds the lock, whatever the busy timeout. We take over: reads run on their own (WAL
        # lets them run beside a writer), and the first write of a transaction begins it
        # IMMEDIATE, waiting its turn under the busy timeout. So the write lock is held only
        # from a request's first write to its commit, not while it validates or decodes photos.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_first_write(connection, cursor, statement, parameters, context, executemany):
        dbapi_connection = connection.connection.dbapi_connection
        if not dbapi_connection.in_transaction and statement.lstrip()[:9].upper().startswith(_WRITES):
            dbapi_connection.execute("BEGIN IMMEDIATE")
    # COMMIT and ROLLBACK go through the driver, which issues them only when a transaction is open.


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 10, "check_same_thread": False})
        engine = sa.create_engine(url, **kwargs)
        _sqlite_pragmas(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return sa.create_engine(url, **kwargs)


class Database:
    """The engine and session factory an app (or a CLI command, or a job) uses."""

    def __init__(self, url: str, engine: Engine | None = None, bind: sa.Connection | None = None):
        self.url = url
        self.engine = engine or make_engine(url)
        # A test binds every session to one connection whose outer transaction it rolls
        # back; each request's commit then only releases a savepoint.
        self.sessionmaker = sessionmaker(
            bind=bind if bind is not None else self.engine,
            class_=Session,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    def session(self) -> Session:
        return self.sessionmaker()


def init_app(app: Flask, database: Database) -> None:
    app.extensions[EXTENSION_KEY] = database

    @app.after_request
    def _finish(response):
        # One transaction per request: a request that ends in an error stores nothing.
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if not session.in_transaction():
                    pass
                elif response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            except UNREACHABLE as error:  # the database went away at the commit: not a 2xx
                response = app.make_response(database_unreachable(error))
            finally:
                session.close()
        return response

    app.register_error_handler(sa.exc.OperationalError, database_unreachable)
    app.register_error_handler(sa.exc.InterfaceError, database_unreachable)

    @app.teardown_request
    def _teardown(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


# what a database that is restarting, failing over or out of reach raises (psycopg's "connection
# refused", "terminating connection due to administrator command", "server closed the connection
# unexpectedly"; SQLite's "database is locked" past the busy timeout)
UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError)


def database_unreachable(error: Exception):
    """A 503 with Retry-After, not a 500: the client (the app's outbox) sends the same request
    again, and what it carries is stored once."""
    said = str(getattr(error, "orig", None) or error).strip()
    log.warning("database unreachable: %s", said.splitlines()[0] if said else type(error).__name__)
    return unavailable().payload()


def count(session: Session, stmt) -> int:
    """How many rows ``stmt`` selects (for pagination totals), ignoring its ORDER BY."""
    return session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))


def insert_new(session: Session, table: sa.Table, rows: list[dict], *, unique: list[str]) -> int:
    """Insert many rows, each only if no row has its ``unique`` columns already (ON CONFLICT DO
    NOTHING on that key); returns how many went in. Every row names the same columns. On
    PostgreSQL the rows are streamed by COPY into a temporary table of those columns and moved
    over in one INSERT … SELECT (a row at a time, even pipelined, is ten times slower); on SQLite
    an executemany, which is as fast there. For a job's thousands of rows built in Python."""
    if not rows:
        return 0
    columns = list(rows[0])
    connection = session.connection()
    if not on_postgresql(session):
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=unique)
        return connection.execute(statement.execution_options(preserve_rowcount=True), rows).rowcount
    from psycopg.types.json import Json

    names = ", ".join(columns)
    stage = f"insert_new_{table.name}"
    cursor = connection.connection.driver_connection.cursor()
    # the staging table has the target's column types, no constraints, and empties at commit
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
                   f"SELECT {names} FROM {table.name} WITH NO DATA")
    cursor.execute(f"TRUNCATE {stage}")
    with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([Json(v) if isinstance(v, dict) else v for v in row.values()])
    cursor.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} "
                   f"ON CONFLICT ({', '.join(unique)}) DO NOTHING")
    return cursor.rowcount


# SQLite's full-text index of persons (migration 0025_person_search_sqlite): a virtual table and
# the shadow tables it keeps, all derived from ``person`` and none a table of the app's own.
PERSON_SEARCH = "person_search"


def insert_models(session: Session, model, rows: list[dict], *, key: str) -> list[int]:
    """Insert ``rows`` of a table model in one statement and return their ids in order: each row
    as the model would store it one by one — its defaults (one blank instance's: ``clock.now()``
    for the batch, the empty lists, the statuses) for what the row leaves out, each value as its
    column's type binds it. On PostgreSQL the rows travel as one JSON parameter that the database
    turns into rows (json_populate_recordset): psycopg parsed an executemany's thousands of
    placeholders longer than the insert took (a roster import's 500 persons a batch). On SQLite,
    SQLAlchemy's multi-row VALUES, as fast there as JSON and plainer. ``key``: a column unique
    among the rows, by which the ids are matched (RETURNING in the rows' order would make SQLite
    insert a row per statement)."""
    if not rows:
        return []
    import json

    table = model.__table__
    blank = model()
    defaults = {c.key: v for c in table.columns if c.key != "id" and (v := getattr(blank, c.key)) is not None}
    given = {k for row in rows for k in row}
    columns = [c for c in table.columns if c.key in given or c.key in defaults]
    # what fills a column a row leaves out: its default, else NULL (every row of one statement
    # names the same columns); a row is this merged with what it gives (a model's attributes are
    # named as its columns, which the JSON's fields must be)
    base = {c.key: defaults.get(c.key) for c in columns}
    full = [{**base, **row} for row in rows]
    connection = session.connection()
    if not on_postgresql(session):
        ids = dict(connection.execute(sa.insert(table).returning(table.c[key], table.c.id), full).all())
        return [ids[row[key]] for row in rows]
    quote = session.get_bind().dialect.identifier_preparer.quote
    names = ", ".join(quote(c.name) for c in columns)
    payload = json.dumps(full, default=lambda v: v.isoformat(), ensure_ascii=False)
    stmt = sa.text(f"INSERT INTO {quote(table.name)} ({names}) SELECT {names} FROM json_populate_recordset("
                   f"NULL::{quote(table.name)}, CAST(:rows AS json)) RETURNING {quote(table.c[key].name)}, id")
    ids = dict(connection.execute(stmt.bindparams(rows=payload)).all())
    return [ids[row[key]] for row in rows]


def derived_table(name: str) -> bool:
    """Whether a table found in the database is one of SQLite's full-text tables (PERSON_SEARCH and
    its shadows): left out of the models' comparison and of a backup's count of rows."""
    return name == PERSON_SEARCH or name.startswith(PERSON_SEARCH + "_")


def on_postgresql(session: Session) -> bool:
    """Whether the session's engine is PostgreSQL (the one for scale; SQLite otherwise)."""
    return session.get_bind().dialect.name == "postgresql"


def id_rows(session: Session, ids: list[int]):
    """The ids as a table of one column ``value``, bound as one parameter (PostgreSQL's unnest of
    an array, SQLite's json_each of a JSON list): for an INSERT … SELECT of a row per id."""
    if on_postgresql(session):
        from sqlalchemy.dialects.postgresql import ARRAY

        return sa.func.unnest(sa.literal(ids, type_=ARRAY(sa.Integer))).table_valued("value").render_derived()
    import json

    return sa.func.json_each(json.dumps(ids)).table_valued("value")


def among(session: Session, column, values: list):
    """``column IN values`` with the values bound as one parameter (PostgreSQL's ``= ANY`` of an
    array, SQLite's json_each of a JSON list): a batch of 500 ids or ID numbers costs one bind, not
    500 placeholders to render and parse (a roster import asks this a dozen times a batch)."""
    values = list(values)
    if on_postgresql(session):
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.literal(values, type_=ARRAY(column.type)))
    import json

    return column.in_(sa.select(sa.func.json_each(json.dumps(values)).table_valued("value").c.value))


def dialect_insert(session: Session, table):
    """The engine's own INSERT construct (PostgreSQL's or SQLite's), for ON CONFLICT."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if on_postgresql(session) else sqlite.insert)(table)


def without_jit(session: Session) -> None:
    """For the rest of the transaction, no JIT compilation on PostgreSQL: for a job's bulk write
    whose plan looks costly enough to compile (0.3–0.5 s each time, measured at a million persons)
    while its time goes to work JIT does not speed up — index entries, foreign-key checks."""
    if on_postgresql(session):
        session.execute(sa.text("SET LOCAL jit = off"))


ANALYZE_AFTER = 10_000  # rows a job writes past which it refreshes the planner's statistics


def analyze_after(session: Session, written: int, *tables: sa.Table) -> None:
    """After a job wrote ``written`` rows (ANALYZE_AFTER or more) into ``tables``, refresh their
    statistics on PostgreSQL: a staff page that asks for the events of 50 alerts must not plan a
    scan of them all because the planner still counts the table as it was before the 100,000 rows
    just raised (autovacuum's analyse comes later, or, where it is off, never). ANALYZE samples and
    blocks neither readers nor writers."""
    if written >= ANALYZE_AFTER and on_postgresql(session):
        for table in tables:
            session.execute(sa.text(f"ANALYZE {table.name}"))


_ID_BATCHES = sa.MetaData()


def id_batch(session: Session, name: str, select_ids) -> sa.Table:
    """A temporary table ``name`` of one column ``id`` holding the ids ``select_ids`` selects, for a
    job's batch: its statements join it instead of each evaluating the batch's conditions again
    (or sending its ids back as a list). Emptied first; on PostgreSQL emptied at commit too, and
    analysed so the planner knows its size."""
    table = _ID_BATCHES.tables.get(name)
    if table is None:
        table = sa.Table(name, _ID_BATCHES, sa.Column("id", sa.Integer, primary_key=True))
    postgresql = on_postgresql(session)
    session.execute(sa.text(f"CREATE TEMP TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY)"
                            + (" ON COMMIT DELETE ROWS" if postgresql else "")))
    session.execute(table.delete())
    session.execute(table.insert().from_select(["id"], select_ids))
    if postgresql:
        session.execute(sa.text(f"ANALYZE {name}"))
    return table


def database() -> Database:
    return current_app.extensions[EXTENSION_KEY]


def get_session() -> Session:
    """The current request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session
