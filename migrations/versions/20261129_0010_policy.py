"""quota policy per self-care level and per mode; volunteer visits in the 月探访率 and the persons an
activity served; care agreements' relation "other" becomes 邻里

Revision ID: 0010_policy
Revises: 0014_services
Create Date: 2026-11-29 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_policy'
down_revision = '0014_services'
branch_labels = None
depends_on = None

MODE_GROUPS = ('home', 'phone_video', 'remote')


def upgrade() -> None:
    with op.batch_alter_table('quotapolicy') as batch:
        batch.alter_column('max_gap_days', existing_type=sa.Integer(), nullable=True)
        for group in MODE_GROUPS:
            batch.add_column(sa.Column(f'count_{group}', sa.Boolean(), nullable=False, server_default=sa.true()))
        for group in MODE_GROUPS:
            batch.add_column(sa.Column(f'min_{group}', sa.Integer(), nullable=False, server_default='0'))
    quota = sa.table('quotapolicy', sa.column('updated_by', sa.Integer), sa.column('visits_per_month', sa.Integer),
                     sa.column('max_gap_days', sa.Integer), sa.column('count_phone_video', sa.Boolean),
                     sa.column('count_remote', sa.Boolean))
    # Rows nobody edited held the old 2/4/8 home visits that no seed states: they become the seeds'
    # default (one 探访 a month of any verified mode, no longest gap; seed 002, seed 000 item 2).
    op.execute(quota.update().where(quota.c.updated_by.is_(None)).values(visits_per_month=1, max_gap_days=None))
    # A row a district admin set keeps its meaning: that many verified *home* visits, that gap.
    op.execute(quota.update().where(quota.c.updated_by.isnot(None))
               .values(count_phone_video=False, count_remote=False))
    with op.batch_alter_table('schedulepolicy') as batch:
        # the seeds give no rule; the default reads seed 002's 探访关爱机制 (see SchedulePolicy)
        batch.add_column(sa.Column('volunteer_visits_count', sa.Boolean(), nullable=False, server_default=sa.true()))
    # 照料服务人 come from 亲属、邻里 or 低保等低收入家庭 (seed 000 item 2); "other" is gone. One chosen
    # 按照就近原则 who is neither kin nor from a 低保 household is a neighbour: the old rows say so now.
    agreement = sa.table('careagreement', sa.column('relation', sa.String))
    op.execute(agreement.update().where(agreement.c.relation == 'other').values(relation='neighbour'))
    op.create_table('activityperson',
                    sa.Column('activity_id', sa.Integer(), nullable=False),
                    sa.Column('person_id', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['activity_id'], ['volunteeractivity.id']),
                    sa.ForeignKeyConstraint(['person_id'], ['person.id']),
                    sa.PrimaryKeyConstraint('activity_id', 'person_id'))
    op.create_index('ix_activityperson_person_id', 'activityperson', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_activityperson_person_id', table_name='activityperson')
    op.drop_table('activityperson')
    with op.batch_alter_table('schedulepolicy') as batch:
        batch.drop_column('volunteer_visits_count')
    quota = sa.table('quotapolicy', sa.column('max_gap_days', sa.Integer))
    op.execute(quota.update().where(quota.c.max_gap_days.is_(None)).values(max_gap_days=31))
    with op.batch_alter_table('quotapolicy') as batch:
        for group in MODE_GROUPS:
            batch.drop_column(f'min_{group}')
            batch.drop_column(f'count_{group}')
        batch.alter_column('max_gap_days', existing_type=sa.Integer(), nullable=False)
