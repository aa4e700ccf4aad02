"""quota policy

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:16:15.296475
"""

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('quotapolicy',
    sa.Column('self_care_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('visits_per_month', sa.Integer(), nullable=False),
    sa.Column('max_gap_days', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('self_care_level')
    )
    # The defaults of docs/domain.md "Visit quotas", written here so they are rows staff can see and edit.
    now = datetime.now(timezone.utc)
    quota = sa.table('quotapolicy', sa.column('self_care_level', sa.String), sa.column('visits_per_month', sa.Integer),
                     sa.column('max_gap_days', sa.Integer), sa.column('updated_at', sa.DateTime(timezone=True)))
    op.bulk_insert(quota, [
        {'self_care_level': 'self_care', 'visits_per_month': 2, 'max_gap_days': 20, 'updated_at': now},
        {'self_care_level': 'partly_disabled', 'visits_per_month': 4, 'max_gap_days': 10, 'updated_at': now},
        {'self_care_level': 'fully_disabled', 'visits_per_month': 8, 'max_gap_days': 5, 'updated_at': now},
    ])


def downgrade() -> None:
    
    op.drop_table('quotapolicy')
    
