"""assessments, activity photos and client ids

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:07:05.920939
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('guardian_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('guardian_age', sa.Integer(), nullable=True),
    sa.Column('guardian_relation', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('self_care_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('housing', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('living_environment', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('quality_of_life', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('care_quality', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('treated_promptly', sa.Boolean(), nullable=False),
    sa.Column('subsidy_self_controlled', sa.Boolean(), nullable=False),
    sa.Column('rights_infringed', sa.Boolean(), nullable=False),
    sa.Column('overall', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('remarks', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessor_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_person_id'), ['person_id'], unique=False)

    with op.batch_alter_table('visitphoto', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_visitphoto_activity_id'), ['activity_id'], unique=False)
        batch_op.create_foreign_key('fk_visitphoto_activity_id_volunteeractivity', 'volunteeractivity', ['activity_id'], ['id'])

    with op.batch_alter_table('volunteeractivity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
        batch_op.create_unique_constraint('uq_volunteeractivity_client_id', ['client_id'])

    


def downgrade() -> None:
    
    with op.batch_alter_table('volunteeractivity', schema=None) as batch_op:
        batch_op.drop_constraint('uq_volunteeractivity_client_id', type_='unique')
        batch_op.drop_column('client_id')

    with op.batch_alter_table('visitphoto', schema=None) as batch_op:
        batch_op.drop_constraint('fk_visitphoto_activity_id_volunteeractivity', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_visitphoto_activity_id'))
        batch_op.drop_column('activity_id')

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_person_id'))

    op.drop_table('assessment')
    
