"""A login attempt is pending while its password is checked (issue 30 M1/M2): only failures count
against an account or an address. ``loginfailure.pending``; the rows there were all failures.

Revision ID: 0030_login_pending
Revises: 0029_spot_check
Create Date: 2026-12-06 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0030_login_pending'
down_revision = '0029_spot_check'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('loginfailure') as batch:
        batch.add_column(sa.Column('pending', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('loginfailure') as batch:
        batch.drop_column('pending')
