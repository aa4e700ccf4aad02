"""notification: a partial index of the undelivered, for delivery in batches

Revision ID: 0015_storage
Revises: 0009_person_category
Create Date: 2026-11-29 10:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015_storage'
down_revision = '0009_person_category'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.create_index('ix_notification_undelivered', ['id'], unique=False,
                           sqlite_where=sa.text('delivered_at IS NULL'), postgresql_where=sa.text('delivered_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.drop_index('ix_notification_undelivered', sqlite_where=sa.text('delivered_at IS NULL'),
                         postgresql_where=sa.text('delivered_at IS NULL'))
