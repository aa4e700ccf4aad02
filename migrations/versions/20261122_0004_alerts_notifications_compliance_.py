"""alerts, notifications, compliance, schedule, activities

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 06:30:12.305513
"""

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('jobrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job', 'period', name='uq_jobrun_job_period')
    )
    op.create_table('schedulepolicy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_activities_per_month', sa.Integer(), nullable=False),
    sa.Column('health_check_min_age', sa.Integer(), nullable=False),
    sa.Column('review_month', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(sa.table('schedulepolicy', sa.column('id', sa.Integer),
                            sa.column('volunteer_activities_per_month', sa.Integer),
                            sa.column('health_check_min_age', sa.Integer), sa.column('review_month', sa.Integer),
                            sa.column('updated_at', sa.DateTime(timezone=True))),
                   [{'id': 1, 'volunteer_activities_per_month': 1, 'health_check_min_age': 65, 'review_month': 3,
                     'updated_at': datetime.now(timezone.utc)}])
    op.create_table('pushsubscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sqlmodel.sql.sqltypes.AutoString(length=800), nullable=False),
    sa.Column('p256dh', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('auth', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('endpoint')
    )
    with op.batch_alter_table('pushsubscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pushsubscription_user_id'), ['user_id'], unique=False)

    op.create_table('volunteeractivity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('people_served', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['volunteerteam.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('volunteeractivity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteeractivity_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteeractivity_team_id'), ['team_id'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=15), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sla_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ),
    sa.ForeignKeyConstraint(['resolved_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key')
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_sla_due_at'), ['sla_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_status'), ['status'], unique=False)

    op.create_table('monthlycompliance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=True),
    sa.Column('self_care_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('verified_home_visits', sa.Integer(), nullable=False),
    sa.Column('met', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['caregiver_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'month', name='uq_compliance_person_month')
    )
    with op.batch_alter_table('monthlycompliance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthlycompliance_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_monthlycompliance_person_id'), ['person_id'], unique=False)

    op.create_table('alertevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alertevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alertevent_alert_id'), ['alert_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'dedupe_key', name='uq_notification_user_key')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_notification_id'), ['notification_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_notification_id'))

    op.drop_table('delivery')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))

    op.drop_table('notification')
    with op.batch_alter_table('alertevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alertevent_alert_id'))

    op.drop_table('alertevent')
    with op.batch_alter_table('monthlycompliance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthlycompliance_person_id'))
        batch_op.drop_index(batch_op.f('ix_monthlycompliance_month'))

    op.drop_table('monthlycompliance')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_status'))
        batch_op.drop_index(batch_op.f('ix_alert_sla_due_at'))
        batch_op.drop_index(batch_op.f('ix_alert_place_id'))
        batch_op.drop_index(batch_op.f('ix_alert_person_id'))
        batch_op.drop_index(batch_op.f('ix_alert_kind'))

    op.drop_table('alert')
    with op.batch_alter_table('volunteeractivity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteeractivity_team_id'))
        batch_op.drop_index(batch_op.f('ix_volunteeractivity_held_on'))

    op.drop_table('volunteeractivity')
    with op.batch_alter_table('pushsubscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pushsubscription_user_id'))

    op.drop_table('pushsubscription')
    op.drop_table('schedulepolicy')
    op.drop_table('jobrun')
    
