"""A job's run is all or nothing, and delivery is its own step after it (issue 13 item 1)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server import jobs
from server.notify import service as notify
from server.notify.models import JobRun, Notification
from server.quotas import reminders
from tests import factories
from tests.test_jobs import visit

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 20, 9, 0, tzinfo=SH)


def behind_only_a(session, world):
    factories.home_visits_policy(session, self_care=(2, None))  # 2 home visits a month
    visit(session, world.b.person, world.b.caregiver, datetime(2026, 11, 3, tzinfo=SH))
    visit(session, world.b.person, world.b.caregiver, datetime(2026, 11, 12, tzinfo=SH))
    session.commit()


def reminders_of(session, user):
    session.expire_all()
    return session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                      Notification.kind == "reminder")).all()


def runs(session, job):
    session.expire_all()
    return session.scalars(select(JobRun).where(JobRun.job == job)).all()


def test_a_run_that_fails_half_way_leaves_nothing_and_the_next_tick_does_it(session, world, db, settings,
                                                                            monkeypatch):
    behind_only_a(session, world)
    real = reminders.remind_behind_pace

    def fails_after_writing(session, **kw):
        real(session, **kw)  # the reminders are written (flushed) …
        session.flush()
        raise RuntimeError("the process died here")  # … and then the run fails

    monkeypatch.setattr(reminders, "remind_behind_pace", fails_after_writing)
    with pytest.raises(RuntimeError):
        jobs.run("daily_reminders", db, at=AT, settings=settings)
    assert reminders_of(session, world.a.caregiver) == []
    assert runs(session, "daily_reminders") == []  # the period is not taken

    monkeypatch.setattr(reminders, "remind_behind_pace", real)
    result = jobs.run("daily_reminders", db, at=AT, settings=settings)
    assert result["caregivers_reminded"] == 1
    [note] = reminders_of(session, world.a.caregiver)
    assert note.body == "请尽快探访：王德明（本月0/2次）" and note.delivered_at is not None
    [run] = runs(session, "daily_reminders")
    assert run.period == "2026-11-20" and run.finished_at is not None
    assert run.result == {"caregivers_reminded": 1}


def test_a_failed_delivery_keeps_the_work_and_the_next_delivery_sends_it(session, world, db, settings, monkeypatch):
    behind_only_a(session, world)
    real = notify.deliver_pending

    def broken(*a, **kw):
        raise OSError("push service unreachable")

    monkeypatch.setattr(notify, "deliver_pending", broken)
    result = jobs.run("daily_reminders", db, at=AT, settings=settings)
    assert result == {"caregivers_reminded": 1, "delivery": "failed"}
    [note] = reminders_of(session, world.a.caregiver)
    assert note.delivered_at is None  # written, not yet sent
    [run] = runs(session, "daily_reminders")
    assert run.finished_at is not None
    assert jobs.run("daily_reminders", db, at=AT, settings=settings) == {"skipped": "already done"}

    monkeypatch.setattr(notify, "deliver_pending", real)
    later = jobs.run("escalation", db, at=AT.replace(minute=15), settings=settings)  # any job's delivery
    assert later["escalated"] == 0 and "delivery" not in later
    [note] = reminders_of(session, world.a.caregiver)
    assert note.delivered_at is not None
    assert len(reminders_of(session, world.a.caregiver)) == 1  # sent once, not written twice
