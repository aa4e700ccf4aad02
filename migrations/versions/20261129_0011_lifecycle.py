"""lifecycle: exits from the roster, absences from home, periodic reviews

Revision ID: 0011_lifecycle
Revises: 0010_policy
Create Date: 2026-11-29 10:10:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0011_lifecycle'
down_revision = '0010_policy'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('personexit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('exited_on', sa.Date(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id')
    )
    op.create_table('absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('care_subsidy_yuan', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_start_on'), ['start_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_absence_end_on'), ['end_on'], unique=False)
    op.create_table('reviewrecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('campaign', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'campaign', name='uq_reviewrecord_person_campaign')
    )
    with op.batch_alter_table('reviewrecord', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewrecord_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewrecord_campaign'), ['campaign'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reviewrecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewrecord_campaign'))
        batch_op.drop_index(batch_op.f('ix_reviewrecord_person_id'))
    op.drop_table('reviewrecord')
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_end_on'))
        batch_op.drop_index(batch_op.f('ix_absence_start_on'))
        batch_op.drop_index(batch_op.f('ix_absence_person_id'))
    op.drop_table('absence')
    op.drop_table('personexit')
