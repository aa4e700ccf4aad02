"""person: a trigram full-text index (FTS5) over name, phone and ID number on SQLite, so search
by a fragment reads an index there as pg_trgm does on PostgreSQL (0022_person_search). Before,
SQLite matched ``lower(…) LIKE '%q%'`` against every person: 55 ms a search at 100,000 persons,
700–820 ms p95 under sixteen clients.

An external-content table (the text stays in ``person``; the index holds the trigrams), kept
current by triggers on every write of the three columns, filled from the rows already there. A
later SQLite migration that rebuilds ``person`` (batch mode copies it and drops the old table,
its triggers with it) must create the triggers again: ``create_triggers`` here.

Revision ID: 0025_person_search_sqlite
Revises: 0024_place_path_prefix
Create Date: 2026-12-04 14:30:00
"""

from alembic import op


revision = '0025_person_search_sqlite'
down_revision = '0024_place_path_prefix'
branch_labels = None
depends_on = None

TABLE = "person_search"  # server/db.py PERSON_SEARCH: people.service searches it; compared and backed up as derived
COLUMNS = "name, phone, id_number"
NEW = "new.name, new.phone, new.id_number"
OLD = "old.name, old.phone, old.id_number"


def create_triggers() -> None:
    op.execute(f"CREATE TRIGGER {TABLE}_insert AFTER INSERT ON person BEGIN "
               f"INSERT INTO {TABLE} (rowid, {COLUMNS}) VALUES (new.id, {NEW}); END")
    op.execute(f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON person BEGIN "
               f"INSERT INTO {TABLE} ({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD}); END")
    op.execute(f"CREATE TRIGGER {TABLE}_update AFTER UPDATE OF id, {COLUMNS} ON person BEGIN "
               f"INSERT INTO {TABLE} ({TABLE}, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD}); "
               f"INSERT INTO {TABLE} (rowid, {COLUMNS}) VALUES (new.id, {NEW}); END")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL: the trigram indexes of 0022_person_search
    op.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5({COLUMNS}, content='person', content_rowid='id', "
               "tokenize='trigram')")
    create_triggers()
    op.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER {TABLE}_{event}")
    op.execute(f"DROP TABLE {TABLE}")
