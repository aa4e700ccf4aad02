from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditLog
from server.auth.actor import Actor
from server.care import service
from server.care.models import CareAgreement
from server.errors import ServiceError
from tests import factories

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


def active_count(session, person_id):
    return session.scalar(select(func.count()).select_from(CareAgreement).where(
        CareAgreement.person_id == person_id, CareAgreement.status == "active"))


def sign(client, headers, person_id, caregiver_id, **over):
    body = {"person_id": person_id, "caregiver_id": caregiver_id, "relation": "neighbour",
            "signed_on": factories.today().isoformat(), "start_on": factories.today().isoformat(), **over}
    return client.post("/api/agreements", json=body, headers=headers)


def test_sign_end_and_resign(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    newcomer = factories.person(session, world.a.villages[1], name="钱淑珍", sex="F")
    r = sign(client, h, newcomer.id, world.a.caregiver.id)
    assert r.status_code == 201
    out = r.get_json()
    assert out["status"] == "active" and out["person_name"] == "钱淑珍"
    assert out["caregiver_name"] == world.a.caregiver.display_name

    r = sign(client, h, newcomer.id, world.a.caregiver.id)
    assert r.status_code == 409
    assert r.get_json()["message"] == "That person already has an active care agreement; end it first"
    assert active_count(session, newcomer.id) == 1

    r = client.patch(f"/api/agreements/{out['id']}", json={"status": "ended", "end_reason": "caregiver moved away"},
                     headers=h)
    assert r.status_code == 200 and r.get_json()["status"] == "ended"
    assert r.get_json()["end_on"] == factories.today().isoformat()
    r = client.patch(f"/api/agreements/{out['id']}", json={"status": "ended"}, headers=h)
    assert r.status_code == 409 and r.get_json()["reason"] == "agreement_ended"

    assert sign(client, h, newcomer.id, world.a.caregiver.id).status_code == 201
    trail = session.scalars(select(AuditLog.action).where(AuditLog.person_id == newcomer.id,
                                                          AuditLog.entity == "agreement")).all()
    assert sorted(trail) == ["create", "create", "end"]


def test_caregiver_sees_own_agreements_only(client, session, world):
    r = client.get("/api/agreements", headers=factories.headers(session, world.a.caregiver))
    assert [a["person_id"] for a in r.get_json()] == [world.a.person.id]


@pytest.mark.parametrize(
    "case, status, reason",
    [
        ("unknown person", 404, "person_not_found"),
        ("person of other township", 403, "person_out_of_scope"),
        ("caregiver of other township", 403, "user_out_of_scope"),
        ("not a caregiver", 422, "not_a_caregiver"),
        ("unknown caregiver", 404, "caregiver_not_found"),
        ("signed in the future", 422, "date_in_future"),
        ("person in a care home", 409, "person_not_active"),
        ("bad relation", 422, "validation"),
        ("relation other", 422, "validation"),  # the seed's three: 亲属、邻里、低保等低收入家庭中有劳动能力的人员
        ("unknown field", 422, "validation"),
    ],
)
def test_bad_agreements_store_nothing(client, session, world, case, status, reason):
    h = factories.headers(session, world.a.staff, **EN)
    person = factories.person(session, world.a.villages[1], name="冯春花", sex="F",
                              status="centralised" if case == "person in a care home" else "active")
    person_id, caregiver_id, over = person.id, world.a.caregiver.id, {}
    if case == "unknown person":
        person_id = 987654
    elif case == "person of other township":
        person_id = factories.person(session, world.b.villages[1], name="冯某").id
    elif case == "caregiver of other township":
        caregiver_id = world.b.caregiver.id
    elif case == "not a caregiver":
        caregiver_id = world.a.volunteer.id
    elif case == "unknown caregiver":
        caregiver_id = 987654
    elif case == "signed in the future":
        over = {"signed_on": (factories.today() + timedelta(days=3)).isoformat()}
    elif case == "bad relation":
        over = {"relation": "boss"}
    elif case == "relation other":
        over = {"relation": "other"}
    elif case == "unknown field":
        over = {"salary": 100}
    before = session.scalar(select(func.count()).select_from(CareAgreement))
    r = sign(client, h, person_id, caregiver_id, **over)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["reason"] == reason and r.get_json()["message"]
    assert session.scalar(select(func.count()).select_from(CareAgreement)) == before


def test_end_before_start_is_refused(client, session, world):
    a = session.scalar(select(CareAgreement).where(CareAgreement.person_id == world.a.person.id))
    r = client.patch(f"/api/agreements/{a.id}", json={"status": "ended", "end_on": "2000-01-01"},
                     headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422 and r.get_json()["reason"] == "end_before_start"
    session.refresh(a)
    assert a.status == "active"


def test_patch_takes_only_ending(client, session, world):
    a = session.scalar(select(CareAgreement).where(CareAgreement.person_id == world.a.person.id))
    r = client.patch(f"/api/agreements/{a.id}", json={"status": "active", "caregiver_id": 3},
                     headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422
    assert set(r.get_json()["errors"]) == {"status", "caregiver_id"}


def test_database_refuses_a_second_active_agreement(session, world):
    # the partial unique index holds even when the service's own check is bypassed
    import sqlalchemy.exc

    with pytest.raises(sqlalchemy.exc.IntegrityError):
        with session.begin_nested():
            session.add(CareAgreement(person_id=world.a.person.id, caregiver_id=world.b.caregiver.id,
                                      relation="neighbour", signed_on=factories.today(), start_on=factories.today()))


def test_service_reports_the_race_as_409(session, world, monkeypatch, app):
    # two staff at once: both pass the pre-check, the index decides
    from sqlalchemy.orm import Session as OrmSession

    real_scalar = OrmSession.scalar
    calls = {"n": 0}

    def pre_check_sees_nothing(self, stmt, *a, **kw):
        if "careagreement" in str(stmt) and calls["n"] == 0:
            calls["n"] += 1
            return None
        return real_scalar(self, stmt, *a, **kw)

    monkeypatch.setattr(OrmSession, "scalar", pre_check_sees_nothing)
    with app.app_context(), pytest.raises(ServiceError) as err:
        service.create_agreement(session, actor=Actor(world.a.staff), person_id=world.a.person.id,
                                 caregiver_id=world.a.caregiver.id, relation="neighbour",
                                 signed_on=factories.today(), start_on=factories.today(), today=factories.today())
    assert err.value.status == 409 and err.value.key == "agreement_exists"
