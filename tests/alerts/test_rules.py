"""Each deterioration rule, from what a caregiver records to the alert to the township's staff and
their notification (urgent ones go out at once)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.alerts.models import Alert
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
