"""The whole role × place × action matrix: each cell's HTTP status.

"own" is the caller's own area (township 甲镇, or for the district admin the same
township); "other" is township 乙乡. For a caregiver "own" is the person under their
agreement; for a volunteer, a person of their team's township; for a cadre (结对帮扶), the person
paired with them.
"""

import pytest

from tests import factories

ROLES = ("caregiver", "volunteer", "township_staff", "district_admin", "cadre")

# (role, place, action) -> expected status
EXPECTED = {
    ("caregiver", "own", "read"): 200,
    ("caregiver", "own", "create"): 403,
    ("caregiver", "own", "change"): 403,
    ("caregiver", "other", "read"): 403,
    ("caregiver", "other", "create"): 403,
    ("caregiver", "other", "change"): 403,
    ("volunteer", "own", "read"): 200,
    ("volunteer", "own", "create"): 403,
    ("volunteer", "own", "change"): 403,
    ("volunteer", "other", "read"): 403,
    ("volunteer", "other", "create"): 403,
    ("volunteer", "other", "change"): 403,
    ("township_staff", "own", "read"): 200,
    ("township_staff", "own", "create"): 201,
    ("township_staff", "own", "change"): 200,
    ("township_staff", "other", "read"): 403,
    ("township_staff", "other", "create"): 403,
    ("township_staff", "other", "change"): 403,
    ("district_admin", "own", "read"): 200,
    ("district_admin", "own", "create"): 201,
    ("district_admin", "own", "change"): 200,
    ("district_admin", "other", "read"): 200,
    ("district_admin", "other", "create"): 201,
    ("district_admin", "other", "change"): 200,
    ("cadre", "own", "read"): 200,
    ("cadre", "own", "create"): 403,
    ("cadre", "own", "change"): 403,
    ("cadre", "other", "read"): 403,
    ("cadre", "other", "create"): 403,
    ("cadre", "other", "change"): 403,
}


def cadre_of(session, world):
    """A cadre of a unit paired with 甲镇, paired with its person (made once per test)."""
    if "cadre" not in world.extra:
        from server.pairing.models import Cadre, Pairing, PairingUnit, UnitTownship

        unit = PairingUnit(name="区民政局", district_id=world.district.id)
        session.add(unit)
        session.flush()
        session.add(UnitTownship(unit_id=unit.id, township_id=world.a.place.id))
        user = factories.user(session, "cadre", world.district)
        cadre = Cadre(user_id=user.id, unit_id=unit.id, rank="other")
        session.add(cadre)
        session.flush()
        session.add(Pairing(cadre_id=cadre.id, person_id=world.a.person.id, started_on=factories.today(),
                            created_by=world.a.staff.id))
        session.flush()
        world.extra["cadre"] = user
    return world.extra["cadre"]


def caller(world, role, session=None):
    if role == "cadre":
        return cadre_of(session, world)
    return {"caregiver": world.a.caregiver, "volunteer": world.a.volunteer, "township_staff": world.a.staff,
            "district_admin": world.admin}[role]


def new_person(village_id, sex="F"):
    return {"name": "赵桂兰", "sex": sex, "birth_date": "1948-02-03",
            "id_number": factories.id_number(__import__("datetime").date(1948, 2, 3), sex),
            "self_care_level": "partly_disabled", "village_id": village_id}


@pytest.mark.parametrize("role,where,action", sorted(EXPECTED))
def test_persons_matrix(client, session, world, role, where, action):
    township = world.a if where == "own" else world.b
    h = factories.headers(session, caller(world, role, session))
    if action == "read":
        r = client.get(f"/api/persons/{township.person.id}", headers=h)
    elif action == "create":
        r = client.post("/api/persons", json=new_person(township.villages[1].id), headers=h)
    else:
        r = client.patch(f"/api/persons/{township.person.id}", json={"address": "三组5号"}, headers=h)
    assert r.status_code == EXPECTED[(role, where, action)], r.get_json()
    assert r.get_json()["message"] if r.status_code >= 400 else True


USER_EXPECTED = {
    # (role, place) -> status for creating a caregiver login in that place
    ("caregiver", "own"): 403, ("caregiver", "other"): 403,
    ("volunteer", "own"): 403, ("volunteer", "other"): 403,
    ("township_staff", "own"): 201, ("township_staff", "other"): 403,
    ("district_admin", "own"): 201, ("district_admin", "other"): 201,
    ("cadre", "own"): 403, ("cadre", "other"): 403,
}


@pytest.mark.parametrize("role,where", sorted(USER_EXPECTED))
def test_users_matrix(client, session, world, role, where):
    township = world.a if where == "own" else world.b
    h = factories.headers(session, caller(world, role, session))
    body = {"username": f"139{role[:3]}{where}", "password": "longenough1", "role": "caregiver",
            "display_name": "新照料人", "place_id": township.villages[0].id}
    r = client.post("/api/users", json=body, headers=h)
    assert r.status_code == USER_EXPECTED[(role, where)], r.get_json()
    listing = client.get("/api/users", headers=h)
    if role in ("caregiver", "volunteer", "cadre"):
        assert listing.status_code == 403
    else:
        ids = {u["id"] for u in listing.get_json()}
        assert (township.caregiver.id in ids) == (role == "district_admin" or where == "own")


AGREEMENT_EXPECTED = {
    # (role, place) -> status for ending the person's agreement in that place
    ("caregiver", "own"): 403, ("caregiver", "other"): 403,
    ("volunteer", "own"): 403, ("volunteer", "other"): 403,
    ("township_staff", "own"): 200, ("township_staff", "other"): 403,
    ("district_admin", "own"): 200, ("district_admin", "other"): 200,
    ("cadre", "own"): 403, ("cadre", "other"): 403,
}


@pytest.mark.parametrize("role,where", sorted(AGREEMENT_EXPECTED))
def test_agreements_matrix(client, session, world, role, where):
    from sqlalchemy import select

    from server.care.models import CareAgreement

    township = world.a if where == "own" else world.b
    agreement = session.scalar(select(CareAgreement).where(CareAgreement.person_id == township.person.id))
    h = factories.headers(session, caller(world, role, session))
    r = client.patch(f"/api/agreements/{agreement.id}", json={"status": "ended", "end_reason": "moved"}, headers=h)
    assert r.status_code == AGREEMENT_EXPECTED[(role, where)], r.get_json()
    listing = client.get("/api/agreements", headers=h)
    if role in ("volunteer", "cadre"):
        assert listing.status_code == 403
    else:
        ids = {a["id"] for a in listing.get_json()}
        visible = role == "district_admin" or where == "own"
        assert (agreement.id in ids) == visible
