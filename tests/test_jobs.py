"""The scheduled jobs, run for given instants: each idempotent, months counted in Shanghai."""

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server import jobs, scheduler
from server.activities.models import VolunteerActivity
from server.care.models import CareAgreement
from server.alerts.models import Alert, AlertEvent
from server.notify.models import Notification
from server.places.models import Place
from server.quotas.models import AgreementMonth, MonthClose, PersonMonth
from server.wiring import Settings
from server.visits.models import Visit
from tests import factories

SH = ZoneInfo("Asia/Shanghai")


def visit(session, person, caregiver, when, status="verified", mode="home"):
    session.add(Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=caregiver.id, mode=mode,
                      started_at=when, ended_at=when + timedelta(minutes=20), status=status, content_hash="x" * 64,
                      received_at=when))
    session.flush()


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def notes(session, user, kind):
    return session.scalars(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)).all()


def test_month_boundaries_are_midnight_in_shanghai(session, world, db, settings):
    factories.home_visits_policy(session, self_care=(2, None))  # a local rule: 2 home visits a month
    p, cg = world.a.person, world.a.caregiver
    agreement = session.scalar(select(CareAgreement).where(CareAgreement.person_id == p.id))
    agreement.start_on = date(2026, 9, 1)  # the agreement ran all of October and November
    visit(session, p, cg, datetime(2026, 10, 31, 23, 59, 59, tzinfo=SH))  # 15:59:59 UTC: October
    visit(session, p, cg, datetime(2026, 11, 1, 0, 0, 0, tzinfo=SH))  # 16:00:00 UTC on the 31st: November
    visit(session, p, cg, datetime(2026, 11, 30, 23, 0, tzinfo=SH))
    jobs.run("month_close", db, at=datetime(2026, 11, 1, 0, 30, tzinfo=SH), settings=settings)
    jobs.run("month_close", db, at=datetime(2026, 12, 1, 0, 30, tzinfo=SH), settings=settings)
    autumn = PersonMonth.month.in_(("2026-10", "2026-11"))
    got = dict(session.execute(select(PersonMonth.month, PersonMonth.home)
                               .where(PersonMonth.person_id == p.id, autumn)).all())
    assert got == {"2026-10": 1, "2026-11": 2}
    met = dict(session.execute(select(AgreementMonth.month, AgreementMonth.fulfilment)
                               .where(AgreementMonth.person_id == p.id, AgreementMonth.month.in_(("2026-10", "2026-11"))))
               .all())
    assert met == {"2026-10": "not_met", "2026-11": "met"}  # self-care quota: 2 home visits a month


def test_month_close_runs_once_and_alerts_those_short(session, world, db, settings):
    at = datetime(2026, 12, 1, 0, 30, tzinfo=SH)
    first = jobs.run("month_close", db, at=at, settings=settings)
    # the eleven months before it, never closed, are closed too: a year of months is a record
    before = ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 11)]
    assert first == {"month": "2026-11", "persons": 2, "agreements": 2, "quota_missed": 2, "caught_up": before}
    assert count(session, Alert, Alert.kind == "quota_missed") == 2  # none for the months caught up
    again = jobs.run("month_close", db, at=at + timedelta(minutes=5), settings=settings)
    assert again == {"skipped": "already done", "month": "2026-11"}
    assert count(session, PersonMonth, PersonMonth.month == "2026-11") == 2 and count(session, PersonMonth) == 24
    assert session.get(MonthClose, "2026-11").closed_at == at
    assert count(session, Alert, Alert.kind == "quota_missed") == 2  # one per township: each has one person short
    alert = session.scalar(select(Alert).where(Alert.kind == "quota_missed", Alert.place_id == world.a.place.id))
    assert alert.person_id is None and alert.title == "2026-11 有1人走访未达标" and alert.detail == {"month": "2026-11"}
    assert [e.kind for e in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id))] == ["raised"]
    digest = notes(session, world.a.staff, "month_digest")
    assert len(digest) == 1 and digest[0].body == "在册1人，已探访0人；照料服务履约0份达标，1份未达标。"


def test_a_month_close_missed_during_downtime_is_done_at_start(session, world, db, settings):
    # the scheduler was down on 1 December; it starts on the 9th
    started = datetime(2026, 12, 9, 14, 0, tzinfo=SH)
    assert scheduler.catch_up(db, settings, now=started)["month_close"]["month"] == "2026-11"
    assert count(session, PersonMonth, PersonMonth.month == "2026-11") == 2
    assert scheduler.catch_up(db, settings, now=started)["month_close"]["skipped"] == "already done"
    # whatever day of the month it starts
    assert scheduler.catch_up(db, settings, now=datetime(2026, 12, 31, 23, 59, tzinfo=SH))["month_close"] == {
        "skipped": "already done", "month": "2026-11"}


def test_a_takeover_runs_for_its_instant_each_claimed_job_that_fell_due_while_no_scheduler_led(
        session, world, db, settings):
    from server.notify.models import JobRun

    # the leader died at 08:59:50 on 20 November; the standby took over at 09:00:40, after the
    # daily reminders fell due: they go now, claimed for the instant they were due, once
    factories.home_visits_policy(session, self_care=(2, None))  # a local rule: 2 home visits a month
    taken = datetime(2026, 11, 20, 9, 0, 40, tzinfo=SH)
    done = scheduler.catch_up(db, settings, now=taken)
    assert done["daily_reminders"]["caregivers_reminded"] == 2
    assert done["month_close"]["month"] == "2026-10"  # the month that ended, from its own 1st
    assert not {"gap_watch", "month_rollup", "escalation", "campaign_watch", "retention"} & set(done)  # claim nothing
    run = session.scalar(select(JobRun).where(JobRun.job == "daily_reminders"))
    assert (run.period, run.started_at) == ("2026-11-20", datetime(2026, 11, 20, 9, 0, tzinfo=SH))
    assert len(notes(session, world.a.caregiver, "reminder")) == 1
    # a second takeover the same day (the new leader died too) sends nothing again
    again = scheduler.catch_up(db, settings, now=taken + timedelta(hours=3))
    assert again["daily_reminders"] == {"skipped": "already done"}
    assert len(notes(session, world.a.caregiver, "reminder")) == 1
    # past the job's grace (6 h) the day's reminders are not sent late
    assert "daily_reminders" not in scheduler.catch_up(db, settings, now=datetime(2026, 11, 21, 15, 1, tzinfo=SH))
    # a weekly reminder done on the 8th is not sent again by a takeover on the 10th (its period is
    # the day it fell due, not the day of the takeover)
    assert jobs.run("review_reminder", db, at=datetime(2027, 3, 8, 9, 30, tzinfo=SH), settings=settings)["notified"] == 2
    later = scheduler.catch_up(db, settings, now=datetime(2027, 3, 10, 11, 0, tzinfo=SH))
    assert later["review_reminder"] == {"skipped": "already done"}


def test_gap_watch_alerts_the_township_once(session, world, db, settings):
    now = datetime(2026, 11, 20, 10, 5, tzinfo=SH)
    visit(session, world.a.person, world.a.caregiver, now - timedelta(days=25))
    visit(session, world.b.person, world.b.caregiver, now - timedelta(days=3))
    # the seeds set no longest gap: nothing is watched until a district sets one
    assert jobs.run("gap_watch", db, at=now, settings=settings)["alerts_raised"] == 0
    factories.quota_policy(session, "self_care", max_gap_days=20)
    r = jobs.run("gap_watch", db, at=now + timedelta(minutes=1), settings=settings)
    assert r["alerts_raised"] == 1
    alert = session.scalar(select(Alert).where(Alert.kind == "visit_gap"))
    assert alert.person_id == world.a.person.id and alert.place_id == world.a.place.id and alert.status == "open"
    assert alert.title == "王德明已25天没有核实的探访"
    # keyed by the person and the (UTC) date of their last visit; the detail says which and the rule
    assert alert.dedupe_key == f"gap:{world.a.person.id}:2026-10-26"
    assert alert.detail == {"summary": "王德明已25天没有核实的探访", "last_visit": "2026-10-26", "max_gap_days": 20}
    assert alert.sla_due_at == now + timedelta(minutes=1) + timedelta(minutes=settings.alerts.sla_minutes["normal"])
    assert [e.kind for e in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id))] == ["raised"]
    digest = notes(session, world.a.staff, "gap_digest")
    assert [(n.title, n.body, n.url) for n in digest] == [
        ("探访间隔提醒", "王德明等1人超过规定间隔没有核实的探访，请查看提醒。", "/#/alerts")]
    assert notes(session, world.b.staff, "gap_digest") == []
    assert jobs.run("gap_watch", db, at=now + timedelta(hours=1), settings=settings)["alerts_raised"] == 0
    # a call counts toward the month under the default modes, so it closes the gap too
    visit(session, world.a.person, world.a.caregiver, now, mode="phone")
    assert jobs.run("gap_watch", db, at=now + timedelta(hours=2), settings=settings)["alerts_raised"] == 0


def test_gap_watch_names_a_person_never_visited_since_an_agreement_begun_long_ago(session, world, db, settings):
    factories.quota_policy(session, "self_care", max_gap_days=20)
    now = datetime(2026, 11, 21, 7, 30, tzinfo=SH)  # 23:30 UTC on the 20th: local and UTC dates differ
    village = session.get(Place, world.a.person.village_id)
    never = factories.person(session, village, name="乙")
    factories.agreement(session, never, world.a.caregiver, start=date(2026, 9, 1))
    recent = factories.person(session, village, name="丙")  # an agreement younger than the gap: not yet
    factories.agreement(session, recent, world.a.caregiver, start=date(2026, 11, 10))
    visit(session, world.a.person, world.a.caregiver, now - timedelta(days=20, minutes=-1))  # 19 days 23:59: in time
    visit(session, world.b.person, world.b.caregiver, now - timedelta(days=2))
    assert jobs.run("gap_watch", db, at=now, settings=settings)["alerts_raised"] == 1
    alert = session.scalar(select(Alert).where(Alert.kind == "visit_gap"))
    assert (alert.person_id, alert.title, alert.dedupe_key, alert.detail) == (
        never.id, "乙签订协议后还没有核实的探访", f"gap:{never.id}:never",
        {"summary": "乙签订协议后还没有核实的探访", "last_visit": "never", "max_gap_days": 20})
    # two minutes later 王德明's gap is past 20 days: his alert, keyed by his last visit's UTC date
    # (23:31 UTC on 31 October, 1 November in Shanghai)
    assert jobs.run("gap_watch", db, at=now + timedelta(minutes=2), settings=settings)["alerts_raised"] == 1
    late = session.scalar(select(Alert).where(Alert.kind == "visit_gap", Alert.person_id == world.a.person.id))
    assert late.title == "王德明已20天没有核实的探访" and late.dedupe_key == f"gap:{world.a.person.id}:2026-10-31"


def test_gap_watch_sends_a_township_one_digest_however_many_are_overdue(session, world, db, settings):
    factories.quota_policy(session, "self_care", max_gap_days=20)
    now = datetime(2026, 11, 20, 10, 5, tzinfo=SH)
    village = session.get(Place, world.a.person.village_id)
    people = [factories.person(session, village, name=f"甲{k}") for k in range(7)]
    for p in people:
        factories.agreement(session, p, world.a.caregiver, start=date(2026, 9, 1))
        visit(session, p, world.a.caregiver, now - timedelta(days=30))
    visit(session, world.a.person, world.a.caregiver, now - timedelta(days=2))  # visited lately: no gap
    visit(session, world.b.person, world.b.caregiver, now - timedelta(days=2))
    assert jobs.run("gap_watch", db, at=now, settings=settings)["alerts_raised"] == 7
    alerts = session.scalars(select(Alert).where(Alert.kind == "visit_gap").order_by(Alert.id)).all()
    assert [a.person_id for a in alerts] == [p.id for p in people]  # each person's alert stays their own
    assert {a.title for a in alerts} == {f"甲{k}已30天没有核实的探访" for k in range(7)}
    digest = notes(session, world.a.staff, "gap_digest")
    assert [n.body for n in digest] == ["甲0、甲1、甲2等7人超过规定间隔没有核实的探访，请查看提醒。"]
    assert count(session, Notification, Notification.kind == "visit_gap") == 0  # no push per person
    # the next hour: nothing new, nothing sent again
    assert jobs.run("gap_watch", db, at=now + timedelta(hours=1), settings=settings)["alerts_raised"] == 0
    assert len(notes(session, world.a.staff, "gap_digest")) == 1


def test_escalation_climbs_to_the_district_when_nobody_acknowledges(session, world, db, settings):
    from server.alerts.service import acknowledge, raise_alert
    from server.auth.actor import Actor

    t0 = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    s = settings.alerts
    late, _ = raise_alert(session, kind="visit_gap", township_id=world.a.place.id, title="late", dedupe_key="e1",
                          settings=s, now=t0, severity="urgent")
    handled, _ = raise_alert(session, kind="visit_gap", township_id=world.b.place.id, title="handled", dedupe_key="e2",
                             settings=s, now=t0, severity="urgent")
    acknowledge(session, actor=Actor(world.b.staff), alert_id=handled.id)
    assert jobs.run("escalation", db, at=t0 + timedelta(hours=3), settings=settings)["escalated"] == 0
    assert jobs.run("escalation", db, at=t0 + timedelta(hours=4, minutes=1), settings=settings)["escalated"] == 1
    session.refresh(late)
    assert late.level == "district"
    # its new clock runs from the run's instant, whatever zone the instant was given in
    assert late.sla_due_at == t0 + timedelta(hours=4, minutes=1) + timedelta(minutes=s.sla_minutes["urgent"])
    assert [e.kind for e in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == late.id))] == \
        ["raised", "escalated"]
    assert [n.title for n in notes(session, world.admin, "escalation")] == ["【上报】late"]
    assert jobs.run("escalation", db, at=t0 + timedelta(hours=5), settings=settings)["escalated"] == 0


def test_daily_reminder_once_a_day_for_caregivers_behind(session, world, db, settings):
    factories.home_visits_policy(session, self_care=(2, None))  # a local rule: 2 home visits a month
    at = datetime(2026, 11, 20, 9, 0, tzinfo=SH)
    visit(session, world.b.person, world.b.caregiver, datetime(2026, 11, 3, tzinfo=SH))
    visit(session, world.b.person, world.b.caregiver, datetime(2026, 11, 12, tzinfo=SH))
    assert jobs.run("daily_reminders", db, at=at, settings=settings)["caregivers_reminded"] == 1
    assert jobs.run("daily_reminders", db, at=at + timedelta(hours=2), settings=settings) == {"skipped": "already done"}
    [note] = notes(session, world.a.caregiver, "reminder")
    assert note.body == "请尽快探访：王德明（本月0/2次）"
    assert notes(session, world.b.caregiver, "reminder") == []


def test_daily_reminder_names_ten_and_judges_a_month_partly_away_by_its_own_quota(session, world, db, settings):
    from server.people.models import Absence

    factories.home_visits_policy(session, self_care=(2, None))
    at = datetime(2026, 11, 20, 9, 0, tzinfo=SH)  # the even pace by the 20th: 1 of 2
    village = session.get(Place, world.a.person.village_id)
    away = factories.person(session, village, name="住院者", caregiver=world.b.caregiver)  # first in order
    behind = [factories.person(session, village, name=f"乙{k:02d}", caregiver=world.b.caregiver) for k in range(12)]
    # in hospital from the 1st to the 25th: 5 days at home ask 1 visit, none by the 20th's pace
    session.add(Absence(person_id=away.id, kind="hospital", start_on=date(2026, 11, 1), end_on=date(2026, 11, 25),
                        recorded_by=world.b.staff.id))
    for k in (0, 1):
        visit(session, world.b.person, world.b.caregiver, datetime(2026, 11, 3 + k, tzinfo=SH))
    visit(session, world.a.person, world.a.caregiver, datetime(2026, 11, 3, tzinfo=SH))  # at the pace: no reminder
    assert jobs.run("daily_reminders", db, at=at, settings=settings)["caregivers_reminded"] == 1
    [note] = notes(session, world.b.caregiver, "reminder")
    assert note.body == "请尽快探访：" + "、".join(f"{p.name}（本月0/2次）" for p in behind[:10])
    assert notes(session, world.a.caregiver, "reminder") == []


def test_volunteer_reminder_mid_month(session, world, db, settings):
    session.add(VolunteerActivity(team_id=world.b.team.id, kind="visit", held_on=date(2026, 11, 8),
                                  place_id=world.b.place.id, participants=5, people_served=3))
    session.flush()
    r = jobs.run("volunteer_reminder", db, at=datetime(2026, 11, 15, 9, 10, tzinfo=SH), settings=settings)
    assert r["idle_teams"] == 1
    assert len(notes(session, world.a.volunteer, "volunteer_reminder")) == 1
    assert len(notes(session, world.a.staff, "volunteer_reminder")) == 1
    assert notes(session, world.b.volunteer, "volunteer_reminder") == []


def test_review_in_march_only_and_the_yearly_health_check(session, world, db, settings):
    assert jobs.run("review_reminder", db, at=datetime(2026, 11, 1, 9, 30, tzinfo=SH), settings=settings) == \
        {"skipped": "no review campaign open"}
    assert jobs.run("review_reminder", db, at=datetime(2027, 3, 1, 9, 30, tzinfo=SH), settings=settings)["notified"] == 2
    r = jobs.run("health_check_reminder", db, at=datetime(2027, 1, 10, 9, 20, tzinfo=SH), settings=settings)
    assert r["notified"] == 2
    assert notes(session, world.a.staff, "health_check")[0].body == "本镇有1名65岁以上特困人员，今年需安排一次免费健康体检。"


def test_the_registry_is_whole():
    assert set(jobs.JOBS) == {"daily_reminders", "gap_watch", "month_close", "escalation", "volunteer_reminder",
                              "health_check_reminder", "review_reminder", "review_overdue", "retention",
                              "campaign_watch", "festival_reminders", "relief_statements", "month_rollup", "spot_check_draw"}
    assert all(j.misfire_grace_seconds >= 15 * 60 for j in jobs.JOBS.values())
    assert jobs.JOBS["month_close"].misfire_grace_seconds >= 24 * 3600


def test_scheduler_triggers_in_the_configured_zone(db, settings):
    sched = scheduler.build(db, settings)
    close = next(j for j in sched.get_jobs() if j.id == "month_close")
    fire = close.trigger.get_next_fire_time(None, datetime(2026, 11, 20, tzinfo=SH))
    assert fire == datetime(2026, 12, 1, 0, 30, tzinfo=SH) and close.misfire_grace_time == 31 * 24 * 3600
    reminders = next(j for j in sched.get_jobs() if j.id == "daily_reminders")
    assert reminders.trigger.get_next_fire_time(None, datetime(2026, 11, 20, 9, 30, tzinfo=SH)) == \
        datetime(2026, 11, 21, 9, 0, tzinfo=SH)


def _what_a_run_left(session) -> dict:
    """Every row and message a job run writes, as a user or an auditor would see them."""
    from server.notify.models import Delivery, JobRun

    session.expire_all()
    rows = lambda stmt: sorted(session.execute(stmt).all(), key=repr)  # noqa: E731
    return {
        "notifications": rows(select(Notification.user_id, Notification.kind, Notification.title, Notification.body,
                                     Notification.created_at, Notification.delivered_at)),
        # by what they are about, not by id: PostgreSQL's sequences do not roll back with a savepoint
        "deliveries": rows(select(Notification.user_id, Notification.title, Delivery.channel, Delivery.status,
                                  Delivery.at).join(Notification, Notification.id == Delivery.notification_id)),
        "alerts": rows(select(Alert.kind, Alert.title, Alert.level, Alert.created_at, Alert.sla_due_at)),
        "events": rows(select(Alert.title, AlertEvent.kind, AlertEvent.at).join(Alert, Alert.id == AlertEvent.alert_id)),
        "months": rows(select(PersonMonth.person_id, PersonMonth.month, PersonMonth.visited)),
        "agreement_months": rows(select(AgreementMonth.agreement_id, AgreementMonth.month, AgreementMonth.fulfilment)),
        "runs": rows(select(JobRun.job, JobRun.period, JobRun.started_at)),
    }


@pytest.mark.parametrize("name", sorted(jobs.JOBS))
def test_a_run_for_an_instant_a_week_ahead_is_the_run_the_scheduler_would_make_then(
        name, app, session, connection, world, db, frozen_at):
    """`zhaoying jobs run NAME --at T` with the wall clock a week before T stores, sends and stamps
    exactly what the scheduler's own run at T would."""
    import time_machine
    from apscheduler.triggers.cron import CronTrigger

    from server.alerts.service import raise_alert
    from tests.notify.receivers import PushService
    from tests.notify.test_channels import PEM, subscribe

    base = Settings.from_config({**app.config, "SMS_WEBHOOK_URL": None})
    job = jobs.JOBS[name]
    fields = {k: base.reminder_hour if v == "REMINDER_HOUR" else v for k, v in job.cron.items()}
    at = CronTrigger(timezone=SH, **fields).get_next_fire_time(None, frozen_at + timedelta(days=7))
    # a local rule with a pace and a longest gap, so the reminders and the gap watch have work
    factories.home_visits_policy(session, self_care=(2, 20), partly_disabled=(4, 10), fully_disabled=(8, 5))
    # a caregiver behind the month's pace, a person never visited, an urgent alert nobody acknowledged
    visit(session, world.b.person, world.b.caregiver, frozen_at - timedelta(days=1))
    raise_alert(session, kind="visit_gap", township_id=world.a.place.id, title="无人处理", dedupe_key="late",
                settings=base.alerts, now=frozen_at, severity="urgent")
    with PushService() as push:
        for user in (world.a.caregiver, world.b.caregiver, world.a.staff, world.admin):
            subscribe(session, push, user, f"phone-{user.id}")
        session.flush()
        seen = []
        for wall_clock in (frozen_at, at):  # by hand a week early, then as the scheduler at T
            savepoint = connection.begin_nested()
            push.received.clear()
            with time_machine.travel(wall_clock, tick=False):
                # a fresh sender per run: its VAPID token is signed on the wall clock, as it must be
                settings = Settings.from_config({**app.config, "VAPID_PRIVATE_KEY": PEM, "SMS_WEBHOOK_URL": None})
                result = jobs.run(name, db, at=at, settings=settings)
                seen.append((result, _what_a_run_left(session), sorted(m["payload"]["title"] for m in push.received)))
            savepoint.rollback()
        assert push.errors == []
    by_hand, scheduled = seen
    assert by_hand == scheduled
    result, left, pushed = scheduled
    if name == "daily_reminders":
        # the 25th: five days left, within the district's seven (SchedulePolicy.reminder_days_left), so
        # b's caregiver, one of two visits done, is reminded too
        assert result["caregivers_reminded"] == 2 and result["push_sent"] == 2 and pushed == ["本月走访提醒"] * 2
        assert [n[4] for n in left["notifications"] if n[1] == "reminder"] == [at.astimezone(timezone.utc)] * 2
    if name == "escalation":
        assert result["escalated"] == 1 and "【上报】无人处理" in pushed
    if name == "gap_watch":
        assert result["alerts_raised"] >= 1 and result["push_sent"] >= 1
