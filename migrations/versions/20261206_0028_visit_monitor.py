"""A 远程监测 check records the device looked at and what it read (issue 28 problem 5):
``visit.monitor_device`` (a code of server/visits/catalogue.MONITOR_DEVICES) and
``visit.monitor_reading``.

Revision ID: 0028_visit_monitor
Revises: 0027_import_mapping
Create Date: 2026-12-06 14:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0028_visit_monitor'
down_revision = '0027_import_mapping'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable columns: a plain ADD COLUMN on both databases, no copy of the table
    op.add_column('visit', sa.Column('monitor_device', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    op.add_column('visit', sa.Column('monitor_reading', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('visit') as batch:
        batch.drop_column('monitor_reading')
        batch.drop_column('monitor_device')
