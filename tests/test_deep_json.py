"""Issue 30 L3: JSON nested 10,000 deep answered 500 (RecursionError), as a body and inside the
multipart ``observations``. It is a clear 4xx wherever JSON comes in: a body, a form field, a
list's cursor, an import's mapping."""

import base64

from tests import factories

DEEP = "[" * 10_000 + "]" * 10_000
DEEP_OBJECT = '{"a":' * 10_000 + "1" + "}" * 10_000


def test_a_body_nested_too_deep_is_a_400_with_a_message(client, session, world):
    h = factories.headers(session, world.a.staff)
    for body in (DEEP, DEEP_OBJECT):
        r = client.post("/api/persons", data=body, content_type="application/json", headers=h)
        assert r.status_code == 400
        assert r.get_json()["reason"] == "too_deep"
        assert r.get_json()["message"] == "提交的内容嵌套层数太多"


def test_observations_nested_too_deep_in_a_check_in_form_are_a_422_on_the_field(client, session, world):
    h = factories.headers(session, world.a.caregiver)
    r = client.post("/api/visits", data={"person_id": str(world.a.person.id), "observations": DEEP_OBJECT},
                    content_type="multipart/form-data", headers=h)
    assert r.status_code == 422
    assert r.get_json()["errors"]["observations"] == ["not valid JSON"]


def test_a_cursor_nested_too_deep_is_a_422(client, session, world):
    cursor = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    r = client.get(f"/api/persons?after={cursor}", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 422 and "after" in r.get_json()["errors"]


def test_an_import_mapping_nested_too_deep_is_a_422(client, session, world):
    from tests.imports.conftest import make_xlsx, upload
    from tests.imports.test_imports_api import roster

    r = upload(client, factories.headers(session, world.a.staff), make_xlsx(roster(1)), mapping=DEEP_OBJECT)
    assert r.status_code == 422 and "mapping" in r.get_json()["errors"]
