"""What the month close writes of the care homes (issue 29 parts 1 and 8): a closed month's annex 2
and care-home top-up read the record, never today's homes, target or amounts.

Revision ID: 0040_care_month
Revises: 0039_campaign_frequency
Create Date: 2026-12-07 05:30:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0040_care_month'
down_revision = '0039_campaign_frequency'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'caremonth',
        sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('occupancy_target_percent', sa.Integer(), nullable=False),
        sa.Column('topup_fully_disabled', sa.Integer(), nullable=False),
        sa.Column('topup_partly_disabled', sa.Integer(), nullable=False),
        sa.Column('topup_local', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('month'),
    )
    op.create_table(
        'carehomemonth',
        sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('care_home_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=True),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('beds', sa.Integer(), nullable=False),
        sa.Column('roster_residents', sa.Integer(), nullable=False),
        sa.Column('other_residents', sa.Integer(), nullable=False),
        sa.Column('staff', sa.Integer(), nullable=False),
        sa.Column('head_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(['care_home_id'], ['carehome.id']),
        sa.ForeignKeyConstraint(['month'], ['caremonth.month']),
        sa.ForeignKeyConstraint(['place_id'], ['place.id']),
        sa.PrimaryKeyConstraint('month', 'care_home_id'),
    )
    op.create_table(
        'caretopupmonth',
        sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('residence_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('care_home_id', sa.Integer(), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('end_on', sa.Date(), nullable=True),
        sa.Column('self_care_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['care_home_id'], ['carehome.id']),
        sa.ForeignKeyConstraint(['month'], ['caremonth.month']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['residence_id'], ['careresidence.id']),
        sa.PrimaryKeyConstraint('month', 'residence_id'),
    )


def downgrade() -> None:
    op.drop_table('caretopupmonth')
    op.drop_table('carehomemonth')
    op.drop_table('caremonth')
