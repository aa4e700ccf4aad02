"""schedule policy: late_submission_days

Revision ID: 0008_late_submission_days
Revises: 0007_roster_import
Create Date: 2026-11-24 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_late_submission_days'
down_revision = '0007_roster_import'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the seeds give no number: 7 days is a local policy default, district admins change it
    with op.batch_alter_table('schedulepolicy') as batch:
        batch.add_column(sa.Column('late_submission_days', sa.Integer(), nullable=False, server_default='7'))


def downgrade() -> None:
    with op.batch_alter_table('schedulepolicy') as batch:
        batch.drop_column('late_submission_days')
