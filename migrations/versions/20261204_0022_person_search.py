"""person: trigram indexes (pg_trgm) on name, ID number and phone for search by a fragment, on PostgreSQL

Revision ID: 0022_person_search
Revises: 0021_hot_indexes
Create Date: 2026-12-04 01:25:00
"""

from alembic import op


revision = '0022_person_search'
down_revision = '0021_hot_indexes'
branch_labels = None
depends_on = None

COLUMNS = ("name", "id_number", "phone")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no trigram index; its search scans
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for c in COLUMNS:
        op.create_index(f"ix_person_{c}_trgm", "person", [c], postgresql_using="gin",
                        postgresql_ops={c: "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for c in COLUMNS:
        op.drop_index(f"ix_person_{c}_trgm", table_name="person")
