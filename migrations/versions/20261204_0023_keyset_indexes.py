"""indexes the keyset pages and the jobs' batches read through: visit by (start, id), the newest
first (the visits list; it keeps covering the month's counts), the audit trail by (at, id), an
alert by the instant it was raised (the alerts a batch just raised, for their events and digest)

Revision ID: 0023_keyset_indexes
Revises: 0022_person_search
Create Date: 2026-12-04 04:25:00
"""

from alembic import op


revision = '0023_keyset_indexes'
down_revision = '0022_person_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert') as batch:
        batch.create_index('ix_alert_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('auditlog') as batch:
        batch.create_index('ix_auditlog_at_id', ['at', 'id'], unique=False)
    with op.batch_alter_table('visit') as batch:
        batch.drop_index('ix_visit_started')
        batch.create_index('ix_visit_started', ['started_at', 'id'], unique=False,
                           postgresql_include=['person_id', 'status', 'mode'])


def downgrade() -> None:
    with op.batch_alter_table('visit') as batch:
        batch.drop_index('ix_visit_started')
        batch.create_index('ix_visit_started', ['started_at'], unique=False,
                           postgresql_include=['person_id', 'status', 'mode'])
    with op.batch_alter_table('auditlog') as batch:
        batch.drop_index('ix_auditlog_at_id')
    with op.batch_alter_table('alert') as batch:
        batch.drop_index('ix_alert_created_at')
