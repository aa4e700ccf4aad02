"""Exits from the roster (seed 004 进退有序): the agreement ends on the day, later check-ins are
refused, a death opens the 丧葬 task, and nothing concerns the person from the next day."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from server import jobs
from server.alerts.models import Alert
from server.audit.models import AuditLog
from server.care.models import CareAgreement
from server.notify.models import Notification
from server.people.models import PersonExit
from server.quotas.models import PersonMonth
from server.visits.models import Visit
from tests import factories
from tests.visits.conftest import Checkin

SH = factories.SH
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
SIXTH = datetime(2026, 11, 6, 10, 0, tzinfo=SH)


def record(client, session, staff, person, **body):
    body = {"exited_on": "2026-11-04", "reason": "deceased", **body}
    return client.post(f"/api/persons/{person.id}/exit", json=body, headers=factories.headers(session, staff, **EN))


def test_exit_on_the_4th_ends_the_agreement_then_and_refuses_a_checkin_of_the_5th(client, session, world):
    with time_machine.travel(SIXTH, tick=False):
        r = record(client, session, world.a.staff, world.a.person, reason="moved_away", note="随子女迁往赤峰")
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["exited_on"] == "2026-11-04" and r.get_json()["reason"] == "moved_away"
        [agreement] = session.scalars(select(CareAgreement).where(CareAgreement.person_id == world.a.person.id)).all()
        assert (agreement.status, agreement.end_on, agreement.end_reason) == ("ended", date(2026, 11, 4), "被照料人迁出")
        session.refresh(world.a.person)
        assert world.a.person.status == "exited"

        checkin = Checkin(client, session, world)
        fifth = datetime(2026, 11, 5, 9, 0, tzinfo=SH)
        r = checkin.post(started_at=fifth.isoformat(), ended_at=(fifth + timedelta(minutes=30)).isoformat())
        assert r.status_code == 409
        assert r.get_json()["message"] == "That person left the roster on 2026-11-04; visits after that day cannot be recorded"
        zh = factories.headers(session, world.a.caregiver, **ZH)
        r = checkin.post(headers=zh, started_at=fifth.isoformat(), ended_at=(fifth + timedelta(minutes=30)).isoformat())
        assert r.status_code == 409 and r.get_json()["message"].startswith("该人员已于2026-11-04退出")

        # late on the 4th in Shanghai (15:30 UTC): still the 4th, still the caregiver's visit
        fourth = datetime(2026, 11, 4, 23, 20, tzinfo=SH)
        r = checkin.post(started_at=fourth.isoformat(), ended_at=(fourth + timedelta(minutes=30)).isoformat())
        assert r.status_code == 201, r.get_json()
        stored = session.get(Visit, r.get_json()["id"])
        assert stored.agreement_id == agreement.id
        assert session.scalar(select(Visit.id).where(Visit.started_at >= datetime(2026, 11, 5, tzinfo=SH))) is None

        # the caregiver no longer sees the person, but is told why
        ch = factories.headers(session, world.a.caregiver, **EN)
        assert client.get(f"/api/persons/{world.a.person.id}", headers=ch).status_code == 403
        assert client.get("/api/me/progress", headers=ch).get_json() == []
        left = client.get("/api/me/left-care", headers=ch).get_json()
        assert left == [{"person_id": world.a.person.id, "name": "王德明", "exited_on": "2026-11-04",
                         "reason": "moved_away"}]
        # staff still read the history, and the read is audited
        sh = factories.headers(session, world.a.staff)
        person = client.get(f"/api/persons/{world.a.person.id}", headers=sh).get_json()
        assert person["status"] == "exited" and person["caregiver"] is None
        assert client.get(f"/api/persons/{world.a.person.id}/exit", headers=sh).get_json()["note"] == "随子女迁往赤峰"
        assert session.scalar(select(AuditLog.id).where(AuditLog.person_id == world.a.person.id,
                                                        AuditLog.action == "read", AuditLog.user_id == world.a.staff.id))


@pytest.mark.clock_edges
def test_a_death_opens_the_funeral_task_for_the_township(client, session, world):
    r = record(client, session, world.a.staff, world.a.person, exited_on=factories.today().isoformat(), reason="deceased")
    assert r.status_code == 201
    session.refresh(world.a.person)
    assert world.a.person.status == "deceased"
    [task] = session.scalars(select(Alert).where(Alert.person_id == world.a.person.id, Alert.kind == "funeral")).all()
    assert task.title == "王德明去世：办理丧葬事宜" and task.place_id == world.a.place.id and task.status == "open"
    assert "丧葬费用按照6个月基本生活标准给予补贴" in task.detail["summary"]
    assert session.scalar(select(Notification.id).where(Notification.user_id == world.a.staff.id,
                                                        Notification.kind == "funeral"))
    listed = client.get("/api/exits", headers=factories.headers(session, world.a.staff))
    assert [(e["person_name"], e["reason"]) for e in listed.get_json()] == [("王德明", "deceased")]
    assert client.get("/api/exits", headers=factories.headers(session, world.b.staff)).get_json() == []
    # other exits open no task
    r = record(client, session, world.b.staff, world.b.person, exited_on=factories.today().isoformat(),
               reason="care_home")
    assert r.status_code == 201
    assert session.scalar(select(Alert.id).where(Alert.person_id == world.b.person.id)) is None


@pytest.mark.clock_edges
def test_bad_exits_are_refused_and_nothing_is_stored(client, session, world):
    tomorrow = (factories.today() + timedelta(days=1)).isoformat()
    r = record(client, session, world.a.staff, world.a.person, exited_on=tomorrow)
    assert r.status_code == 422 and r.get_json()["message"] == "The date cannot be in the future"
    r = record(client, session, world.a.staff, world.a.person, reason="bored")
    assert r.status_code == 422
    r = record(client, session, world.b.staff, world.a.person)  # another township's person
    assert r.status_code == 403
    r = client.post(f"/api/persons/{world.a.person.id}/exit", json={"exited_on": "2026-11-04", "reason": "deceased"},
                    headers=factories.headers(session, world.a.caregiver, **EN))
    assert r.status_code == 403
    assert session.scalar(select(PersonExit.id)) is None
    session.refresh(world.a.person)
    assert world.a.person.status == "active"
    assert session.scalar(select(CareAgreement.status).where(CareAgreement.person_id == world.a.person.id)) == "active"
    today = factories.today().isoformat()
    assert record(client, session, world.a.staff, world.a.person, exited_on=today).status_code == 201
    r = record(client, session, world.a.staff, world.a.person, exited_on=today)
    assert r.status_code == 409 and r.get_json()["message"] == "That person has already left the roster"


def test_from_the_next_day_no_reminder_gap_alert_escalation_or_quota(client, session, world, app_config, settings):
    """Exit on 4 November; the jobs of later days leave the person alone, those of the 4th do not."""
    db = app_config["DATABASE"]
    p = world.a.person
    for a in session.scalars(select(CareAgreement).where(CareAgreement.person_id == p.id)):
        a.start_on = date(2026, 8, 1)
    with time_machine.travel(SIXTH, tick=False):
        # an alert about the person, raised before the exit, unanswered past its SLA
        session.add(Alert(kind="visit_gap", severity="normal", person_id=p.id, place_id=world.a.place.id,
                          title="t", dedupe_key="old", created_at=datetime(2026, 11, 1, tzinfo=SH),
                          sla_due_at=datetime(2026, 11, 2, tzinfo=SH)))
        session.flush()
        assert record(client, session, world.a.staff, p).status_code == 201
    funeral = session.scalar(select(Alert).where(Alert.kind == "funeral"))
    funeral.sla_due_at = datetime(2026, 11, 6, 11, tzinfo=SH)
    session.flush()
    jobs.run("escalation", db, at=datetime(2026, 11, 7, 9, tzinfo=SH), settings=settings)
    levels = dict(session.execute(select(Alert.kind, Alert.level)).all())
    assert levels == {"visit_gap": "township", "funeral": "district"}  # the 丧葬 task still climbs
    jobs.run("gap_watch", db, at=datetime(2026, 11, 30, 9, 5, tzinfo=SH), settings=settings)
    jobs.run("daily_reminders", db, at=datetime(2026, 11, 20, 9, tzinfo=SH), settings=settings)
    assert session.scalar(select(Alert.id).where(Alert.person_id == p.id, Alert.kind == "visit_gap",
                                                 Alert.dedupe_key != "old")) is None
    assert session.scalar(select(Notification.id).where(Notification.user_id == world.a.caregiver.id)) is None
    # November: the month of the exit is closed for the days on the roster; December has no row
    jobs.run("month_close", db, at=datetime(2026, 12, 1, 0, 30, tzinfo=SH), settings=settings)
    jobs.run("month_close", db, at=datetime(2027, 1, 1, 0, 30, tzinfo=SH), settings=settings)
    months = session.execute(select(PersonMonth.month, PersonMonth.days_on_roster)
                             .where(PersonMonth.person_id == p.id, PersonMonth.month >= "2026-11")).all()
    assert months == [("2026-11", 4)]  # on the roster from the 1st to the day of the exit, the 4th


@pytest.mark.clock_edges
def test_the_status_is_not_edited_past_the_exit(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    r = client.patch(f"/api/persons/{world.a.person.id}", json={"status": "deceased"}, headers=h)
    assert r.status_code == 409 and r.get_json()["reason"] == "status_by_exit"
    session.refresh(world.a.person)
    assert world.a.person.status == "active"
    assert record(client, session, world.a.staff, world.a.person, exited_on=factories.today().isoformat()).status_code == 201
    r = client.patch(f"/api/persons/{world.a.person.id}", json={"status": "active"}, headers=h)
    assert r.status_code == 409
