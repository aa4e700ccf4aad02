"""A district's own campaign frequencies, each from a year on (issue 29 part 8): the clean-up
quarterly and the health check yearly stay the seeds' (seed 000 items 11 and 4) until one is set.

Revision ID: 0039_campaign_frequency
Revises: 0038_local_numbers
Create Date: 2026-12-07 04:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0039_campaign_frequency'
down_revision = '0038_local_numbers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'campaignfrequency',
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('from_year', sa.Integer(), nullable=False),
        sa.Column('frequency', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('kind', 'from_year'),
    )


def downgrade() -> None:
    op.drop_table('campaignfrequency')
