import pytest
from sqlalchemy import select

from server.alerts.models import Alert
from server.alerts.service import AlertSettings, raise_alert
from server.care.models import CareAgreement, CareHome
from server.people.models import Person
from tests import factories

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


def home(session, world, beds=40, residents=20):
    h = CareHome(seq=1, name="甲镇敬老院", place_id=world.a.place.id, beds=beds, other_residents=residents, staff=4)
    session.add(h)
    session.flush()
    return h


def test_recommendation_then_decision_moves_the_person(client, session, world):
    care_home = home(session, world)
    rec, _ = raise_alert(session, kind="poor_conditions", township_id=world.a.place.id, person_id=world.a.person.id,
                         title="建议转集中供养", dedupe_key="poor:t", settings=AlertSettings({"urgent": 1, "normal": 1}))
    h = factories.headers(session, world.a.staff)
    r = client.post(f"/api/persons/{world.a.person.id}/centralise", json={"care_home_id": care_home.id,
                                                                          "note": "本人同意入住"}, headers=h)
    assert r.status_code == 200 and r.get_json() == {"person_id": world.a.person.id, "status": "centralised",
                                                     "care_home_id": care_home.id}
    session.expire_all()
    person = session.get(Person, world.a.person.id)
    assert (person.status, person.support_mode, person.care_home_id) == ("centralised", "centralised", care_home.id)
    agreement = session.scalar(select(CareAgreement).where(CareAgreement.person_id == person.id))
    assert agreement.status == "ended" and agreement.end_reason == "转入敬老院集中供养"
    assert session.get(Alert, rec.id).outcome == "moved_to_care_home"
    assert session.scalar(select(Alert).where(Alert.kind == "no_caregiver")) is None
    homes = client.get("/api/care-homes", headers=h).get_json()
    assert homes == [{"id": care_home.id, "seq": 1, "name": "甲镇敬老院", "place_id": world.a.place.id,
                      "place_name": world.a.place.name, "beds": 40, "residents": 21, "roster_residents": 1,
                      "other_residents": 20, "target_percent": 60, "target": 24, "still_needed": 3, "occupancy": 0.525,
                      "staff": 4, "head_name": None, "phone": None}]
    # the caregiver no longer sees the person; a second move is refused
    assert client.get(f"/api/persons/{person.id}", headers=factories.headers(session, world.a.caregiver)).status_code == 403
    r = client.post(f"/api/persons/{person.id}/centralise", json={"care_home_id": care_home.id}, headers={**h, **EN})
    assert r.status_code == 409


def test_bad_moves(client, session, world):
    care_home = home(session, world)
    h = factories.headers(session, world.a.staff, **EN)
    assert client.post(f"/api/persons/{world.a.person.id}/centralise", json={"care_home_id": 999}, headers=h).status_code == 404
    assert client.post(f"/api/persons/{world.b.person.id}/centralise", json={"care_home_id": care_home.id},
                       headers=h).status_code == 403
    assert client.post(f"/api/persons/{world.a.person.id}/centralise", json={},
                       headers=h).status_code == 422
    assert client.post(f"/api/persons/{world.a.person.id}/centralise", json={"care_home_id": care_home.id},
                       headers=factories.headers(session, world.a.caregiver)).status_code == 403
    session.expire_all()
    assert session.get(Person, world.a.person.id).status == "active"
