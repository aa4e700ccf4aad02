"""Issue 28 (4): an alert says what matters — a field report's words and who reported it, who
acknowledged it, what waits and what is done (the history), and it closes with the outcomes of
its kind: the 丧葬 task with the funeral arranged or its subsidy paid, not 送医就诊."""

import uuid

import pytest

from server.alerts.service import AlertSettings, raise_alert
from tests import factories

pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
SETTINGS = AlertSettings({"urgent": 240, "normal": 4320})


@pytest.fixture
def funeral(session, world):
    alert, _ = raise_alert(session, kind="funeral", township_id=world.a.place.id, person_id=world.a.person.id,
                           title="王德明去世：办理丧葬事宜", dedupe_key="funeral:t", settings=SETTINGS,
                           detail={"task": "funeral"})
    return alert


def test_the_funeral_task_closes_with_its_own_outcomes(client, session, world, funeral):
    h = factories.headers(session, world.a.staff, **ZH)
    got = client.get("/api/alerts?kind=funeral", headers=h).get_json()
    assert [a["outcomes"] for a in got] == [["funeral_arranged", "funeral_subsidy_paid", "other"]]
    r = client.post(f"/api/alerts/{funeral.id}/resolve", json={"outcome": "medical_referral"}, headers=h)
    assert r.status_code == 422
    assert r.get_json()["message"] == "该处理结果不适用于这类预警，请从列出的结果中选择"
    assert r.get_json()["errors"]["outcome"] == ["funeral_arranged", "funeral_subsidy_paid", "other"]
    session.refresh(funeral)
    assert funeral.status == "open"
    r = client.post(f"/api/alerts/{funeral.id}/resolve", json={"outcome": "funeral_subsidy_paid", "note": "已发放6个月"},
                    headers=h)
    assert r.status_code == 200 and r.get_json()["outcome"] == "funeral_subsidy_paid"
    # other kinds keep theirs, and cannot take the funeral's
    gap, _ = raise_alert(session, kind="visit_gap", township_id=world.a.place.id, person_id=world.a.person.id,
                         title="王德明已25天没有核实的上门走访", dedupe_key="gap:d", settings=SETTINGS)
    r = client.post(f"/api/alerts/{gap.id}/resolve", json={"outcome": "funeral_arranged"},
                    headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422 and r.get_json()["message"].startswith("That outcome does not fit")


def test_what_waits_what_is_done_and_who_acted(client, session, world, funeral):
    h = factories.headers(session, world.a.staff)
    gap, _ = raise_alert(session, kind="visit_gap", township_id=world.a.place.id, person_id=world.a.person.id,
                         title="王德明已25天没有核实的上门走访", dedupe_key="gap:w", settings=SETTINGS)
    assert client.post(f"/api/alerts/{gap.id}/ack", json={}, headers=h).status_code == 200
    assert client.post(f"/api/alerts/{funeral.id}/resolve", json={"outcome": "funeral_arranged"},
                       headers=h).status_code == 200
    waiting = client.get("/api/alerts?status=unresolved", headers=h).get_json()
    assert [a["id"] for a in waiting] == [gap.id]
    [ack] = [e for e in waiting[0]["events"] if e["kind"] == "acknowledged"]
    assert (ack["user_id"], ack["user_name"]) == (world.a.staff.id, world.a.staff.display_name)
    done = client.get("/api/alerts?status=resolved", headers=h).get_json()
    assert [(a["id"], a["outcome"]) for a in done] == [(funeral.id, "funeral_arranged")]
    assert client.get("/api/alerts?status=resolved", headers=factories.headers(session, world.b.staff)).get_json() == []
    r = client.get("/api/alerts?status=closed", headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422 and "status" in r.get_json()["errors"]


def test_a_field_reports_alert_carries_the_words_and_who_reported(client, session, world):
    world.a.caregiver.phone = "13900005555"
    session.add(world.a.caregiver)
    session.flush()
    r = client.post("/api/field-reports", headers=factories.headers(session, world.a.caregiver), json={
        "client_id": str(uuid.uuid4()), "category": "major_change", "subject": "hospital",
        "person_id": world.a.person.id, "description": "昨晚突发胸闷，已送旗医院住院"})
    assert r.status_code == 201
    [got] = client.get("/api/alerts", headers=factories.headers(session, world.a.staff)).get_json()
    assert got["reported_by"] == {"name": world.a.caregiver.display_name, "phone": "13900005555", "role": "caregiver"}
    assert got["detail"]["summary"].endswith("昨晚突发胸闷，已送旗医院住院")
    # an alert nobody reported says so
    raise_alert(session, kind="visit_gap", township_id=world.a.place.id, title="x", dedupe_key="gap:r",
                settings=SETTINGS)
    assert [a["reported_by"] for a in client.get("/api/alerts", headers=factories.headers(session, world.a.staff))
            .get_json()] == [None, got["reported_by"]]
