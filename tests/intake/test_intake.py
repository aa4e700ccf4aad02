"""Intake (issue 29 part 4), step by step, through the API.

Seed 001 §二(一)3: 加强对申请特困供养人员审核审批工作。对于新申请特困供养人员，在入户调查过程中，要对其现在
生活状态水平进行评估，对于不适合分散供养人员要在审批后及时纳入到敬老院集中供养.
Seed 004 item 20: 审核确认权限下放至镇（街）…对没有争议的救助申请家庭，村（社区）可不再进行民主评议，但要进行
张榜公示，接受群众监督.
"""

import uuid
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from server.assessments.models import Assessment
from server.audit.models import AuditLog
from server.care.models import CareHome, CareResidence
from server.intake.models import IntakeApplication, IntakePolicy
from server.people import idnumber
from server.people.models import Person
from tests import factories

pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}
BORN = date(1948, 4, 2)


def annex3(on, **over):
    return {"assessed_on": on.isoformat(), "guardian_name": None, "self_care_level": "partly_disabled",
            "housing": "own", "living_environment": "fair", "quality_of_life": "fair", "care_quality": "fair",
            "treated_promptly": True, "subsidy_self_controlled": True, "rights_infringed": False, "overall": "poor",
            "remarks": "独居", "wishes_centralised": False, **over}


@pytest.fixture
def days(session):
    """The district has set the 公示 period (seed 004 item 20 gives none)."""
    session.add(IntakePolicy(id=1, publicity_days=7))
    session.flush()
    return 7


@pytest.fixture
def staff(session, world):
    return factories.headers(session, world.a.staff)


def report(client, session, world):
    """A volunteer finds someone in need off the roster (主动发现, seed 004 item 17)."""
    r = client.post("/api/field-reports", json={
        "client_id": str(uuid.uuid4()), "category": "needs_help", "subject": "needs_help", "person_name": "赵老汉",
        "village_id": world.a.villages[1].id, "description": "独居，缺粮"},
        headers=factories.headers(session, world.a.volunteer))
    assert r.status_code == 201
    return r.get_json()["id"]


def open_app(client, headers, world, *, on=None, id_number=None, **over):
    return client.post("/api/intake/applications", json={
        "name": "赵老汉", "id_number": id_number or idnumber.make("150430", BORN, 321, "M"),
        "village_id": world.a.villages[1].id, "address": "二组3号", "opened_on": (on or factories.today()).isoformat(),
        **over}, headers=headers)


def test_from_a_field_report_to_the_roster_at_home(client, session, world, days, staff):
    """Seed 001 §二(一)3 and seed 004 item 20: report → application → 入户调查 with annex 3 → decision →
    张榜公示 → on the roster; 纳入日期 is the decision's day, every step in the audit trail."""
    today = factories.today()
    report_id = report(client, session, world)
    listed = client.get("/api/intake/reports", headers=staff).get_json()
    assert [r["id"] for r in listed] == [report_id] and listed[0]["person_name"] == "赵老汉"
    number = idnumber.make("150430", BORN, 321, "M")
    r = open_app(client, staff, world, field_report_id=report_id, id_number=number)
    assert r.status_code == 201, r.get_json()
    app = r.get_json()
    assert (app["step"], app["sex"], app["birth_date"]) == ("investigating", "M", BORN.isoformat())
    assert app["id_number_masked"] == idnumber.mask(number) and "id_number" not in app
    assert client.get("/api/intake/reports", headers=staff).get_json() == []  # taken
    aid = app["id"]
    r = client.post(f"/api/intake/applications/{aid}/investigation", json=annex3(today), headers=staff)
    assert r.status_code == 200 and r.get_json()["step"] == "deciding"
    r = client.post(f"/api/intake/applications/{aid}/decision",
                    json={"decision": "approved", "decided_on": today.isoformat(), "reason": "无劳动能力、无收入、无赡养人"},
                    headers=staff)
    body = r.get_json()
    assert r.status_code == 200 and body["step"] == "publicising"
    assert (body["publicity_from"], body["publicity_until"]) == (today.isoformat(), (today + timedelta(days=6)).isoformat())
    # not before the 公示 is over
    r = client.post(f"/api/intake/applications/{aid}/placement", json={"placement": "home", "placed_on": today.isoformat()},
                    headers=staff)
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_publicity_running"
    listed = lambda step: [a["id"] for a in client.get(f"/api/intake/applications?step={step}",  # noqa: E731
                                                        headers=staff).get_json()]
    assert (listed("publicising"), listed("placing")) == ([aid], [])
    later = today + timedelta(days=7)
    with time_machine.travel(factories.now() + timedelta(days=7), tick=False):
        staff = factories.headers(session, world.a.staff)  # a token lasts an hour
        assert client.get(f"/api/intake/applications/{aid}", headers=staff).get_json()["step"] == "placing"
        assert (listed("publicising"), listed("placing")) == ([], [aid])
        r = client.post(f"/api/intake/applications/{aid}/placement",
                        json={"placement": "home", "placed_on": later.isoformat()}, headers=staff)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["step"] == "enrolled"
    person = session.get(Person, body["person_id"])
    assert (person.name, person.id_number, person.enrolled_on, person.status, person.support_mode,
            person.self_care_level, person.village_id) == (
        "赵老汉", number, today, "active", "decentralised", "partly_disabled", world.a.villages[1].id)
    first = session.scalars(select(Assessment).where(Assessment.person_id == person.id)).all()
    assert [(a.assessed_on, a.overall, a.remarks) for a in first] == [(today, "poor", "独居")]
    trail = session.scalars(select(AuditLog.action).where(AuditLog.entity == "intake_application",
                                                          AuditLog.entity_id == aid).order_by(AuditLog.id)).all()
    assert [a for a in trail if a not in ("read", "list")] == ["open", "investigate", "decide", "place"]


def test_a_care_home_placement_moves_them_in_and_差_must_go_to_one(client, session, world, days, staff):
    """Seed 001 §二(一)3: 不适合分散供养人员要在审批后及时纳入到敬老院集中供养."""
    home = CareHome(seq=1, name="甲镇敬老院", place_id=world.a.place.id, beds=40, other_residents=0, staff=4)
    session.add(home)
    session.flush()
    start = factories.today() - timedelta(days=20)
    aid = open_app(client, staff, world, on=start).get_json()["id"]
    client.post(f"/api/intake/applications/{aid}/investigation", json=annex3(start, overall="bad",
                                                                              living_environment="dirty"), headers=staff)
    client.post(f"/api/intake/applications/{aid}/decision",
                json={"decision": "approved", "decided_on": start.isoformat(), "reason": "符合条件"}, headers=staff)
    today = factories.today().isoformat()
    r = client.post(f"/api/intake/applications/{aid}/placement", json={"placement": "home", "placed_on": today},
                    headers={**staff, **EN})
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_needs_care_home"
    assert "care home" in r.get_json()["message"]
    r = client.post(f"/api/intake/applications/{aid}/placement",
                    json={"placement": "care_home", "placed_on": today, "care_home_id": home.id}, headers=staff)
    assert r.status_code == 200, r.get_json()
    person = session.get(Person, r.get_json()["person_id"])
    assert (person.status, person.support_mode, person.care_home_id, person.enrolled_on) == (
        "centralised", "centralised", home.id, start)
    assert session.scalar(select(CareResidence.care_home_id).where(CareResidence.person_id == person.id)) == home.id


def test_an_objection_stops_the_listing_until_staff_decide(client, session, world, days, staff):
    """Seed 004 item 20 张榜公示，接受群众监督: an objection stops it; dismissed, it resumes for the days
    it had left; upheld, the application is refused."""
    start = factories.today() - timedelta(days=10)
    aid = open_app(client, staff, world, on=start).get_json()["id"]
    client.post(f"/api/intake/applications/{aid}/investigation", json=annex3(start), headers=staff)
    client.post(f"/api/intake/applications/{aid}/decision",
                json={"decision": "approved", "decided_on": start.isoformat(), "reason": "符合条件"}, headers=staff)
    # raised on the 公示's 3rd day (4 days left), decided today
    raised = start + timedelta(days=2)
    r = client.post(f"/api/intake/applications/{aid}/objections",
                    json={"raised_on": raised.isoformat(), "objector": "村民甲", "content": "他有儿子在外地打工"}, headers=staff)
    assert r.status_code == 201 and r.get_json()["step"] == "objected"
    today = factories.today()
    r = client.post(f"/api/intake/applications/{aid}/placement", json={"placement": "home", "placed_on": today.isoformat()},
                    headers=staff)
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_wrong_step"
    r = client.post(f"/api/intake/applications/{aid}/objection-decision",
                    json={"decided_on": today.isoformat(), "outcome": "dismissed", "finding": "儿子已去世，核实无误"},
                    headers=staff)
    body = r.get_json()
    assert r.status_code == 200 and body["step"] == "publicising"
    assert body["publicity_until"] == (today + timedelta(days=5)).isoformat()
    assert body["objections"][0]["outcome"] == "dismissed"
    # a second objection, upheld: refused
    client.post(f"/api/intake/applications/{aid}/objections",
                json={"raised_on": today.isoformat(), "content": "有稳定收入"}, headers=staff)
    r = client.post(f"/api/intake/applications/{aid}/objection-decision",
                    json={"decided_on": today.isoformat(), "outcome": "upheld", "finding": "经核实有养老金收入"}, headers=staff)
    assert r.get_json()["step"] == "refused"
    assert session.scalar(select(Person.id).where(Person.name == "赵老汉")) is None


def test_a_refusal_is_dated_with_its_reason_and_the_person_may_apply_again(client, session, world, days, staff):
    today = factories.today().isoformat()
    aid = open_app(client, staff, world).get_json()["id"]
    client.post(f"/api/intake/applications/{aid}/investigation", json=annex3(factories.today()), headers=staff)
    r = client.post(f"/api/intake/applications/{aid}/decision",
                    json={"decision": "refused", "decided_on": today, "reason": "有法定赡养人且有赡养能力"}, headers=staff)
    body = r.get_json()
    assert (body["step"], body["decided_on"], body["decision_reason"]) == ("refused", today, "有法定赡养人且有赡养能力")
    assert open_app(client, staff, world).status_code == 201
    steps = client.get("/api/intake/applications", headers=staff).get_json()
    assert [s["step"] for s in steps] == ["investigating", "refused"]
    assert [s["step"] for s in client.get("/api/intake/applications?step=refused", headers=staff).get_json()] == ["refused"]


def test_the_list_comes_a_page_at_a_time_the_open_ones_first(client, session, world, days, staff):
    """Applications pile up over the years: the list is read a page at a time (keyset, the open ones
    first, newest first), each page's applicants in the audit trail, a cursor not given refused."""
    ids = []
    for k in range(4):
        ids.append(open_app(client, staff, world, id_number=idnumber.make("150430", BORN, 331 + 2 * k, "M")).get_json()["id"])
    client.post(f"/api/intake/applications/{ids[3]}/investigation", json=annex3(factories.today()), headers=staff)
    r = client.post(f"/api/intake/applications/{ids[3]}/decision", json={
        "decision": "refused", "decided_on": factories.today().isoformat(), "reason": "有赡养人"}, headers=staff)
    assert r.status_code == 200, r.get_json()
    before = session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "list"))

    first = client.get("/api/intake/applications?page_size=2", headers=staff)
    assert [a["id"] for a in first.get_json()] == [ids[2], ids[1]]
    second = client.get(f"/api/intake/applications?page_size=2&after={first.headers['X-Next-Page']}", headers=staff)
    assert [(a["id"], a["step"]) for a in second.get_json()] == [(ids[0], "investigating"), (ids[3], "refused")]
    assert "X-Next-Page" not in second.headers  # the last page
    assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "list")) == before + 4
    for bad in ("after=not-a-cursor", "page_size=0", "page_size=201"):
        r = client.get(f"/api/intake/applications?{bad}", headers=staff)
        assert r.status_code == 422 and r.get_json()["message"], bad


def test_without_the_districts_period_nothing_is_approved_and_only_the_district_sets_it(client, session, world, staff):
    """No seed gives the 公示 period: none is invented; the district sets it in the app."""
    assert client.get("/api/intake/policy", headers=staff).get_json()["publicity_days"] is None
    aid = open_app(client, staff, world).get_json()["id"]
    client.post(f"/api/intake/applications/{aid}/investigation", json=annex3(factories.today()), headers=staff)
    decide = {"decision": "approved", "decided_on": factories.today().isoformat(), "reason": "符合条件"}
    r = client.post(f"/api/intake/applications/{aid}/decision", json=decide, headers=staff)
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_publicity_unset"
    assert session.get(IntakeApplication, aid).status == "deciding"  # nothing half-stored
    assert client.put("/api/intake/policy", json={"publicity_days": 5}, headers=staff).status_code == 403
    admin = factories.headers(session, world.admin)
    assert client.put("/api/intake/policy", json={"publicity_days": 0}, headers=admin).status_code == 422
    assert client.put("/api/intake/policy", json={"publicity_days": 5}, headers=admin).get_json()["publicity_days"] == 5
    assert client.post(f"/api/intake/applications/{aid}/decision", json=decide, headers=staff).get_json()[
        "publicity_days"] == 5


def test_steps_out_of_order_are_refused(client, session, world, days, staff):
    today = factories.today().isoformat()
    aid = open_app(client, staff, world).get_json()["id"]
    # no decision before the 入户调查's assessment
    r = client.post(f"/api/intake/applications/{aid}/decision",
                    json={"decision": "approved", "decided_on": today, "reason": "x"}, headers={**staff, **EN})
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_assessment_missing"
    assert r.get_json()["message"] == "Record the home investigation's assessment before deciding"
    for path, body in [("placement", {"placement": "home", "placed_on": today}),
                       ("objections", {"raised_on": today, "content": "x"}),
                       ("objection-decision", {"decided_on": today, "outcome": "dismissed", "finding": "x"})]:
        r = client.post(f"/api/intake/applications/{aid}/{path}", json=body, headers=staff)
        assert r.status_code == 409 and r.get_json()["reason"] == "intake_wrong_step", path
    assert session.get(IntakeApplication, aid).status == "investigating"


@pytest.mark.parametrize("what, change, reason", [
    ("opened tomorrow", {"opened_on": 1}, "date_in_future"),
    ("assessed tomorrow", {"assessed_on": 1}, "date_in_future"),
    ("assessed before it was opened", {"assessed_on": -5}, "intake_date_before_step"),
    ("decided tomorrow", {"decided_on": 1}, "date_in_future"),
    ("decided before the investigation", {"decided_on": -3}, "intake_date_before_step"),
    ("posted before the decision", {"publicity_from": -2}, "intake_date_before_step"),
])
def test_dates_in_the_future_or_before_the_step_they_follow_are_refused(client, session, world, days, staff,
                                                                          what, change, reason):
    today = factories.today()
    opened = today - timedelta(days=2)
    day = {k: (today + timedelta(days=v)).isoformat() for k, v in change.items()}
    r = open_app(client, staff, world, on=opened if "opened_on" not in day else date.fromisoformat(day["opened_on"]))
    if "opened_on" in day:
        assert r.status_code == 422 and r.get_json()["reason"] == reason
        assert session.scalar(select(IntakeApplication.id)) is None
        return
    aid = r.get_json()["id"]
    r = client.post(f"/api/intake/applications/{aid}/investigation",
                    json=annex3(date.fromisoformat(day.get("assessed_on", opened.isoformat()))), headers=staff)
    if "assessed_on" in day:
        assert r.status_code == 422 and r.get_json()["reason"] == reason, what
        assert session.get(IntakeApplication, aid).investigated_on is None
        return
    r = client.post(f"/api/intake/applications/{aid}/decision", json={
        "decision": "approved", "decided_on": day.get("decided_on", (opened + timedelta(days=1)).isoformat()),
        "reason": "符合条件", **({"publicity_from": day["publicity_from"]} if "publicity_from" in day else {})},
        headers=staff)
    assert r.status_code == 422 and r.get_json()["reason"] == reason, what
    assert session.get(IntakeApplication, aid).status == "deciding"


def test_an_id_number_already_on_the_roster_or_in_an_open_application_is_refused(client, session, world, days, staff):
    r = open_app(client, staff, world, id_number=world.a.person.id_number)
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_on_roster"
    assert open_app(client, staff, world).status_code == 201
    r = open_app(client, staff, world)
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_duplicate"
    r = open_app(client, staff, world, id_number="150430194804020000")  # check character wrong
    assert r.status_code == 422 and "id_number" in r.get_json()["errors"]


def test_someone_put_on_the_roster_meanwhile_is_not_placed_twice(client, session, world, staff):
    """The roster gained the ID number (an import) while the application was posted: placement refuses."""
    session.add(IntakePolicy(id=1, publicity_days=1))
    session.flush()
    start = factories.today() - timedelta(days=5)
    number = idnumber.make("150430", BORN, 77, "M")
    aid = open_app(client, staff, world, on=start, id_number=number).get_json()["id"]
    client.post(f"/api/intake/applications/{aid}/investigation", json=annex3(start), headers=staff)
    client.post(f"/api/intake/applications/{aid}/decision",
                json={"decision": "approved", "decided_on": start.isoformat(), "reason": "符合条件"}, headers=staff)
    session.add(Person(name="赵老汉", sex="M", birth_date=BORN, id_number=number, self_care_level="self_care",
                       village_id=world.a.villages[1].id, enrolled_on=start))
    session.flush()
    r = client.post(f"/api/intake/applications/{aid}/placement",
                    json={"placement": "home", "placed_on": factories.today().isoformat()}, headers=staff)
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_on_roster"
    assert session.get(IntakeApplication, aid).status == "publicising"


def test_township_staff_act_in_their_township_only_and_the_district_everywhere(client, session, world, days, staff):
    aid = open_app(client, staff, world).get_json()["id"]
    other = factories.headers(session, world.b.staff)
    assert client.get(f"/api/intake/applications/{aid}", headers=other).status_code == 403
    r = client.post(f"/api/intake/applications/{aid}/investigation", json=annex3(factories.today()), headers=other)
    assert r.status_code == 403 and session.get(IntakeApplication, aid).status == "investigating"
    assert client.get("/api/intake/applications", headers=other).get_json() == []
    # nor open one in another township's village
    r = open_app(client, other, world)
    assert r.status_code == 403 and r.get_json()["reason"] == "place_out_of_scope"
    # nor from another township's report
    report_id = report(client, session, world)
    assert client.get("/api/intake/reports", headers=other).get_json() == []
    r = open_app(client, other, world, field_report_id=report_id, village_id=world.b.villages[0].id,
                 id_number=idnumber.make("150430", BORN, 99, "F"))
    assert r.status_code == 403
    admin = factories.headers(session, world.admin)
    assert client.get(f"/api/intake/applications/{aid}", headers=admin).status_code == 200
    # field roles not at all
    for who in (world.a.caregiver, world.a.volunteer):
        assert client.get("/api/intake/applications", headers=factories.headers(session, who)).status_code == 403


def test_a_report_not_of_someone_in_need_off_the_roster_opens_nothing(client, session, world, days, staff):
    r = client.post("/api/field-reports", json={
        "client_id": str(uuid.uuid4()), "category": "major_change", "subject": "hospital",
        "person_id": world.a.person.id, "description": "住院"}, headers=factories.headers(session, world.a.caregiver))
    r = open_app(client, staff, world, field_report_id=r.get_json()["id"])
    assert r.status_code == 422 and r.get_json()["reason"] == "intake_report_not_applicant"
    report_id = report(client, session, world)
    assert open_app(client, staff, world, field_report_id=report_id).status_code == 201
    r = open_app(client, staff, world, field_report_id=report_id, id_number=idnumber.make("150430", BORN, 5, "M"))
    assert r.status_code == 409 and r.get_json()["reason"] == "intake_report_taken"
