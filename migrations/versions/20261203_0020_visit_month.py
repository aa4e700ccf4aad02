"""visit: an index of every visit by its start, covering the month's counts on PostgreSQL

Revision ID: 0020_visit_month
Revises: 0012_casework
Create Date: 2026-12-03 17:30:00
"""

from alembic import op


revision = '0020_visit_month'
down_revision = '0012_casework'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('visit') as batch:
        batch.create_index('ix_visit_started', ['started_at'], unique=False,
                           postgresql_include=['person_id', 'status', 'mode'])


def downgrade() -> None:
    with op.batch_alter_table('visit') as batch:
        batch.drop_index('ix_visit_started')
