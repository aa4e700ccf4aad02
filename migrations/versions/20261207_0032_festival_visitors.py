"""Whose visits count for a festival campaign (issue 29 part 7, seed 000 item 12 发动社会力量):
``festivalpolicy``, one row a district admin saves; none saved, cadres and volunteers count.

Revision ID: 0032_festival_visitors
Revises: 0031_import_records
Create Date: 2026-12-07 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0032_festival_visitors'
down_revision = '0031_import_records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'festivalpolicy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('visitors', sa.JSON(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('festivalpolicy')
