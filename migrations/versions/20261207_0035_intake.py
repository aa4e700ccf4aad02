"""intake: applications from a field report to the roster (issue 29 part 4).

Revision ID: 0035_intake
Revises: 0034_care_homes
Create Date: 2026-12-07 03:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0035_intake'
down_revision = '0034_care_homes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('intakepolicy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('publicity_days', sa.Integer(), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('intakeapplication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('field_report_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('id_number', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('opened_by', sa.Integer(), nullable=False),
    sa.Column('investigated_on', sa.Date(), nullable=True),
    sa.Column('investigated_by', sa.Integer(), nullable=True),
    sa.Column('assessment', sa.JSON(), nullable=True),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('publicity_from', sa.Date(), nullable=True),
    sa.Column('publicity_days', sa.Integer(), nullable=True),
    sa.Column('publicity_until', sa.Date(), nullable=True),
    sa.Column('placement', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('placed_on', sa.Date(), nullable=True),
    sa.Column('placed_by', sa.Integer(), nullable=True),
    sa.Column('care_home_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['care_home_id'], ['carehome.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['field_report_id'], ['fieldreport.id'], ),
    sa.ForeignKeyConstraint(['investigated_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['opened_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['placed_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['township_id'], ['place.id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('field_report_id'),
    sa.UniqueConstraint('person_id')
    )
    op.create_index(op.f('ix_intakeapplication_id_number'), 'intakeapplication', ['id_number'], unique=False)
    op.create_index(op.f('ix_intakeapplication_status'), 'intakeapplication', ['status'], unique=False)
    op.create_index(op.f('ix_intakeapplication_township_id'), 'intakeapplication', ['township_id'], unique=False)
    op.create_table('intakeobjection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('objector', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('content', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('finding', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['intakeapplication.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_intakeobjection_application_id'), 'intakeobjection', ['application_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_intakeobjection_application_id'), table_name='intakeobjection')
    op.drop_table('intakeobjection')
    op.drop_index(op.f('ix_intakeapplication_township_id'), table_name='intakeapplication')
    op.drop_index(op.f('ix_intakeapplication_status'), table_name='intakeapplication')
    op.drop_index(op.f('ix_intakeapplication_id_number'), table_name='intakeapplication')
    op.drop_table('intakeapplication')
    op.drop_table('intakepolicy')
