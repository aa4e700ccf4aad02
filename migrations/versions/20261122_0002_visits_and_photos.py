"""visits and photos

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 06:12:07.833639
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('coord_system', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('exceptions', sa.JSON(), nullable=False),
    sa.Column('exception_detail', sa.JSON(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_reason', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('review_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('self_care_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('health', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('hygiene', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('living_environment', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('food_supplies', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('mood', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['careagreement.id'], ),
    sa.ForeignKeyConstraint(['caregiver_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_caregiver_started', ['caregiver_id', 'started_at'], unique=False)
        batch_op.create_index('ix_visit_person_started', ['person_id', 'started_at'], unique=False)

    op.create_table('visitphoto',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('phash', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('source_format', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('exif_taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('exif_lat', sa.Float(), nullable=True),
    sa.Column('exif_lon', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visitphoto', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visitphoto_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_visitphoto_visit_id'), ['visit_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('visitphoto', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visitphoto_visit_id'))
        batch_op.drop_index(batch_op.f('ix_visitphoto_sha256'))

    op.drop_table('visitphoto')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_person_started')
        batch_op.drop_index('ix_visit_caregiver_started')

    op.drop_table('visit')
    
