"""categories as the seeds word them (issue 29 part 6).

计划生育特殊家庭 is a group of its own in 月探访率 (seed 002 item 3): two counts on MonthTotals. The groups
count persons 60 or over in the month only: PersonMonth.elderly, which the months already closed keep
true for everyone (they were closed so; a closed month is a record). Which rate applies to a person in
two groups with different rates is the district's choice: ServiceGroupRule.

Revision ID: 0037_categories
Revises: 0036_agreement_documents
Create Date: 2026-12-07 03:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0037_categories'
down_revision = '0036_agreement_documents'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('personmonth') as batch:
        batch.add_column(sa.Column('elderly', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('monthtotals') as batch:
        batch.add_column(sa.Column('family_planning_special_total', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('family_planning_special_visited', sa.Integer(), nullable=False, server_default='0'))
    op.create_table(
        'servicegrouprule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('servicegrouprule')
    with op.batch_alter_table('monthtotals') as batch:
        batch.drop_column('family_planning_special_visited')
        batch.drop_column('family_planning_special_total')
    with op.batch_alter_table('personmonth') as batch:
        batch.drop_column('elderly')
