"""Residents have a life (issue 29 part 2): a care-home resident (集中供养) dies or leaves through
the same exit as a person at home. Seed 004 item 2 (做好特困人员身故基本殡葬服务，丧葬费用按照6个月
基本生活标准给予补贴): a resident's death opens the township's 丧葬 task; seed 004 item 4 (进退有序):
the exit ends the stay in the home, so the home's count drops from the next day."""

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import select

from server.alerts.models import Alert
from server.audit.models import AuditLog
from server.care import service as care
from server.care.models import CareHome, CareResidence
from server.people.models import Person, PersonExit
from tests import factories

SH = factories.SH
EN = {"Accept-Language": "en"}
TENTH = datetime(2026, 12, 10, 10, 0, tzinfo=SH)
MOVED_IN = date(2026, 11, 1)


def resident(session, world, *, name="赵桂兰", home=None):
    """A person of 甲镇 living in its care home since 1 November (as care.centralise leaves them)."""
    home = home or CareHome(seq=1, name="甲镇敬老院", place_id=world.a.place.id, beds=40, staff=4)
    session.add(home)
    session.flush()
    p = factories.person(session, world.a.villages[1], name=name, born=date(1948, 3, 2), status="centralised",
                         support_mode="centralised", care_home_id=home.id)
    session.add(CareResidence(person_id=p.id, care_home_id=home.id, start_on=MOVED_IN))
    session.flush()
    return p, home


def record(client, session, staff, person, **body):
    body = {"exited_on": "2026-12-08", "reason": "deceased", **body}
    return client.post(f"/api/persons/{person.id}/exit", json=body, headers=factories.headers(session, staff, **EN))


def stay_of(session, person):
    return session.scalar(select(CareResidence).where(CareResidence.person_id == person.id))


def test_a_residents_death_ends_the_stay_and_opens_the_funeral_task(client, session, world):
    """Seed 004 item 2: the 丧葬 task for the township, as for a person at home; the home counts one
    resident fewer from the day after."""
    p, home = resident(session, world)
    with time_machine.travel(TENTH, tick=False):
        assert care.roster_residents(session, on=date(2026, 12, 8)) == {home.id: 1}
        r = record(client, session, world.a.staff, p, note="病故")
        assert r.status_code == 201, r.get_json()
    session.expire_all()
    assert session.get(Person, p.id).status == "deceased"
    assert stay_of(session, p).end_on == date(2026, 12, 8)
    assert care.roster_residents(session, on=date(2026, 12, 8)) == {home.id: 1}  # the day of the death is theirs
    assert care.roster_residents(session, on=date(2026, 12, 9)) == {}
    [task] = session.scalars(select(Alert).where(Alert.person_id == p.id, Alert.kind == "funeral")).all()
    assert task.title == "赵桂兰去世：办理丧葬事宜" and task.place_id == world.a.place.id and task.status == "open"
    assert "丧葬费用按照6个月基本生活标准给予补贴" in task.detail["summary"]
    detail = session.scalar(select(AuditLog.detail).where(AuditLog.action == "exit", AuditLog.person_id == p.id))
    assert detail == {"on": "2026-12-08", "reason": "deceased", "care_home_id": home.id}


def test_a_resident_who_moves_away_leaves_the_home_without_a_funeral_task(client, session, world):
    p, home = resident(session, world)
    with time_machine.travel(TENTH, tick=False):
        r = record(client, session, world.a.staff, p, reason="moved_away", exited_on="2026-12-10")
        assert r.status_code == 201, r.get_json()
    session.expire_all()
    assert session.get(Person, p.id).status == "exited" and stay_of(session, p).end_on == date(2026, 12, 10)
    assert session.scalar(select(Alert.id).where(Alert.person_id == p.id)) is None
    # the review finds a resident no longer eligible: the same exit, reason not_eligible
    q, _ = resident(session, world, name="钱有福", home=home)
    with time_machine.travel(datetime(2027, 3, 10, 10, tzinfo=SH), tick=False):
        body = {"person_id": q.id, "campaign": "2027-03", "method": "home_survey", "result": "exit",
                "reviewed_on": "2027-03-10"}
        r = client.post("/api/reviews", json=body, headers=factories.headers(session, world.a.staff, **EN))
        assert r.status_code == 201, r.get_json()
    session.expire_all()
    assert session.get(Person, q.id).status == "exited" and stay_of(session, q).end_on == date(2027, 3, 10)
    assert session.scalar(select(PersonExit.reason).where(PersonExit.person_id == q.id)) == "not_eligible"


def test_bad_resident_exits_are_refused_and_nothing_is_stored(client, session, world):
    p, _ = resident(session, world)
    with time_machine.travel(TENTH, tick=False):
        cases = [
            (world.a.staff, {"reason": "care_home"}, 422, "exit_resident_care_home",
             "That person already lives in a care home; choose another reason"),
            (world.a.staff, {"exited_on": "2026-10-31"}, 422, "exit_before_move_in",
             "That person moved into the care home on 2026-11-01; the exit cannot be earlier"),
            (world.a.staff, {"exited_on": "2026-12-11"}, 422, "date_in_future", None),
            (world.a.staff, {"reason": "bored"}, 422, "validation", None),
            (world.b.staff, {}, 403, "person_out_of_scope", None),
            (world.a.caregiver, {}, 403, "forbidden_role", None),
        ]
        for who, body, status, reason, message in cases:
            r = record(client, session, who, p, **body)
            assert (r.status_code, r.get_json()["reason"]) == (status, reason), body
            assert r.get_json()["message"] == message if message else r.get_json()["message"]
        zh = record(client, session, world.a.staff, p, reason="care_home")
        assert zh.status_code == 422
        r = client.post(f"/api/persons/{p.id}/exit", json={"exited_on": "2026-12-08", "reason": "care_home"},
                        headers=factories.headers(session, world.a.staff))
        assert r.get_json()["message"] == "该人员已在敬老院集中供养，不能以“入住养老机构”退出"
        assert session.scalar(select(PersonExit.id)) is None
        session.expire_all()
        assert session.get(Person, p.id).status == "centralised" and stay_of(session, p).end_on is None
        # the status is not edited around the exit, nor around the move
        h = factories.headers(session, world.a.staff, **EN)
        r = client.patch(f"/api/persons/{p.id}", json={"status": "deceased"}, headers=h)
        assert (r.status_code, r.get_json()["reason"]) == (409, "status_by_exit")
        r = client.patch(f"/api/persons/{p.id}", json={"status": "active"}, headers=h)
        assert (r.status_code, r.get_json()["reason"]) == (409, "status_by_move")
        r = client.patch(f"/api/persons/{world.a.person.id}", json={"status": "centralised"}, headers=h)
        assert (r.status_code, r.get_json()["reason"]) == (409, "status_by_move")
        assert r.get_json()["message"].startswith("A move into a care home is made through")
        session.expire_all()
        assert session.get(Person, p.id).status == "centralised"
        assert session.get(Person, world.a.person.id).status == "active"
        # a second exit is refused
        assert record(client, session, world.a.staff, p).status_code == 201
        r = record(client, session, world.a.staff, p)
        assert (r.status_code, r.get_json()["reason"]) == (409, "person_exited")


def test_a_residents_death_recorded_in_error_is_undone_and_the_stay_goes_on(client, session, world):
    p, home = resident(session, world)
    with time_machine.travel(TENTH, tick=False):
        assert record(client, session, world.a.staff, p).status_code == 201
        r = client.post(f"/api/persons/{p.id}/exit/undo", json={"note": "登记错了人"},
                        headers=factories.headers(session, world.a.staff, **EN))
        assert r.status_code == 200, r.get_json()
        assert (r.get_json()["status"], r.get_json()["care_home_id"]) == ("centralised", home.id)
    session.expire_all()
    assert stay_of(session, p).end_on is None
    assert care.roster_residents(session, on=date(2026, 12, 20)) == {home.id: 1}
    task = session.scalar(select(Alert).where(Alert.person_id == p.id, Alert.kind == "funeral"))
    assert task.status == "resolved"
    assert session.scalar(select(PersonExit.id)) is None


@pytest.mark.parametrize("status", ["deceased", "exited"])
def test_a_person_already_gone_cannot_leave_again(client, session, world, status):
    gone = factories.person(session, world.a.villages[1], name="已故", status=status, support_mode="centralised")
    with time_machine.travel(TENTH, tick=False):
        r = record(client, session, world.a.staff, gone)
    assert (r.status_code, r.get_json()["reason"]) == (409, "person_not_active")
    assert session.scalar(select(PersonExit.id)) is None
