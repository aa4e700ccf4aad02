"""every local number in the district hands (issue 29 part 8).

``caresubsidypolicy``: the 住院照料护理补贴 and the care-home top-up (seed 000 item 7: 240 元/人/年;
500 / 200 元 a fully / partly disabled resident a month), a version per month it applies from;
``schedulepolicy.review_second_month`` (seed 004 item 4: 9月; None: six months after the first)
and ``updated_by``; ``festivalpolicy.festivals`` (the festivals a district adds to seed 003's
three) and ``rule_321`` (the "321" ranges; None: seed 003's).

Revision ID: 0038_local_numbers
Revises: 0037_categories
Create Date: 2026-12-07 03:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0038_local_numbers'
down_revision = '0037_categories'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'caresubsidypolicy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('effective_month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('hospital_care_per_year', sa.Integer(), nullable=False),
        sa.Column('topup_fully_disabled', sa.Integer(), nullable=False),
        sa.Column('topup_partly_disabled', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('effective_month'),
    )
    with op.batch_alter_table('schedulepolicy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_second_month', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('updated_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_schedulepolicy_updated_by_app_user', 'app_user', ['updated_by'], ['id'])
    with op.batch_alter_table('festivalpolicy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('festivals', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('rule_321', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('festivalpolicy', schema=None) as batch_op:
        batch_op.drop_column('rule_321')
        batch_op.drop_column('festivals')
    with op.batch_alter_table('schedulepolicy', schema=None) as batch_op:
        batch_op.drop_constraint('fk_schedulepolicy_updated_by_app_user', type_='foreignkey')
        batch_op.drop_column('updated_by')
        batch_op.drop_column('review_second_month')
    op.drop_table('caresubsidypolicy')
