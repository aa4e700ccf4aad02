"""person: assistance category (低保 / 特困 / 特殊困难家庭) and 低保 class

Revision ID: 0009_person_category
Revises: 0008_late_submission_days
Create Date: 2026-11-29 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_person_category'
down_revision = '0008_late_submission_days'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # everyone on the roster so far is 分散供养特困 (seed 001)
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('assistance_category', sa.String(length=20), nullable=False, server_default='tekun'))
        batch.add_column(sa.Column('dibao_class', sa.String(length=1), nullable=True))
        batch.create_index('ix_person_assistance_category', ['assistance_category'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('person') as batch:
        batch.drop_index('ix_person_assistance_category')
        batch.drop_column('dibao_class')
        batch.drop_column('assistance_category')
