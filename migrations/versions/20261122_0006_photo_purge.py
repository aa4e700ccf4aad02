"""photo purge: a purged photo keeps its row, without its file

Revision ID: 0006_photo_purge
Revises: 0005
Create Date: 2026-11-22 12:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0006_photo_purge'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('visitphoto', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('sha256', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)


def downgrade() -> None:
    # a purged row has no file name left; it cannot go back under NOT NULL
    op.execute("DELETE FROM visitphoto WHERE sha256 IS NULL")
    with op.batch_alter_table('visitphoto', schema=None) as batch_op:
        batch_op.alter_column('sha256', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.drop_column('purged_at')
