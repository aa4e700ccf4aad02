import pytest

from tests import factories

EN = {"Accept-Language": "en"}


def test_browse_the_tree(client, session, world):
    h = factories.headers(session, world.a.caregiver)
    roots = client.get("/api/places", headers=h).get_json()
    assert world.district.id in {p["id"] for p in roots}
    kids = client.get(f"/api/places?parent_id={world.district.id}", headers=h).get_json()
    assert [p["name"] for p in kids] == ["甲镇", "乙乡"]
    assert all(p["level"] == "township" for p in kids)
    assert client.get("/api/places?parent_id=999999", headers=h).status_code == 404
    assert client.get("/api/places").status_code == 401


def test_admin_adds_places_level_by_level(client, session, world):
    h = factories.headers(session, world.admin, **EN)
    r = client.post("/api/places", json={"name": "甲镇3村", "level": "village", "parent_id": world.a.place.id}, headers=h)
    assert r.status_code == 201
    village = r.get_json()
    r = client.post("/api/places", json={"name": "一网格", "level": "grid", "parent_id": village["id"]}, headers=h)
    assert r.status_code == 201
    r = client.post("/api/places", json={"name": "新旗", "level": "district"}, headers=h)
    assert r.status_code == 201


@pytest.mark.parametrize(
    "payload, status, reason",
    [
        ({"name": "错村", "level": "village", "parent_id": "district"}, 422, "parent_level"),
        ({"name": "孤镇", "level": "township"}, 422, "root_must_be_district"),
        ({"name": "x", "level": "province"}, 422, "validation"),
        ({"name": "长" * 61, "level": "district"}, 422, "validation"),
        ({"name": "无父村", "level": "village", "parent_id": 999999}, 404, "place_not_found"),
    ],
)
def test_bad_places(client, session, world, payload, status, reason):
    if payload.get("parent_id") == "district":
        payload = {**payload, "parent_id": world.district.id}
    r = client.post("/api/places", json=payload, headers=factories.headers(session, world.admin, **EN))
    assert r.status_code == status and r.get_json()["reason"] == reason
    assert r.get_json()["message"]


def test_only_district_admins_add_places(client, session, world):
    r = client.post("/api/places", json={"name": "甲镇9村", "level": "village", "parent_id": world.a.place.id},
                    headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 403 and r.get_json()["message"] == "Your role may not do this"
