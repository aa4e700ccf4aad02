import pytest
from sqlalchemy import func, select

from server.activities.models import VolunteerTeamMember
from server.auth.models import User
from tests import factories

EN = {"Accept-Language": "en"}


def new_user(place, **over):
    return {"username": "13800001111", "password": "s3cret-pass", "role": "caregiver", "display_name": "孙照料",
            "phone": "13800001111", "place_id": place, **over}


def test_staff_create_a_volunteer_in_their_team(client, session, world):
    h = factories.headers(session, world.a.staff)
    r = client.post("/api/users", json=new_user(world.a.villages[0].id, role="volunteer", team_id=world.a.team.id),
                    headers=h)
    assert r.status_code == 201
    out = r.get_json()
    assert out["role"] == "volunteer" and "password" not in out
    assert session.get(VolunteerTeamMember, (world.a.team.id, out["id"])) is not None
    # the new login works
    r = client.post("/api/auth/login", json={"username": "13800001111", "password": "s3cret-pass"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "over, status, reason",
    [
        ({"role": "township_staff", "place_id": "township"}, 403, "role_not_grantable"),
        ({"role": "district_admin"}, 403, "role_not_grantable"),
        ({"password": "short"}, 422, "validation"),
        ({"username": "has space"}, 422, "validation"),
        ({"role": "king"}, 422, "validation"),
        ({"team_id": "other"}, 422, "team_only_for_volunteers"),
        ({"role": "volunteer", "team_id": "other"}, 422, "team_outside_place"),
        ({"role": "volunteer", "team_id": 999999}, 404, "team_not_found"),
        ({"is_active": False}, 422, "validation"),
        ({"place_id": 999999}, 404, "place_not_found"),
    ],
)
def test_bad_users_store_nothing(client, session, world, over, status, reason):
    if over.get("place_id") == "township":
        over = {**over, "place_id": world.a.place.id}
    if over.get("team_id") == "other":
        over = {**over, "team_id": world.b.team.id}
    before = session.scalar(select(func.count()).select_from(User))
    r = client.post("/api/users", json=new_user(world.a.villages[0].id, **over),
                    headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == status, r.get_json()
    assert r.get_json()["reason"] == reason
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_duplicate_username_is_409(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    r = client.post("/api/users", json=new_user(world.a.villages[0].id, username=world.b.caregiver.username), headers=h)
    assert r.status_code == 409 and r.get_json()["message"] == "That username is already taken"


def test_admin_creates_township_staff_at_township_level_only(client, session, world):
    h = factories.headers(session, world.admin, **EN)
    r = client.post("/api/users", json=new_user(world.a.villages[0].id, role="township_staff"), headers=h)
    assert r.status_code == 422 and "place_id" in r.get_json()["errors"]
    r = client.post("/api/users", json=new_user(world.a.place.id, role="township_staff"), headers=h)
    assert r.status_code == 201


def test_user_list_filters(client, session, world):
    h = factories.headers(session, world.admin)
    r = client.get("/api/users?role=volunteer", headers=h)
    assert {u["id"] for u in r.get_json()} == {world.a.volunteer.id, world.b.volunteer.id}
    r = client.get(f"/api/users?place_id={world.b.place.id}", headers=h)
    assert {u["id"] for u in r.get_json()} == {world.b.staff.id, world.b.caregiver.id, world.b.volunteer.id}
    r = client.get(f"/api/users?place_id={world.b.place.id}", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 403
