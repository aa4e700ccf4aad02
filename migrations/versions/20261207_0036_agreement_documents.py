"""the agreement as the seed document; organisations as caregivers (issue 29 part 5).

``careagreement`` gains the 居（村）委会 signatory, the care content (catalogue codes), 已备案 (date
and by whom, seed 001 三(二)3) and the organisation holding it; ``careorganisation`` and
``organisationmember`` (供养服务机构、社会组织 and their staff logins, seed 002 item 5);
``agreementdocument`` (photos of the signed paper). Old agreements keep an empty care content.

Revision ID: 0036_agreement_documents
Revises: 0035_intake
Create Date: 2026-12-07 03:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision = '0036_agreement_documents'
down_revision = '0035_intake'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'careorganisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('place_id', sa.Integer(), nullable=False),
        sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id']),
        sa.ForeignKeyConstraint(['place_id'], ['place.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_index('ix_careorganisation_place_id', 'careorganisation', ['place_id'], unique=False)
    op.create_table(
        'organisationmember',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['careorganisation.id']),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id']),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_index('ix_organisationmember_organisation_id', 'organisationmember', ['organisation_id'], unique=False)
    op.create_table(
        'agreementdocument',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('phash', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('bytes', sa.Integer(), nullable=False),
        sa.Column('source_format', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['careagreement.id']),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_agreementdocument_agreement_id', 'agreementdocument', ['agreement_id'], unique=False)
    with op.batch_alter_table('careagreement') as batch:
        batch.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('committee_signatory', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
        batch.add_column(sa.Column('care_content', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('filed_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('filed_by', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_index('ix_careagreement_organisation_id', ['organisation_id'], unique=False)
        batch.create_foreign_key('fk_careagreement_organisation_id', 'careorganisation', ['organisation_id'], ['id'])
        batch.create_foreign_key('fk_careagreement_filed_by', 'app_user', ['filed_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('careagreement') as batch:
        batch.drop_constraint('fk_careagreement_filed_by', type_='foreignkey')
        batch.drop_constraint('fk_careagreement_organisation_id', type_='foreignkey')
        batch.drop_index('ix_careagreement_organisation_id')
        batch.drop_column('updated_at')
        batch.drop_column('filed_by')
        batch.drop_column('filed_on')
        batch.drop_column('care_content')
        batch.drop_column('committee_signatory')
        batch.drop_column('organisation_id')
    op.drop_index('ix_agreementdocument_agreement_id', table_name='agreementdocument')
    op.drop_table('agreementdocument')
    op.drop_index('ix_organisationmember_organisation_id', table_name='organisationmember')
    op.drop_table('organisationmember')
    op.drop_index('ix_careorganisation_place_id', table_name='careorganisation')
    op.drop_table('careorganisation')
