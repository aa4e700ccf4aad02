"""pairing: units paired with townships, cadres paired with persons ("321"), festival campaigns;
visits carry the pairing they were made under

Revision ID: 0013_pairing
Revises: 0011_lifecycle
Create Date: 2026-11-29 10:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013_pairing'
down_revision = '0011_lifecycle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pairingunit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('leader_name', sa.String(length=50), nullable=True),
        sa.Column('leader_phone', sa.String(length=20), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['district_id'], ['place.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_index('ix_pairingunit_district_id', 'pairingunit', ['district_id'], unique=False)
    op.create_table(
        'unittownship',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['pairingunit.id']),
        sa.ForeignKeyConstraint(['township_id'], ['place.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', 'township_id', name='uq_unit_township'),
    )
    op.create_index('ix_unittownship_unit_id', 'unittownship', ['unit_id'], unique=False)
    op.create_index('ix_unittownship_township_id', 'unittownship', ['township_id'], unique=False)
    op.create_table(
        'cadre',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('rank', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['pairingunit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id'),
    )
    op.create_index('ix_cadre_unit_id', 'cadre', ['unit_id'], unique=False)
    op.create_table(
        'pairing',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cadre_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pairing_cadre_id', 'pairing', ['cadre_id'], unique=False)
    op.create_index('ix_pairing_person_status', 'pairing', ['person_id', 'status'], unique=False)
    op.create_table(
        'festivalcampaign',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('festival', sa.String(length=20), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year', 'festival', name='uq_festival_year'),
    )
    with op.batch_alter_table('visit') as batch:
        batch.add_column(sa.Column('pairing_id', sa.Integer(), nullable=True))
        batch.create_index('ix_visit_pairing_id', ['pairing_id'], unique=False)
        batch.create_foreign_key('fk_visit_pairing_id', 'pairing', ['pairing_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('visit') as batch:
        batch.drop_constraint('fk_visit_pairing_id', type_='foreignkey')
        batch.drop_index('ix_visit_pairing_id')
        batch.drop_column('pairing_id')
    op.drop_table('festivalcampaign')
    op.drop_index('ix_pairing_person_status', table_name='pairing')
    op.drop_index('ix_pairing_cadre_id', table_name='pairing')
    op.drop_table('pairing')
    op.drop_index('ix_cadre_unit_id', table_name='cadre')
    op.drop_table('cadre')
    op.drop_index('ix_unittownship_township_id', table_name='unittownship')
    op.drop_index('ix_unittownship_unit_id', table_name='unittownship')
    op.drop_table('unittownship')
    op.drop_index('ix_pairingunit_district_id', table_name='pairingunit')
    op.drop_table('pairingunit')
