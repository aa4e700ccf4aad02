"""The whole role × place × action matrix: each cell's HTTP status.

"own" is the caller's own area (township 甲镇, or for the district admin the same
township); "other" is township 乙乡. For a caregiver "own" is the person under their
agreement; for a volunteer, a person of their team's township.
"""

import pytest

from tests import factories

ROLES = ("caregiver", "volunteer", "township_staff", "district_admin")

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
}


def caller(world, role):
    return {"caregiver": world.a.caregiver, "volunteer": world.a.volunteer, "township_staff": world.a.staff,
            "district_admin": world.admin}[role]


def new_person(village_id, sex="F"):
    return {"name": "赵桂兰", "sex": sex, "birth_date": "1948-02-03",
            "id_number": factories.id_number(__import__("datetime").date(1948, 2, 3), sex),
            "self_care_level": "partly_disabled", "village_id": village_id}


@pytest.mark.parametrize("role,where,action", sorted(EXPECTED))
def test_persons_matrix(client, session, world, role, where, action):
    township = world.a if where == "own" else world.b
    h = factories.headers(session, caller(world, role))
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
}


@pytest.mark.parametrize("role,where", sorted(USER_EXPECTED))
def test_users_matrix(client, session, world, role, where):
    township = world.a if where == "own" else world.b
    h = factories.headers(session, caller(world, role))
    body = {"username": f"139{role[:3]}{where}", "password": "longenough1", "role": "caregiver",
            "display_name": "新照料人", "place_id": township.villages[0].id}
    r = client.post("/api/users", json=body, headers=h)
    assert r.status_code == USER_EXPECTED[(role, where)], r.get_json()
    listing = client.get("/api/users", headers=h)
    if role in ("caregiver", "volunteer"):
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
}


@pytest.mark.parametrize("role,where", sorted(AGREEMENT_EXPECTED))
def test_agreements_matrix(client, session, world, role, where):
    from sqlalchemy import select

    from server.care.models import CareAgreement

    township = world.a if where == "own" else world.b
    agreement = session.scalar(select(CareAgreement).where(CareAgreement.person_id == township.person.id))
    h = factories.headers(session, caller(world, role))
    r = client.patch(f"/api/agreements/{agreement.id}", json={"status": "ended", "end_reason": "moved"}, headers=h)
    assert r.status_code == AGREEMENT_EXPECTED[(role, where)], r.get_json()
    listing = client.get("/api/agreements", headers=h)
    if role == "volunteer":
        assert listing.status_code == 403
    else:
        ids = {a["id"] for a in listing.get_json()}
        visible = role == "district_admin" or where == "own"
        assert (agreement.id in ids) == visible
