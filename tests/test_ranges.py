"""Integers and dates out of range are refused at the schema (issue 14 part 7): a path id out of
1 … 2^31 − 1 is a 404, a query or body value a 422 on its field; never a 500. And an error nobody
expected still answers the JSON error body."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from server import create_app
from server.fields import ID_MAX
from server.paging import _encode
from tests import factories

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("path", [
    f"/api/persons/{ID_MAX + 1}", f"/api/persons/{2**63}", "/api/persons/0", f"/api/visits/{2**31}",
    f"/api/agreements/{2**40}/", f"/api/places/{ID_MAX + 1}", f"/api/photos/{2**63}/thumb",
])
def test_a_path_id_out_of_range_is_not_found(client, session, world, path):
    r = client.get(path, headers=factories.headers(session, world.admin))
    assert r.status_code == 404 and r.get_json()["reason"] == "not_found"


def test_the_largest_id_is_an_ordinary_not_found(client, session, world):
    r = client.get(f"/api/persons/{ID_MAX}", headers=factories.headers(session, world.admin))
    assert r.status_code == 404 and r.get_json()["reason"] == "person_not_found"


@pytest.mark.parametrize("query, field", [
    (f"person_id={2**63}", "person_id"), ("person_id=0", "person_id"), (f"caregiver_id={ID_MAX + 1}", "caregiver_id"),
    ("after=" + _encode([datetime(2026, 11, 1, tzinfo=timezone.utc), 2**63]), "after"),
    ("after=" + _encode([2**40]), "after"), ("after=e30", "after"),
    ("page_size=100000", "page_size"), ("page_size=0", "page_size"), ("month=0001-01", "month"),
])
def test_a_query_value_out_of_range_is_a_422_on_its_field(client, session, world, query, field):
    r = client.get(f"/api/visits?{query}", headers=factories.headers(session, world.admin))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]


def _visit(world, **over):
    start = factories.now() - timedelta(minutes=40)
    return {"client_id": str(uuid.uuid4()), "person_id": world.a.person.id, "mode": "phone",
            "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=10)).isoformat(), **over}


@pytest.mark.parametrize("over, field", [
    ({"person_id": 2**63}, "person_id"),
    ({"started_at": "0001-01-01T00:00:00+08:00"}, "started_at"),
    ({"started_at": "1999-12-31T23:59:59+00:00"}, "started_at"),
    ({"ended_at": "9999-12-31T23:59:59-08:00"}, "ended_at"),
    ({"device_time": "0001-01-01T00:00:00+14:00"}, "device_time"),
])
def test_a_visit_body_out_of_range_is_a_422_on_its_field(client, session, world, over, field):
    r = client.post("/api/visits", json=_visit(world, **over), headers=factories.headers(session, world.a.caregiver))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]


@pytest.mark.parametrize("over, field", [
    ({"birth_date": "1899-12-31"}, "birth_date"), ({"birth_date": "0001-01-01"}, "birth_date"),
    ({"village_id": 2**31}, "village_id"), ({"village_id": -1}, "village_id"),
])
def test_a_person_body_out_of_range_is_a_422_on_its_field(client, session, world, over, field):
    body = {"name": "赵一", "sex": "M", "birth_date": "1950-05-17", "id_number": factories.id_number(),
            "village_id": world.a.villages[0].id, **over}
    r = client.post("/api/persons", json=body, headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]


def test_a_nul_character_is_a_422_not_a_database_error(client, session, world):
    r = client.post("/api/auth/login", json={"username": "a\x00b", "password": "x"})
    assert r.status_code == 422 and "username" in r.get_json()["errors"]
    r = client.get("/api/persons?q=%00", headers=factories.headers(session, world.admin))
    assert r.status_code == 422 and "q" in r.get_json()["errors"]


def test_the_openapi_documents_the_ranges(client, session, world):
    spec = client.get("/api/openapi.json", headers=factories.headers(session, world.admin)).get_json()
    (param,) = [p for p in spec["paths"]["/api/persons/{person_id}"]["parameters"] if p["name"] == "person_id"]
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": ID_MAX}
    person_id = spec["components"]["schemas"]["VisitCreate"]["properties"]["person_id"]
    assert (person_id["minimum"], person_id["maximum"]) == (1, ID_MAX)
    assert set(spec["components"]["schemas"]["Error"]["properties"]) == {"code", "status", "message", "reason", "errors"}


def test_an_unexpected_error_answers_the_json_error_body(app_config):
    app = create_app({**app_config, "TESTING": False})

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("nobody expected this")

    r = app.test_client().get("/api/boom", headers=EN)
    assert r.status_code == 500 and r.is_json
    assert r.get_json() == {"code": 500, "status": "Internal Server Error", "reason": "server_error",
                            "message": "Internal server error; please try again later"}
