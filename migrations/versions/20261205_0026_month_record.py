"""The month as a record (issue 27): a person's 纳入日期, versions of the quota policy with the
month each applies from, the reminder's days-left setting, and the month close's rows — a person's
month, an agreement's month, the figures of every place, the close itself and its amendments —
in place of monthlycompliance.

- ``person.enrolled_on`` (纳入日期): the local day (Asia/Shanghai, or TIMEZONE) the row was created,
  for the persons already there; a month's roster counts a person from it.
- ``quotapolicy`` gets an id and ``effective_month``: a row nobody edited (the seeds' default, or
  0010's reset) applies from 2000-01, i.e. always; a row a district admin edited applies from the
  month it was saved in — the months before it were judged by the seeds' default, and still are.
- ``monthlycompliance`` is dropped: it held neither the days, nor who visited, nor the agreements,
  so it cannot be the record of a month. Months closed before this migration are not closed any
  more; `zhaoying jobs run month_close --at 2026-11-01T00:30+08:00` closes one again (October here)
  from the visits, which are all still there (docs/domain.md "The month close"). The downgrade brings back an empty monthlycompliance.

Revision ID: 0026_month_record
Revises: 0025_person_search_sqlite
Create Date: 2026-12-05 22:40:00
"""

import os
from datetime import timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0026_month_record'
down_revision = '0025_person_search_sqlite'
branch_labels = None
depends_on = None

POLICY_FIELDS = ("visits_per_month", "max_gap_days", "count_home", "count_phone_video", "count_remote", "min_home",
                 "min_phone_video", "min_remote", "updated_by", "updated_at")


def _zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("TIMEZONE") or "Asia/Shanghai")


def _local(value, zone):
    if isinstance(value, str):  # SQLite: naive UTC text
        from datetime import datetime
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone)


def _enrolled_on(bind, zone) -> None:
    # added NOT NULL with a default in place (SQLite adds such a column without rebuilding person,
    # whose rows other tables point at), then filled; PostgreSQL drops the default again
    op.add_column('person', sa.Column('enrolled_on', sa.Date(), nullable=False, server_default='1900-01-01'))
    person = sa.table('person', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
                      sa.column('enrolled_on', sa.Date))
    rows = bind.execute(sa.select(person.c.id, person.c.created_at)).all()
    days = {}
    for pid, created in rows:
        days.setdefault(_local(created, zone).date(), []).append(pid)
    for day, ids in days.items():
        for k in range(0, len(ids), 10_000):
            bind.execute(person.update().where(person.c.id.in_(ids[k:k + 10_000])).values(enrolled_on=day))
    if bind.dialect.name != "sqlite":
        op.alter_column('person', 'enrolled_on', server_default=None)
    op.create_index('ix_person_enrolled_on', 'person', ['enrolled_on'], unique=False)


def _versioned_policy(bind, zone) -> None:
    old = sa.table('quotapolicy', sa.column('self_care_level', sa.String), *(sa.column(f) for f in POLICY_FIELDS))
    rows = [dict(r._mapping) for r in bind.execute(sa.select(old))]
    op.drop_table('quotapolicy')
    table = op.create_table(
        'quotapolicy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('self_care_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('effective_month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('visits_per_month', sa.Integer(), nullable=False),
        sa.Column('max_gap_days', sa.Integer(), nullable=True),
        sa.Column('count_home', sa.Boolean(), nullable=False),
        sa.Column('count_phone_video', sa.Boolean(), nullable=False),
        sa.Column('count_remote', sa.Boolean(), nullable=False),
        sa.Column('min_home', sa.Integer(), nullable=False),
        sa.Column('min_phone_video', sa.Integer(), nullable=False),
        sa.Column('min_remote', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('self_care_level', 'effective_month', name='uq_quotapolicy_level_month'),
    )
    for r in rows:
        r["effective_month"] = f"{_local(r['updated_at'], zone):%Y-%m}" if r["updated_by"] else "2000-01"
        if isinstance(r["updated_at"], str):
            r["updated_at"] = _local(r["updated_at"], timezone.utc)
    if rows:
        op.bulk_insert(table, rows)


def upgrade() -> None:
    bind = op.get_bind()
    zone = _zone()
    _enrolled_on(bind, zone)
    _versioned_policy(bind, zone)
    with op.batch_alter_table('schedulepolicy') as batch:
        batch.add_column(sa.Column('reminder_days_left', sa.Integer(), nullable=False, server_default='7'))

    op.create_table('monthclose',
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('agreements', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month')
    )
    op.create_table('monthtotals',
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in (
        'on_roster', 'visited', 'due_self_care', 'met_self_care', 'due_partly_disabled', 'met_partly_disabled',
        'due_fully_disabled', 'met_fully_disabled', 'excused', 'lives_alone_total', 'lives_alone_visited',
        'empty_nest_total', 'empty_nest_visited', 'left_behind_total', 'left_behind_visited', 'disabled_total',
        'disabled_visited', 'severe_disability_total', 'severe_disability_visited', 'any_total', 'any_visited',
        'alerts')),
    sa.ForeignKeyConstraint(['parent_id'], ['place.id'], ),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('month', 'place_id')
    )
    op.create_index('ix_monthtotals_month_parent', 'monthtotals', ['month', 'parent_id'], unique=False)
    op.create_table('monthamendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('ref', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_monthamendment_month', 'monthamendment', ['month'], unique=False)
    op.create_index('ix_monthamendment_person_id', 'monthamendment', ['person_id'], unique=False)

    op.create_table('personmonth',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=True),
    sa.Column('self_care_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('risk_flags', sa.JSON(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in (
        'days_on_roster', 'days_away', 'quota', 'home', 'phone_video', 'remote', 'by_caregiver', 'by_cadre',
        'by_other', 'by_volunteer')),
    sa.Column('visited', sa.Boolean(), nullable=False),
    sa.Column('amended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['caregiver_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['policy_id'], ['quotapolicy.id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'person_id', name='uq_personmonth_month_person')
    )
    op.create_index('ix_personmonth_month_village', 'personmonth', ['month', 'village_id'], unique=False)
    op.create_index('ix_personmonth_person_id', 'personmonth', ['person_id'], unique=False)

    op.create_table('agreementmonth',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('self_care_level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in (
        'days_due', 'quota', 'home', 'phone_video', 'remote', 'counted', 'flagged')),
    sa.Column('fulfilment', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('amended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['careagreement.id'], ),
    sa.ForeignKeyConstraint(['caregiver_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'agreement_id', name='uq_agreementmonth_month_agreement')
    )
    op.create_index('ix_agreementmonth_agreement_id', 'agreementmonth', ['agreement_id'], unique=False)
    op.create_index('ix_agreementmonth_caregiver_id', 'agreementmonth', ['caregiver_id'], unique=False)
    op.create_index('ix_agreementmonth_month_village', 'agreementmonth', ['month', 'village_id'], unique=False)
    op.create_index('ix_agreementmonth_person_id', 'agreementmonth', ['person_id'], unique=False)

    op.drop_index('ix_monthlycompliance_month', table_name='monthlycompliance')
    op.drop_index('ix_monthlycompliance_person_id', table_name='monthlycompliance')
    op.drop_table('monthlycompliance')


def downgrade() -> None:
    """Back to one policy row a level (the version in force last) and monthlycompliance, empty: the
    month rows cannot be folded back into it."""
    bind = op.get_bind()
    for table in ('agreementmonth', 'personmonth', 'monthamendment', 'monthtotals', 'monthclose'):
        op.drop_table(table)
    op.create_table('monthlycompliance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('caregiver_id', sa.Integer(), nullable=True),
    sa.Column('self_care_level', sa.String(length=20), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('verified_home_visits', sa.Integer(), nullable=False),
    sa.Column('met', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['caregiver_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'month', name='uq_compliance_person_month')
    )
    op.create_index('ix_monthlycompliance_month', 'monthlycompliance', ['month'], unique=False)
    op.create_index('ix_monthlycompliance_person_id', 'monthlycompliance', ['person_id'], unique=False)
    versions = sa.table('quotapolicy', sa.column('self_care_level', sa.String), sa.column('effective_month', sa.String),
                        *(sa.column(f) for f in POLICY_FIELDS))
    latest = {}
    for r in bind.execute(sa.select(versions).order_by(versions.c.effective_month)):
        latest[r.self_care_level] = {k: v for k, v in r._mapping.items() if k != "effective_month"}
    op.drop_table('quotapolicy')
    table = op.create_table(
        'quotapolicy',
        sa.Column('self_care_level', sa.String(length=20), nullable=False),
        sa.Column('visits_per_month', sa.Integer(), nullable=False),
        sa.Column('max_gap_days', sa.Integer(), nullable=True),
        sa.Column('count_home', sa.Boolean(), nullable=False),
        sa.Column('count_phone_video', sa.Boolean(), nullable=False),
        sa.Column('count_remote', sa.Boolean(), nullable=False),
        sa.Column('min_home', sa.Integer(), nullable=False),
        sa.Column('min_phone_video', sa.Integer(), nullable=False),
        sa.Column('min_remote', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['app_user.id'], ),
        sa.PrimaryKeyConstraint('self_care_level'),
    )
    if latest:
        op.bulk_insert(table, [{**r, "updated_at": _local(r["updated_at"], timezone.utc)} for r in latest.values()])
    with op.batch_alter_table('schedulepolicy') as batch:
        batch.drop_column('reminder_days_left')
    op.drop_index('ix_person_enrolled_on', table_name='person')
    op.execute("ALTER TABLE person DROP COLUMN enrolled_on")  # in place on both (SQLite 3.35+)
