"""What a visit can say (issue 29 part 9, seed 002 item 3: 基本生活、安全风险、家庭赡养、关爱保护):
``visit.safety_risk``, ``visit.family_support`` and ``visit.care_need`` (codes of
server/visits/catalogue.OBSERVATIONS). Old visits leave them empty.

Revision ID: 0033_visit_observations
Revises: 0032_festival_visitors
Create Date: 2026-12-07 14:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0033_visit_observations'
down_revision = '0032_festival_visitors'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable columns: a plain ADD COLUMN on both databases, no copy of the table, no backfill
    op.add_column('visit', sa.Column('safety_risk', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    op.add_column('visit', sa.Column('family_support', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    op.add_column('visit', sa.Column('care_need', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('visit') as batch:
        batch.drop_column('care_need')
        batch.drop_column('family_support')
        batch.drop_column('safety_risk')
