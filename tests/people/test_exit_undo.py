"""Issue 28 (7): an exit recorded in error — the wrong person, a death that was not — is undone
by the person's township staff, with why: the person is on the roster again, the agreement the
exit ended is in force again, the 丧葬 task is withdrawn, and the audit keeps what was undone."""

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from server.alerts.models import Alert
from server.audit.models import AuditLog
from server.care.models import CareAgreement
from server.people.models import PersonExit
from tests import factories
from tests.visits.conftest import Checkin

SH = factories.SH
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
SIXTH = datetime(2026, 11, 6, 10, 0, tzinfo=SH)


@pytest.fixture
def sixth():
    with time_machine.travel(SIXTH, tick=False):
        yield


def exit_(client, session, world, reason="deceased"):
    r = client.post(f"/api/persons/{world.a.person.id}/exit", json={"exited_on": "2026-11-04", "reason": reason},
                    headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 201, r.get_json()


def undo(client, session, who, person, lang=EN, **body):
    return client.post(f"/api/persons/{person.id}/exit/undo", json=body, headers=factories.headers(session, who, **lang))


def test_a_death_recorded_in_error_is_undone(client, session, world, sixth):
    exit_(client, session, world)
    r = undo(client, session, world.a.staff, world.a.person, note="  登记错了人：去世的是同村王德民  ")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "active" and "id_number" not in r.get_json()
    session.expire_all()
    assert world.a.person.status == "active"
    assert session.scalar(select(PersonExit).where(PersonExit.person_id == world.a.person.id)) is None
    [agreement] = session.scalars(select(CareAgreement).where(CareAgreement.person_id == world.a.person.id)).all()
    assert (agreement.status, agreement.end_on, agreement.end_reason) == ("active", None, None)
    [task] = session.scalars(select(Alert).where(Alert.person_id == world.a.person.id, Alert.kind == "funeral")).all()
    assert (task.status, task.outcome, task.resolved_by) == ("resolved", "withdrawn", world.a.staff.id)
    row = session.scalar(select(AuditLog).where(AuditLog.action == "exit_undone"))
    assert row.user_id == world.a.staff.id and row.person_id == world.a.person.id
    assert row.detail["why"] == "登记错了人：去世的是同村王德民"
    assert (row.detail["on"], row.detail["reason"], row.detail["recorded_by"]) == ("2026-11-04", "deceased", world.a.staff.id)
    assert row.detail["agreements_reopened"] == [agreement.id]
    # the caregiver sees the person again and checks in for the 5th
    fifth = datetime(2026, 11, 5, 9, 0, tzinfo=SH)
    r = Checkin(client, session, world).post(started_at=fifth.isoformat(),
                                             ended_at=(fifth + timedelta(minutes=30)).isoformat())
    assert r.status_code == 201, r.get_json()
    # recorded again (it was true after all), the death opens its task anew
    exit_(client, session, world)
    tasks = session.scalars(select(Alert.status).where(Alert.person_id == world.a.person.id, Alert.kind == "funeral")).all()
    assert sorted(tasks) == ["open", "resolved"]


def test_a_caregiver_gone_since_is_not_put_back(client, session, world, sixth):
    exit_(client, session, world, reason="moved_away")
    world.a.caregiver.is_active = False
    session.add(world.a.caregiver)
    session.flush()
    r = undo(client, session, world.a.staff, world.a.person, note="迁出登记错误")
    assert r.status_code == 200
    [agreement] = session.scalars(select(CareAgreement).where(CareAgreement.person_id == world.a.person.id)).all()
    assert agreement.status == "ended"
    assert session.scalar(select(AuditLog.detail).where(AuditLog.action == "exit_undone"))["agreements_reopened"] == []


@pytest.mark.parametrize("note", ["", "   "])
def test_an_undo_says_why_or_is_refused(client, session, world, sixth, note):
    exit_(client, session, world)
    r = undo(client, session, world.a.staff, world.a.person, lang=ZH, note=note)
    assert r.status_code == 422
    assert r.get_json()["message"] == "请写明撤销的原因（例如：登记错了人、误登记去世）"
    r = undo(client, session, world.a.staff, world.a.person)
    assert r.status_code == 422 and "note" in r.get_json()["errors"]
    session.expire_all()
    assert world.a.person.status == "deceased"
    assert session.scalar(select(PersonExit.id).where(PersonExit.person_id == world.a.person.id)) is not None


def test_who_may_undo_and_what(client, session, world, sixth):
    exit_(client, session, world)
    for who, status in ((world.b.staff, 403), (world.a.caregiver, 403), (world.a.volunteer, 403)):
        r = undo(client, session, who, world.a.person, note="错了")
        assert r.status_code == status and r.get_json()["message"], who.role
    r = undo(client, session, world.a.staff, world.b.person, note="错了")
    assert r.status_code == 403
    # the district may, and a person with no exit has nothing to undo
    assert undo(client, session, world.admin, world.a.person, note="旗里核实：人还健在").status_code == 200
    r = undo(client, session, world.a.staff, world.a.person, note="再撤一次")
    assert r.status_code == 409 and r.get_json()["message"] == "That person has no exit recorded to undo"
    session.expire_all()
    assert world.a.person.status == "active"
    assert session.scalar(select(AuditLog.id).where(AuditLog.action == "exit_undone", AuditLog.user_id == world.admin.id))
