"""casework: reports from the field, emergency relief, the casework policy, 集中供养意愿, assessments from the outbox

Revision ID: 0012_casework
Revises: 0013_pairing
Create Date: 2026-11-29 10:03:16.680907
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0012_casework'
down_revision = '0013_pairing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('caseworkpolicy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('relief_statement_days', sa.Integer(), nullable=False),
    sa.Column('evaluation_interval_months', sa.Integer(), nullable=False),
    sa.Column('fraud_rejections', sa.Integer(), nullable=False),
    sa.Column('fraud_window_days', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('fieldreport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('person_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], ),
    sa.ForeignKeyConstraint(['caregiver_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['reporter_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fieldreport_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fieldreport_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fieldreport_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fieldreport_village_id'), ['village_id'], unique=False)

    op.create_table('relief',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('statement_due', sa.Date(), nullable=False),
    sa.Column('task_alert_id', sa.Integer(), nullable=True),
    sa.Column('statement', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('statement_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('statement_by', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['statement_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['task_alert_id'], ['alert.id'], ),
    sa.ForeignKeyConstraint(['township_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alert_id')
    )
    with op.batch_alter_table('relief', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relief_granted_on'), ['granted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_relief_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relief_township_id'), ['township_id'], unique=False)

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
        batch_op.create_unique_constraint('uq_assessment_client_id', ['client_id'])

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wishes_centralised', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('wishes_centralised_on', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('wishes_centralised_on')
        batch_op.drop_column('wishes_centralised')

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assessment_client_id', type_='unique')
        batch_op.drop_column('client_id')

    with op.batch_alter_table('relief', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_relief_township_id'))
        batch_op.drop_index(batch_op.f('ix_relief_person_id'))
        batch_op.drop_index(batch_op.f('ix_relief_granted_on'))

    op.drop_table('relief')
    with op.batch_alter_table('fieldreport', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fieldreport_village_id'))
        batch_op.drop_index(batch_op.f('ix_fieldreport_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_fieldreport_person_id'))
        batch_op.drop_index(batch_op.f('ix_fieldreport_alert_id'))

    op.drop_table('fieldreport')
    op.drop_table('caseworkpolicy')
