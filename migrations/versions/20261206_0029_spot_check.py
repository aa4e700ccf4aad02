"""重点抽查、随机暗访 (seed 003 三(四), issue 28 problem 11): ``spotcheck``, the verified visits drawn
each month for a call-back and what it found, and ``caseworkpolicy.spot_check_percent``, the share
drawn (a local default of 5; the seed gives none).

Revision ID: 0029_spot_check
Revises: 0028_visit_monitor
Create Date: 2026-12-06 14:30:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0029_spot_check'
down_revision = '0028_visit_monitor'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'spotcheck',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('checked_by', sa.Integer(), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['visit_id'], ['visit.id']),
        sa.ForeignKeyConstraint(['township_id'], ['place.id']),
        sa.ForeignKeyConstraint(['checked_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('visit_id'),
    )
    op.create_index('ix_spotcheck_township_month', 'spotcheck', ['township_id', 'month'])
    op.add_column('caseworkpolicy', sa.Column('spot_check_percent', sa.Integer(), nullable=False,
                                              server_default='5'))


def downgrade() -> None:
    with op.batch_alter_table('caseworkpolicy') as batch:
        batch.drop_column('spot_check_percent')
    op.drop_index('ix_spotcheck_township_month', table_name='spotcheck')
    op.drop_table('spotcheck')
