"""visit by status and start (the review queue); notification by alert (an alert's messages)

Revision ID: 0021_hot_indexes
Revises: 0020_visit_month
Create Date: 2026-12-04 01:20:00
"""

from alembic import op


revision = '0021_hot_indexes'
down_revision = '0020_visit_month'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('visit') as batch:
        batch.create_index('ix_visit_status_started', ['status', 'started_at', 'id'], unique=False)
    with op.batch_alter_table('notification') as batch:
        batch.create_index('ix_notification_alert_id', ['alert_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.drop_index('ix_notification_alert_id')
    with op.batch_alter_table('visit') as batch:
        batch.drop_index('ix_visit_status_started')
