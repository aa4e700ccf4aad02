"""Seed 001 annex 3 rules that act: 权益受侵害 → urgent alert, 补贴未由本人支配 → normal alert, two
visits of one agreement rejected as not done within 90 days → 疑似虚报 (once), and the outcomes
移交司法机关 and 临时救助; the 护理情况 scale with note 2's definitions."""

import pytest
from sqlalchemy import select

from server.alerts.models import Alert
from server.notify.models import Notification
from tests import factories
from tests.test_assessments import form

pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


def test_rights_infringed_opens_an_urgent_alert_for_the_township(client, session, world):
    h = factories.headers(session, world.a.staff)
    r = client.post("/api/assessments", json=form(world.a.person.id, rights_infringed=True), headers=h)
    assert r.status_code == 201
    alert = session.scalar(select(Alert).where(Alert.kind == "rights_infringed"))
    assert (alert.severity, alert.place_id, alert.person_id) == ("urgent", world.a.place.id, world.a.person.id)
    assert alert.title == "王德明存在合法权益被侵占的情况（评估）"
    sent = session.scalars(select(Notification).where(Notification.alert_id == alert.id)).all()
    assert [(n.user_id, n.urgent) for n in sent] == [(world.a.staff.id, True)]
    # the other township's staff do not see it
    assert client.get("/api/alerts", headers=factories.headers(session, world.b.staff)).get_json() == []


def test_subsidy_not_controlled_by_the_person_opens_a_normal_alert(client, session, world):
    h = factories.headers(session, world.a.staff)
    assert client.post("/api/assessments", json=form(world.a.person.id, subsidy_self_controlled=False),
                       headers=h).status_code == 201
    kinds = {a.kind: a.severity for a in session.scalars(select(Alert).where(Alert.person_id == world.a.person.id))}
    assert kinds == {"subsidy_not_controlled": "normal"}


def test_a_good_assessment_raises_nothing(client, session, world):
    h = factories.headers(session, world.a.staff)
    assert client.post("/api/assessments", json=form(world.a.person.id), headers=h).status_code == 201
    assert session.scalars(select(Alert)).all() == []


def reject(client, h, visit, reason="not_at_home"):
    r = client.post(f"/api/visits/{visit.id}/review", json={"decision": "reject", "reason_code": reason}, headers=h)
    assert r.status_code == 200, r.get_json()


def frauds(session):
    return session.scalars(select(Alert).where(Alert.kind == "suspected_fraud")).all()


def test_a_second_rejection_within_90_days_raises_suspected_fraud_and_a_third_no_duplicate(
        client, session, world, exception_visit):
    h = factories.headers(session, world.a.staff)
    first, second, third = exception_visit(80), exception_visit(5), exception_visit(1)
    reject(client, h, first)
    assert frauds(session) == []
    reject(client, h, second, "service_not_done")
    [alert] = frauds(session)
    assert alert.title == "疑似虚报：王德明的照料协议90天内有2次走访经核实未上门或服务未落实"
    assert alert.place_id == world.a.place.id and alert.detail["rejected"] == 2
    reject(client, h, third)
    assert [a.id for a in frauds(session)] == [alert.id]


def test_rejections_91_days_apart_or_for_other_reasons_are_not_fraud(client, session, world, exception_visit):
    h = factories.headers(session, world.a.staff)
    reject(client, h, exception_visit(95))
    reject(client, h, exception_visit(3))
    reject(client, h, exception_visit(2), "duplicate_visit")  # a duplicate record is no sign of care not given
    assert frauds(session) == []


def test_the_district_sets_the_fraud_rule_in_the_app(client, session, world, exception_visit):
    policy = {"relief_statement_days": 7, "evaluation_interval_months": 12, "fraud_rejections": 3,
              "fraud_window_days": 120}
    assert client.put("/api/casework/policy", json=policy,
                      headers=factories.headers(session, world.a.staff)).status_code == 403
    r = client.put("/api/casework/policy", json={**policy, "fraud_rejections": 1},
                   headers=factories.headers(session, world.admin, **EN))
    assert r.status_code == 422 and "fraud_rejections" in r.get_json()["errors"]
    assert client.put("/api/casework/policy", json=policy, headers=factories.headers(session, world.admin)).status_code == 200
    h = factories.headers(session, world.a.staff)
    reject(client, h, exception_visit(100))
    reject(client, h, exception_visit(2))
    assert frauds(session) == []
    reject(client, h, exception_visit(1))
    assert len(frauds(session)) == 1


@pytest.mark.parametrize("outcome", ["referred_to_judiciary", "emergency_relief"])
def test_alert_outcomes_include_the_judiciary_and_relief(client, session, world, outcome):
    client.post("/api/assessments", json=form(world.a.person.id, rights_infringed=True),
                headers=factories.headers(session, world.a.staff))
    alert = session.scalar(select(Alert).where(Alert.kind == "rights_infringed"))
    body = {"outcome": outcome, "note": "已报公安机关"}
    if outcome == "emergency_relief":
        body["relief"] = {"amount": "500.00", "granted_on": factories.today().isoformat()}
    r = client.post(f"/api/alerts/{alert.id}/resolve", json=body, headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200 and r.get_json()["outcome"] == outcome


def test_the_care_quality_scale_shows_note_2s_definitions(client):
    zh = client.get("/api/assessments/catalogue").get_json()
    assert [(c["code"], c["definition"]) for c in zh["care_quality"]] == [
        ("good", "衣着干净，无异味，饮食营养均衡"),
        ("fair", "卫生较差，室内有轻微异味"),
        ("poor", "被褥衣服较脏，室内及个人卫生差，室内异味较大"),
    ]
    assert zh["quality_of_life_guide"].startswith("可从三餐是否规律")
    en = client.get("/api/assessments/catalogue", headers=EN).get_json()
    assert en["care_quality"][2]["definition"].startswith("Bedding and clothes dirty")
