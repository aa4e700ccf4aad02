"""A dry run's checked records wait in the database, not a server's MEDIA_DIR/imports (issue 30):
a dry run on one machine is applied on another. ``importrecords``; ``importjob.file_name`` goes.
A dry run waiting at the upgrade has its records in a folder this migration does not know: it is
marked expired (upload the file again).

Revision ID: 0031_import_records
Revises: 0030_login_pending
Create Date: 2026-12-06 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0031_import_records'
down_revision = '0030_login_pending'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'importrecords',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['importjob.id']),
        sa.PrimaryKeyConstraint('job_id'),
    )
    op.execute("UPDATE importjob SET status = 'expired' WHERE status = 'dry_run' AND file_name IS NOT NULL")
    with op.batch_alter_table('importjob') as batch:
        batch.drop_column('file_name')


def downgrade() -> None:
    with op.batch_alter_table('importjob') as batch:
        batch.add_column(sa.Column('file_name', sa.String(length=100), nullable=True))
    op.drop_table('importrecords')
