"""Reports from the field (seed 004 item 17 主动发现; seed 001 投诉举报): each is a task for the
township on the alerts' SLA and ladder; a complaint about a caregiver is the district's to see at
once and is closed only with a note; the reporter hears the outcome."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.alerts.models import Alert
from server.alerts.service import AlertSettings, escalate_due
from server.casework.models import FieldReport
from server.notify.models import Notification
from tests import factories

pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}
SETTINGS = AlertSettings({"urgent": 240, "normal": 4320})


def report(**over):
    return {"client_id": str(uuid.uuid4()), "category": "major_change", "subject": "hospital",
            "description": "昨晚送旗医院", **over}


def test_a_caregiver_reports_a_hospital_stay_and_the_township_gets_a_task(client, session, world):
    body = report(person_id=world.a.person.id)
    r = client.post("/api/field-reports", json=body, headers=factories.headers(session, world.a.caregiver))
    assert r.status_code == 201
    alert = session.get(Alert, r.get_json()["alert_id"])
    assert (alert.kind, alert.place_id, alert.severity, alert.title) == (
        "field_report", world.a.place.id, "normal", "王德明住院（现场上报）")
    assert alert.sla_due_at == factories.now() + timedelta(minutes=4320)
    staff_told = session.scalars(select(Notification.user_id).where(Notification.alert_id == alert.id)).all()
    assert staff_told == [world.a.staff.id]
    # the outbox sends it again after a lost answer: stored once
    again = client.post("/api/field-reports", json=body, headers=factories.headers(session, world.a.caregiver))
    assert again.status_code == 201 and again.get_json()["id"] == r.get_json()["id"]
    assert len(session.scalars(select(FieldReport)).all()) == 1
    # the same client_id with other content is refused
    clash = client.post("/api/field-reports", json={**body, "description": "别的"},
                        headers=factories.headers(session, world.a.caregiver))
    assert clash.status_code == 422


def test_a_volunteer_reports_someone_not_on_the_roster(client, session, world):
    village = world.a.villages[1]
    r = client.post("/api/field-reports", json=report(category="needs_help", subject="needs_help", person_name="赵老汉",
                                                      village_id=village.id, description="独居，屋顶漏雨，缺粮"),
                    headers=factories.headers(session, world.a.volunteer))
    assert r.status_code == 201
    alert = session.get(Alert, r.get_json()["alert_id"])
    assert (alert.severity, alert.place_id, alert.person_id) == ("urgent", world.a.place.id, None)
    assert alert.title == f"发现困难群众：{village.name}赵老汉需要救助"
    # not in the other township, whose villages are not the volunteer's
    r = client.post("/api/field-reports", json=report(category="needs_help", subject="needs_help", person_name="钱某",
                                                      village_id=world.b.villages[0].id),
                    headers=factories.headers(session, world.a.volunteer, **EN))
    assert r.status_code == 403 and r.get_json()["message"] == "That place is outside your area"


@pytest.mark.parametrize("who, body, status, reason", [
    ("caregiver", {"person_id": "b"}, 403, "person_out_of_scope"),  # not their person
    ("caregiver", {"subject": "rights_infringed"}, 422, "report_subject_mismatch"),  # a complaint's subject
    ("caregiver", {"category": "complaint", "subject": "rights_infringed", "person_id": None, "person_name": "某"},
     422, "report_person_required"),  # only someone in need may be named off the roster
    ("volunteer", {"category": "needs_help", "subject": "needs_help", "person_id": None, "person_name": "某",
                   "village_id": "township"}, 422, "report_village_required"),
    ("caregiver", {"description": ""}, 422, "validation"),
    ("caregiver", {"category": "gossip"}, 422, "validation"),
    ("caregiver", {"client_id": "not-a-uuid"}, 422, "validation"),
])
def test_bad_reports_are_refused_and_nothing_is_stored(client, session, world, who, body, status, reason):
    ids = {"b": world.b.person.id, "township": world.a.place.id}
    body = {k: ids.get(v, v) if isinstance(v, str) and k.endswith("_id") and k != "client_id" else v
            for k, v in body.items()}
    base = report(person_id=world.a.person.id)
    user = getattr(world.a, who)
    r = client.post("/api/field-reports", json={**base, **body}, headers=factories.headers(session, user))
    assert r.status_code == status and r.get_json()["reason"] == reason
    assert session.scalars(select(FieldReport)).all() == [] and session.scalars(select(Alert)).all() == []


def test_a_complaint_about_a_caregiver_is_the_districts_to_see_and_needs_a_note(client, session, world):
    r = client.post("/api/field-reports",
                    json=report(category="complaint", subject="caregiver_not_caring", person_id=world.a.person.id,
                                description="照料人两个月没来过"),
                    headers=factories.headers(session, world.a.volunteer))
    assert r.status_code == 201
    alert = session.get(Alert, r.get_json()["alert_id"])
    assert alert.detail["caregiver_id"] == world.a.caregiver.id
    # the district admins are told at once, not only after an escalation
    told = session.scalars(select(Notification.user_id).where(Notification.alert_id == alert.id)).all()
    assert sorted(told) == sorted([world.a.staff.id, world.admin.id])
    h = factories.headers(session, world.a.staff, **EN)
    r = client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "other"}, headers=h)
    assert r.status_code == 422 and r.get_json()["message"] == "Write down what was found or why before closing this"
    r = client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "other", "note": "   "}, headers=h)
    assert r.status_code == 422
    session.expire_all()
    assert session.get(Alert, alert.id).status == "open"
    r = client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "other", "note": "已约谈照料人，更换照料人"},
                    headers=h)
    assert r.status_code == 200 and r.get_json()["status"] == "resolved"


def test_a_report_climbs_to_the_district_like_any_alert(client, session, world):
    r = client.post("/api/field-reports", json=report(person_id=world.a.person.id, subject="death",
                                                      description="今早发现已去世"),
                    headers=factories.headers(session, world.a.caregiver))
    alert = session.get(Alert, r.get_json()["alert_id"])
    assert alert.severity == "urgent"
    assert escalate_due(session, settings=SETTINGS, today=factories.today(), now=factories.now() + timedelta(minutes=239)) == []
    assert escalate_due(session, settings=SETTINGS, today=factories.today(), now=factories.now() + timedelta(minutes=241)) == [alert.id]
    assert session.get(Alert, alert.id).level == "district"


def test_the_reporter_sees_the_outcome_in_the_app_and_the_inbox(client, session, world):
    cg = factories.headers(session, world.a.caregiver)
    r = client.post("/api/field-reports", json=report(person_id=world.a.person.id, subject="family",
                                                      description="侄子外出打工，无人照看"), headers=cg)
    alert_id = r.get_json()["alert_id"]
    [mine] = client.get("/api/field-reports/mine", headers=cg).get_json()
    assert (mine["status"], mine["outcome"], mine["title"]) == ("open", None, "王德明家庭发生变故（现场上报）")
    assert client.get("/api/field-reports/mine", headers=factories.headers(session, world.a.volunteer)).get_json() == []
    assert client.post(f"/api/alerts/{alert_id}/resolve", json={"outcome": "emergency_relief", "note": "先行救助",
                       "relief": {"amount": "300", "granted_on": factories.today().isoformat()}},
                       headers=factories.headers(session, world.a.staff)).status_code == 200
    [mine] = client.get("/api/field-reports/mine", headers=cg).get_json()
    assert (mine["status"], mine["outcome"]) == ("resolved", "emergency_relief")
    inbox = client.get("/api/notifications", headers=cg).get_json()
    assert [(n["title"], n["body"]) for n in inbox] == [
        ("您上报的情况已处理", "王德明家庭发生变故（现场上报）——处理结果：临时救助")]


def test_moving_into_a_care_home_leaves_a_complaint_without_a_finding_open(client, session, world):
    from server.care.models import CareHome

    home = CareHome(seq=1, name="甲镇敬老院", place_id=world.a.place.id, beds=40, other_residents=20, staff=4)
    session.add(home)
    session.flush()
    r = client.post("/api/field-reports",
                    json=report(category="complaint", subject="caregiver_not_caring", person_id=world.a.person.id),
                    headers=factories.headers(session, world.a.volunteer))
    complaint_id = r.get_json()["alert_id"]
    hospital = client.post("/api/field-reports", json=report(person_id=world.a.person.id),
                           headers=factories.headers(session, world.a.caregiver)).get_json()["alert_id"]
    r = client.post(f"/api/persons/{world.a.person.id}/centralise", json={"care_home_id": home.id},
                    headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200
    session.expire_all()
    assert session.get(Alert, hospital).outcome == "moved_to_care_home"
    assert session.get(Alert, complaint_id).status == "open"  # staff still owe their finding
