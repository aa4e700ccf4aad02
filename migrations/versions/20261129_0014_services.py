"""subsidised home services (助浴 助洁 助乐: policies, rates, providers, mutual-aid points, records)
and campaigns with a frequency (clean-up, health check); photos of a service record

Revision ID: 0014_services
Revises: 0015_storage
Create Date: 2026-11-29 10:20:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes



revision = '0014_services'
down_revision = '0015_storage'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'servicepolicy',
        sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('cap_count', sa.Integer(), nullable=False),
        sa.Column('cap_period', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('min_age', sa.Integer(), nullable=False),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('service'),
    )
    op.create_table(
        'servicerate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('group_code', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('amount_fen', sa.Integer(), nullable=False),
        sa.Column('eligible', sa.Boolean(), nullable=False),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('service', 'group_code', name='uq_service_rate'),
    )
    op.create_table(
        'serviceprovider',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column('services', sa.JSON(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['township_id'], ['place.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_serviceprovider_township_id', 'serviceprovider', ['township_id'])
    op.create_table(
        'aidpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['township_id'], ['place.id']),
        sa.ForeignKeyConstraint(['village_id'], ['place.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_aidpoint_village_id', 'aidpoint', ['village_id'])
    op.create_index('ix_aidpoint_township_id', 'aidpoint', ['township_id'])
    op.create_table(
        'servicerecord',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('point_id', sa.Integer(), nullable=True),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('served_on', sa.Date(), nullable=False),
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('slot', sa.Integer(), nullable=False),
        sa.Column('group_code', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column('amount_fen', sa.Integer(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['point_id'], ['aidpoint.id']),
        sa.ForeignKeyConstraint(['provider_id'], ['serviceprovider.id']),
        sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id']),
        sa.ForeignKeyConstraint(['township_id'], ['place.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('client_id'),
        sa.UniqueConstraint('service', 'subject', 'period', 'slot', name='uq_service_slot'),
    )
    for column in ('service', 'provider_id', 'person_id', 'point_id', 'township_id', 'served_on'):
        op.create_index(f'ix_servicerecord_{column}', 'servicerecord', [column])
    op.create_table(
        'campaignpolicy',
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('remind_days_before', sa.Integer(), nullable=False),
        sa.Column('checklist', sa.JSON(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('kind'),
    )
    op.create_table(
        'campaignrecord',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('points', sa.Integer(), nullable=False),
        sa.Column('family_doctor_signed', sa.Boolean(), nullable=True),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('recorded_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'person_id', 'period', name='uq_campaign_person_period'),
    )
    for column in ('kind', 'person_id', 'period'):
        op.create_index(f'ix_campaignrecord_{column}', 'campaignrecord', [column])
    with op.batch_alter_table('visitphoto') as batch:
        batch.add_column(sa.Column('service_record_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_visitphoto_service_record_id_servicerecord', 'servicerecord', ['service_record_id'], ['id'])
        batch.create_index('ix_visitphoto_service_record_id', ['service_record_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('visitphoto') as batch:
        batch.drop_index('ix_visitphoto_service_record_id')
        batch.drop_constraint('fk_visitphoto_service_record_id_servicerecord', type_='foreignkey')
        batch.drop_column('service_record_id')
    for column in ('kind', 'person_id', 'period'):
        op.drop_index(f'ix_campaignrecord_{column}', table_name='campaignrecord')
    op.drop_table('campaignrecord')
    op.drop_table('campaignpolicy')
    for column in ('service', 'provider_id', 'person_id', 'point_id', 'township_id', 'served_on'):
        op.drop_index(f'ix_servicerecord_{column}', table_name='servicerecord')
    op.drop_table('servicerecord')
    op.drop_index('ix_aidpoint_township_id', table_name='aidpoint')
    op.drop_index('ix_aidpoint_village_id', table_name='aidpoint')
    op.drop_table('aidpoint')
    op.drop_index('ix_serviceprovider_township_id', table_name='serviceprovider')
    op.drop_table('serviceprovider')
    op.drop_table('servicerate')
    op.drop_table('servicepolicy')
