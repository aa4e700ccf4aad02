"""The scheduled jobs, run for given instants: each idempotent, months counted in Shanghai."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server import jobs, scheduler
from server.activities.models import VolunteerActivity
from server.alerts.models import Alert, AlertEvent
from server.notify.models import Notification
from server.quotas.models import MonthlyCompliance
from server.visits.models import Visit

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def db(app_config):
    return app_config["DATABASE"]


@pytest.fixture
def config(app):
    return {**app.config, "VAPID_PRIVATE_KEY": None, "SMS_WEBHOOK_URL": None}


def visit(session, person, caregiver, when, status="verified", mode="home"):
    session.add(Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=caregiver.id, mode=mode,
                      started_at=when, ended_at=when + timedelta(minutes=20), status=status, content_hash="x" * 64,
                      received_at=when))
    session.flush()


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def notes(session, user, kind):
    return session.scalars(select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)).all()


def test_month_boundaries_are_midnight_in_shanghai(session, world, db, config):
    p, cg = world.a.person, world.a.caregiver
    visit(session, p, cg, datetime(2026, 10, 31, 23, 59, 59, tzinfo=SH))  # 15:59:59 UTC: October
    visit(session, p, cg, datetime(2026, 11, 1, 0, 0, 0, tzinfo=SH))  # 16:00:00 UTC on the 31st: November
    visit(session, p, cg, datetime(2026, 11, 30, 23, 0, tzinfo=SH))
    jobs.run("month_close", db, at=datetime(2026, 11, 1, 0, 30, tzinfo=SH), config=config)
    jobs.run("month_close", db, at=datetime(2026, 12, 1, 0, 30, tzinfo=SH), config=config)
    got = dict(session.execute(select(MonthlyCompliance.month, MonthlyCompliance.verified_home_visits)
                               .where(MonthlyCompliance.person_id == p.id)).all())
    assert got == {"2026-10": 1, "2026-11": 2}
    met = dict(session.execute(select(MonthlyCompliance.month, MonthlyCompliance.met)
                               .where(MonthlyCompliance.person_id == p.id)).all())
    assert met == {"2026-10": False, "2026-11": True}  # self-care quota: 2 a month


def test_month_close_runs_once_and_alerts_those_short(session, world, db, config):
    at = datetime(2026, 12, 1, 0, 30, tzinfo=SH)
    first = jobs.run("month_close", db, at=at, config=config)
    assert first == {"month": "2026-11", "compliance_rows": 2, "quota_missed": 2}
    again = jobs.run("month_close", db, at=at + timedelta(minutes=5), config=config)
    assert again == {"skipped": "already done", "month": "2026-11"}
    assert count(session, MonthlyCompliance) == 2
    assert count(session, Alert, Alert.kind == "quota_missed") == 2
    alert = session.scalar(select(Alert).where(Alert.person_id == world.a.person.id))
    assert alert.place_id == world.a.place.id and alert.title == "王德明 2026-11 走访未达标"
    assert [e.kind for e in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id))] == ["raised"]
    digest = notes(session, world.a.staff, "month_digest")
    assert len(digest) == 1 and digest[0].body == "在册1人，0人达到走访要求，1人未达标。"


def test_a_month_close_missed_during_downtime_is_done_at_start(session, world, db, config):
    # the scheduler was down on 1 December; it starts on the 9th
    started = datetime(2026, 12, 9, 14, 0, tzinfo=SH)
    assert scheduler.catch_up(db, config, now=started)["month"] == "2026-11"
    assert count(session, MonthlyCompliance, MonthlyCompliance.month == "2026-11") == 2
    assert scheduler.catch_up(db, config, now=started)["skipped"] == "already done"


def test_gap_watch_alerts_the_township_once(session, world, db, config):
    now = datetime(2026, 11, 20, 10, 5, tzinfo=SH)
    visit(session, world.a.person, world.a.caregiver, now - timedelta(days=25))  # self-care: gap 20 days
    visit(session, world.b.person, world.b.caregiver, now - timedelta(days=3))
    r = jobs.run("gap_watch", db, at=now, config=config)
    assert r["alerts_raised"] == 1
    alert = session.scalar(select(Alert).where(Alert.kind == "visit_gap"))
    assert alert.person_id == world.a.person.id and alert.place_id == world.a.place.id and alert.status == "open"
    assert [n.title for n in notes(session, world.a.staff, "visit_gap")] == ["王德明已25天没有核实的上门走访"]
    assert notes(session, world.b.staff, "visit_gap") == []
    assert jobs.run("gap_watch", db, at=now + timedelta(hours=1), config=config)["alerts_raised"] == 0


def test_escalation_climbs_to_the_district_when_nobody_acknowledges(session, world, db, config):
    from server.alerts.service import AlertSettings, acknowledge, raise_alert
    from server.audit.service import Actor

    t0 = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
    s = AlertSettings.from_config(config)
    late, _ = raise_alert(session, kind="visit_gap", township_id=world.a.place.id, title="late", dedupe_key="e1",
                          settings=s, now=t0, severity="urgent")
    handled, _ = raise_alert(session, kind="visit_gap", township_id=world.b.place.id, title="handled", dedupe_key="e2",
                             settings=s, now=t0, severity="urgent")
    acknowledge(session, actor=Actor(world.b.staff), alert_id=handled.id)
    assert jobs.run("escalation", db, at=t0 + timedelta(hours=3), config=config)["escalated"] == 0
    assert jobs.run("escalation", db, at=t0 + timedelta(hours=4, minutes=1), config=config)["escalated"] == 1
    session.refresh(late)
    assert late.level == "district"
    assert [e.kind for e in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == late.id))] == \
        ["raised", "escalated"]
    assert [n.title for n in notes(session, world.admin, "escalation")] == ["【上报】late"]
    assert jobs.run("escalation", db, at=t0 + timedelta(hours=5), config=config)["escalated"] == 0


def test_daily_reminder_once_a_day_for_caregivers_behind(session, world, db, config):
    at = datetime(2026, 11, 20, 9, 0, tzinfo=SH)
    visit(session, world.b.person, world.b.caregiver, datetime(2026, 11, 3, tzinfo=SH))
    visit(session, world.b.person, world.b.caregiver, datetime(2026, 11, 12, tzinfo=SH))
    assert jobs.run("daily_reminders", db, at=at, config=config)["caregivers_reminded"] == 1
    assert jobs.run("daily_reminders", db, at=at + timedelta(hours=2), config=config) == {"skipped": "already done"}
    [note] = notes(session, world.a.caregiver, "reminder")
    assert note.body == "请尽快上门看望：王德明（本月0/2次）"
    assert notes(session, world.b.caregiver, "reminder") == []


def test_volunteer_reminder_mid_month(session, world, db, config):
    session.add(VolunteerActivity(team_id=world.b.team.id, kind="visit", held_on=date(2026, 11, 8),
                                  place_id=world.b.place.id, participants=5, people_served=3))
    session.flush()
    r = jobs.run("volunteer_reminder", db, at=datetime(2026, 11, 15, 9, 10, tzinfo=SH), config=config)
    assert r["idle_teams"] == 1
    assert len(notes(session, world.a.volunteer, "volunteer_reminder")) == 1
    assert len(notes(session, world.a.staff, "volunteer_reminder")) == 1
    assert notes(session, world.b.volunteer, "volunteer_reminder") == []


def test_review_in_march_only_and_the_yearly_health_check(session, world, db, config):
    assert jobs.run("review_reminder", db, at=datetime(2026, 11, 1, 9, 30, tzinfo=SH), config=config) == \
        {"skipped": "not the review month"}
    assert jobs.run("review_reminder", db, at=datetime(2027, 3, 1, 9, 30, tzinfo=SH), config=config)["notified"] == 2
    r = jobs.run("health_check_reminder", db, at=datetime(2027, 1, 10, 9, 20, tzinfo=SH), config=config)
    assert r["notified"] == 2
    assert notes(session, world.a.staff, "health_check")[0].body == "本镇有1名65岁以上特困人员，今年需安排一次免费健康体检。"


def test_the_registry_is_whole():
    assert set(jobs.JOBS) == {"daily_reminders", "gap_watch", "month_close", "escalation", "volunteer_reminder",
                              "health_check_reminder", "review_reminder"}
    assert all(j.misfire_grace_seconds >= 15 * 60 for j in jobs.JOBS.values())
    assert jobs.JOBS["month_close"].misfire_grace_seconds >= 24 * 3600


def test_scheduler_triggers_in_the_configured_zone(db, config):
    sched = scheduler.build(db, config)
    close = next(j for j in sched.get_jobs() if j.id == "month_close")
    fire = close.trigger.get_next_fire_time(None, datetime(2026, 11, 20, tzinfo=SH))
    assert fire == datetime(2026, 12, 1, 0, 30, tzinfo=SH) and close.misfire_grace_time == 27 * 24 * 3600
    reminders = next(j for j in sched.get_jobs() if j.id == "daily_reminders")
    assert reminders.trigger.get_next_fire_time(None, datetime(2026, 11, 20, 9, 30, tzinfo=SH)) == \
        datetime(2026, 11, 21, 9, 0, tzinfo=SH)
