
import pytest
from sqlalchemy import select

from server.alerts.models import AlertEvent
from server.alerts.service import AlertSettings, raise_alert
from tests import factories

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}
SETTINGS = AlertSettings({"urgent": 240, "normal": 4320})


@pytest.fixture
def alert(session, world):
    a, created = raise_alert(session, kind="visit_gap", township_id=world.a.place.id, person_id=world.a.person.id,
                             title="王德明已25天没有核实的上门走访", dedupe_key="gap:t", settings=SETTINGS)
    assert created
    return a


def test_raising_twice_is_one_alert_and_staff_are_notified(session, world, alert):
    again, created = raise_alert(session, kind="visit_gap", township_id=world.a.place.id, title="x", dedupe_key="gap:t",
                                 settings=SETTINGS)
    assert again.id == alert.id and not created
    from server.notify.models import Notification

    assert session.scalars(select(Notification.user_id).where(Notification.alert_id == alert.id)).all() == [world.a.staff.id]


def test_list_ack_resolve_with_a_timeline(client, session, world, alert):
    h = factories.headers(session, world.a.staff, **EN)
    listed = client.get("/api/alerts?status=open", headers=h).get_json()
    assert [a["id"] for a in listed] == [alert.id]
    assert client.get("/api/alerts", headers=factories.headers(session, world.b.staff)).get_json() == []
    assert [a["id"] for a in client.get("/api/alerts", headers=factories.headers(session, world.admin)).get_json()] == [alert.id]
    r = client.post(f"/api/alerts/{alert.id}/ack", json={"note": "明天上门"}, headers=h)
    assert r.status_code == 200 and r.get_json()["status"] == "acknowledged"
    r = client.post(f"/api/alerts/{alert.id}/notes", json={"note": "已电话联系其侄子"}, headers=h)
    assert r.status_code == 200 and r.get_json()["events"][-1]["note"] == "已电话联系其侄子"
    assert client.post(f"/api/alerts/{alert.id}/notes", json={"note": ""}, headers=h).status_code == 422
    assert client.post(f"/api/alerts/{alert.id}/ack", json={}, headers=h).status_code == 409
    r = client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "moved_to_care_home", "note": "已入住敬老院"},
                    headers=h)
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "resolved" and body["outcome"] == "moved_to_care_home"
    assert [e["kind"] for e in body["events"]] == ["raised", "acknowledged", "note", "resolved"]
    assert client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "other"}, headers=h).status_code == 409


@pytest.mark.parametrize("who, path, body, status", [
    ("other_staff", "ack", {}, 403),
    ("caregiver", "ack", {}, 403),
    ("staff", "resolve", {"outcome": "vanished"}, 422),
    ("staff", "resolve", {}, 422),
    ("staff", "ack", {"note": "长" * 501}, 422),
])
def test_bad_alert_actions_change_nothing(client, session, world, alert, who, path, body, status):
    user = {"other_staff": world.b.staff, "caregiver": world.a.caregiver, "staff": world.a.staff}[who]
    r = client.post(f"/api/alerts/{alert.id}/{path}", json=body, headers=factories.headers(session, user, **EN))
    assert r.status_code == status and r.get_json()["message"]
    session.refresh(alert)
    assert alert.status == "open"
    assert [e.kind for e in session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id))] == ["raised"]


def test_unknown_alert_is_404(client, session, world):
    r = client.post("/api/alerts/99999/ack", json={}, headers=factories.headers(session, world.admin, **EN))
    assert r.status_code == 404 and r.get_json()["message"] == "Alert not found"
