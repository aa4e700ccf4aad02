"""Each deterioration rule, from what a caregiver records to the alert to the township's staff and
their notification (urgent ones go out at once)."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from server.alerts.models import Alert
from server.alerts.service import AlertSettings, escalate_due
from server.notify.models import Notification
from tests import factories
from tests.visits.conftest import now

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges


def alerts_of(session, person_id):
    return {a.kind: a for a in session.scalars(select(Alert).where(Alert.person_id == person_id))}


def staff_note(session, world, alert):
    return session.scalar(select(Notification).where(Notification.alert_id == alert.id,
                                                     Notification.user_id == world.a.staff.id))


@pytest.mark.parametrize("observations, kind, severity", [
    ({"health": "unwell"}, "health_concern", "urgent"),
    ({"health": "needs_doctor"}, "health_concern", "urgent"),
    ({"health": "in_hospital"}, "in_hospital", "normal"),
    ({"health": "missing"}, "person_missing", "urgent"),
    ({"health": "deceased"}, "person_deceased", "urgent"),
])
def test_health_rules(checkin, session, world, observations, kind, severity):
    r = checkin.post(observations=observations)
    assert r.status_code == 201
    found = alerts_of(session, world.a.person.id)
    assert set(found) == {kind}
    alert = found[kind]
    assert alert.severity == severity and alert.place_id == world.a.place.id and alert.level == "township"
    note = staff_note(session, world, alert)
    assert note is not None and note.urgent == (severity == "urgent")
    if severity == "urgent":
        assert note.delivered_at is not None  # sent at once, not at the next job run


def test_low_spirits_and_no_food_are_tasks_for_the_township(checkin, session, world):
    """Seed 000 item 12 (开展特困人员关爱行动): 对遭遇特殊困难的特困人员…及时予以救助和帮扶 — a home with
    食物和生活用品 缺乏 is an urgent task, sent at once; 由专业社工组织为特困人员提供心理慰藉、精神关爱 —
    精神状态 低落 is a task to arrange comfort. Both reach the township's staff as a worse health does,
    keep the visit they came from, are raised once per visit, and climb to the district when nobody
    acknowledges them within the SLA of their severity."""
    start = now() - timedelta(minutes=40)
    same = {"client_id": str(uuid.uuid4()), "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=30)).isoformat(),
            "observations": {"health": "well", "food_supplies": "none", "mood": "low"}}
    r = checkin.post(**same)
    assert r.status_code == 201
    visit_id = r.get_json()["id"]
    found = alerts_of(session, world.a.person.id)
    assert set(found) == {"no_food", "mood_low"}
    food, mood = found["no_food"], found["mood_low"]
    assert food.severity == "urgent" and food.title == "王德明家中缺乏食物和生活用品，需及时救助"
    assert mood.severity == "normal" and mood.title == "王德明精神状态低落，需安排心理慰藉"
    assert mood.detail["task"] == "comfort"
    for alert in (food, mood):
        assert alert.place_id == world.a.place.id and alert.level == "township"
        assert alert.detail["visit_id"] == visit_id
    assert staff_note(session, world, food).delivered_at is not None  # urgent: sent at once
    assert staff_note(session, world, mood) is not None and not staff_note(session, world, mood).urgent

    # the same visit replayed from the outbox raises nothing more (dedupe keys per visit)
    assert checkin.post(**same).status_code == 200
    assert session.scalar(select(sa.func.count()).select_from(Alert)
                          .where(Alert.person_id == world.a.person.id)) == 2

    # unanswered, each climbs to the district like any other alert (its severity's SLA)
    settings = AlertSettings({"urgent": 240, "normal": 4320})
    later = food.created_at + timedelta(minutes=241)
    assert escalate_due(session, settings=settings, today=factories.today(), now=later) == [food.id]
    later = mood.created_at + timedelta(minutes=4321)
    assert escalate_due(session, settings=settings, today=factories.today(), now=later) == [mood.id]


@pytest.mark.parametrize("observations", [
    {"food_supplies": "low", "mood": "fair"},  # 不足 is for the caregiver's 物资代购; 一般 is no task
    {"food_supplies": "sufficient", "mood": "good"},
])
def test_running_low_or_fair_spirits_raise_no_task(checkin, session, world, observations):
    """Seed 000 item 12: only 缺乏 (a special difficulty) and 低落 (心理慰藉) are the township's to act on."""
    assert checkin.post(observations=observations).status_code == 201
    assert alerts_of(session, world.a.person.id) == {}


def test_self_care_worse_raises_an_alert_and_a_reassessment_task(checkin, session, world):
    checkin.post(observations={"self_care_level": "partly_disabled"})
    found = alerts_of(session, world.a.person.id)
    assert set(found) == {"self_care_worse", "reassessment_due"}
    assert found["self_care_worse"].detail["observed"] == "partly_disabled"
    assert staff_note(session, world, found["reassessment_due"]) is not None


def test_the_same_level_or_better_is_no_alert(checkin, session, world):
    checkin.post(observations={"self_care_level": "self_care", "health": "well", "living_environment": "clean"})
    assert alerts_of(session, world.a.person.id) == {}


def test_poor_conditions_twice_running_suggest_centralised_care(checkin, session, world):
    t0 = now() - timedelta(days=3)
    checkin.post(observations={"living_environment": "dirty"}, started_at=t0.isoformat(),
                 ended_at=(t0 + timedelta(minutes=20)).isoformat())
    assert alerts_of(session, world.a.person.id) == {}  # once is not yet a pattern
    checkin.post(observations={"hygiene": "poor"})
    alert = alerts_of(session, world.a.person.id)["poor_conditions"]
    assert alert.detail["recommend"] == "centralised" and "建议转集中供养" in alert.title
    assert staff_note(session, world, alert) is not None


def test_clean_between_breaks_the_run(checkin, session, world):
    for days, env in ((6, "dirty"), (4, "clean"), (0, "dirty")):
        t = now() - timedelta(days=days, minutes=40)
        checkin.post(observations={"living_environment": env}, started_at=t.isoformat(),
                     ended_at=(t + timedelta(minutes=20)).isoformat())
    assert "poor_conditions" not in alerts_of(session, world.a.person.id)


def test_a_person_left_without_caregiver_is_an_alert(client, session, world):
    from server.care.models import CareAgreement

    agreement = session.scalar(select(CareAgreement).where(CareAgreement.person_id == world.a.person.id))
    r = client.patch(f"/api/agreements/{agreement.id}", json={"status": "ended", "end_reason": "照料人外出务工"},
                     headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200
    alert = alerts_of(session, world.a.person.id)["no_caregiver"]
    assert alert.title == "王德明没有生效的照料协议" and staff_note(session, world, alert) is not None
