"""A township's own column names for the roster import (issue 32): ``importmapping`` remembers how
staff mapped a header the layout does not list (the file's header → a column of the layout, or ""
to leave it unread), so the township's next file is read the same way.

Revision ID: 0027_import_mapping
Revises: 0026_month_record
Create Date: 2026-12-06 10:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0027_import_mapping'
down_revision = '0026_month_record'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'importmapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('header', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['township_id'], ['place.id']),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('township_id', 'kind', 'header'),
    )


def downgrade() -> None:
    op.drop_table('importmapping')
