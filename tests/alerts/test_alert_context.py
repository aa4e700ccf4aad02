"""Issue 11 problem 7: an alert carries what staff need to act on it — the visit's note and every
observation (the concerning ones marked), the person's address and phone, the caregiver's phone —
and reading it is a read of the person's record, audited."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.alerts.models import Alert
from server.alerts.service import AlertSettings, raise_alert
from server.audit.models import AuditLog
from tests import factories

pytestmark = pytest.mark.clock_edges

SETTINGS = AlertSettings({"urgent": 240, "normal": 4320})


@pytest.fixture
def phones(session, world):
    world.a.person.phone = "0476-1234567"
    world.a.caregiver.phone = "13900002222"
    session.add_all([world.a.person, world.a.caregiver])
    session.flush()


def test_an_alert_from_a_visit_carries_its_note_and_observations(client, session, world, checkin, phones):
    r = checkin.post(observations={"health": "needs_doctor", "hygiene": "poor", "food_supplies": "low", "mood": "good",
                                   "note": "老人说胸口疼，家里米快吃完了"})
    visit_id = r.get_json()["id"]
    alert = session.scalar(select(Alert).where(Alert.kind == "health_concern"))
    assert alert.detail["visit_id"] == visit_id
    got = client.get("/api/alerts", headers=factories.headers(session, world.a.staff)).get_json()
    ctx = next(a for a in got if a["id"] == alert.id)["context"]
    assert ctx["person"] == {"id": world.a.person.id, "name": "王德明", "address": "一组12号", "phone": "0476-1234567",
                             "village": world.a.villages[0].name}
    assert ctx["caregiver"] == {"name": world.a.caregiver.display_name, "phone": "13900002222"}
    assert ctx["visit"]["id"] == visit_id and ctx["visit"]["note"] == "老人说胸口疼，家里米快吃完了"
    assert ctx["visit"]["caregiver_phone"] == "13900002222"
    seen = {o["field"]: (o["label"], o["concern"]) for o in ctx["visit"]["observations"]}
    assert seen == {"health": ("需要就医", True), "hygiene": ("差", True), "food_supplies": ("不足", True),
                    "mood": ("良好", False)}
    reads = session.scalars(select(AuditLog).where(AuditLog.action == "alert_context",
                                                   AuditLog.user_id == world.a.staff.id)).all()
    assert [e.person_id for e in reads] == [world.a.person.id]


def test_english_labels_and_a_worse_self_care_level_is_a_concern(client, session, world, checkin):
    checkin.post(observations={"self_care_level": "partly_disabled", "health": "well"})
    got = client.get("/api/alerts", headers=factories.headers(session, world.a.staff, **{"Accept-Language": "en"})).get_json()
    worse = next(a for a in got if a["kind"] == "self_care_worse")
    seen = {o["field"]: (o["label"], o["concern"]) for o in worse["context"]["visit"]["observations"]}
    assert seen == {"self_care_level": ("Partly disabled", True), "health": ("Well", False)}
    assert worse["context"]["visit"]["note"] is None


def test_an_alert_without_a_visit_has_the_person_and_caregiver_only(client, session, world, phones):
    a, _ = raise_alert(session, kind="visit_gap", township_id=world.a.place.id, person_id=world.a.person.id,
                       title="王德明已25天没有核实的上门走访", dedupe_key="gap:ctx", settings=SETTINGS,
                       now=factories.now() - timedelta(hours=1))
    body = client.post(f"/api/alerts/{a.id}/ack", json={}, headers=factories.headers(session, world.a.staff)).get_json()
    assert body["context"]["visit"] is None
    assert body["context"]["person"]["phone"] == "0476-1234567" and body["context"]["caregiver"]["phone"] == "13900002222"


def test_another_townships_staff_see_no_context(client, session, world, checkin):
    checkin.post(observations={"health": "unwell"})
    assert client.get("/api/alerts", headers=factories.headers(session, world.b.staff)).get_json() == []
    assert client.get("/api/alerts", headers=factories.headers(session, world.a.caregiver)).status_code == 403
