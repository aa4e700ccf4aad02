"""care homes as data, residents moved in through the app (issue 29 parts 1 and 3).

``carehome`` gains 负责人 and 联系电话; its typed 现入住老人数 becomes
``other_residents`` (those not on this roster), the roster's residents being ``careresidence``
rows (which home, from which day, until which day); ``carehomepolicy`` holds the district's
occupancy target (seed 001 二(二)4: 60%) and the share of 失能 特困 in centralised care it aims at
(seed 003 (二): 80%). Persons already moved in through the API get a residence from the day they
were last updated, and leave the typed count.

Revision ID: 0034_care_homes
Revises: 0033_visit_observations
Create Date: 2026-12-07 03:00:00
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0034_care_homes'
down_revision = '0033_visit_observations'
branch_labels = None
depends_on = None

OPEN = sa.text("end_on IS NULL")


def upgrade() -> None:
    op.create_table(
        'careresidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('care_home_id', sa.Integer(), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('end_on', sa.Date(), nullable=True),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['care_home_id'], ['carehome.id']),
        sa.ForeignKeyConstraint(['created_by'], ['app_user.id']),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('careresidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_careresidence_care_home_id'), ['care_home_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_careresidence_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_careresidence_open_person', ['person_id'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_table(
        'carehomepolicy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('occupancy_target_percent', sa.Integer(), nullable=False),
        sa.Column('disabled_centralised_percent', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    # a plain rename and two nullable columns: SQLite does both in place (no copy of the table, which
    # persons' care_home_id refers to)
    op.alter_column('carehome', 'residents', new_column_name='other_residents', existing_type=sa.Integer(),
                    existing_nullable=False)
    op.add_column('carehome', sa.Column('head_name', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
    op.add_column('carehome', sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    # the persons centralised through the API so far were added to the typed count: they become residences
    day = "date(updated_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(updated_at AS DATE)"
    op.execute("INSERT INTO careresidence (person_id, care_home_id, start_on, created_at) "
               f"SELECT id, care_home_id, {day}, CURRENT_TIMESTAMP FROM person "
               "WHERE status = 'centralised' AND care_home_id IS NOT NULL")
    op.execute("UPDATE carehome SET other_residents = other_residents - (SELECT count(*) FROM careresidence r "
               "WHERE r.care_home_id = carehome.id)")
    op.execute("UPDATE carehome SET other_residents = 0 WHERE other_residents < 0")


def downgrade() -> None:
    op.execute("UPDATE carehome SET other_residents = other_residents + (SELECT count(*) FROM careresidence r "
               "WHERE r.care_home_id = carehome.id AND r.end_on IS NULL)")
    op.drop_column('carehome', 'phone')
    op.drop_column('carehome', 'head_name')
    op.alter_column('carehome', 'other_residents', new_column_name='residents', existing_type=sa.Integer(),
                    existing_nullable=False)
    op.drop_table('carehomepolicy')
    with op.batch_alter_table('careresidence', schema=None) as batch_op:
        batch_op.drop_index('uq_careresidence_open_person', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_index(batch_op.f('ix_careresidence_person_id'))
        batch_op.drop_index(batch_op.f('ix_careresidence_care_home_id'))
    op.drop_table('careresidence')
