import json
from datetime import date

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditLog
from server.people.models import Person
from tests import factories

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


def body(village, **over):
    born = date(1946, 11, 30)
    data = {"name": "孙玉珍", "sex": "F", "birth_date": born.isoformat(), "id_number": factories.id_number(born, "F"),
            "self_care_level": "fully_disabled", "village_id": village, "risk_flags": ["lives_alone"],
            "address": "二组3号", "home_lat": 42.31, "home_lon": 119.95}
    data.update(over)
    return data


def count_persons(session):
    return session.scalar(select(func.count()).select_from(Person))


def test_create_person_masks_the_id_number(client, session, world):
    data = body(world.a.villages[1].id)
    r = client.post("/api/persons", json=data, headers=factories.headers(session, world.a.staff))
    assert r.status_code == 201
    out = r.get_json()
    assert data["id_number"] not in json.dumps(out, ensure_ascii=False)
    assert out["id_number_masked"] == data["id_number"][:6] + "********" + data["id_number"][-4:]
    assert out["village_name"] == "甲镇2村" and out["township_name"] == "甲镇"
    assert out["home_location_state"] == "confirmed"
    stored = session.get(Person, out["id"])
    assert stored.id_number == data["id_number"] and stored.self_care_level == "fully_disabled"


def test_every_response_masks_id_numbers(client, session, world):
    h = factories.headers(session, world.admin)
    listing = client.get("/api/persons", headers=h).get_json()
    detail = client.get(f"/api/persons/{world.a.person.id}", headers=h).get_json()
    for text in (json.dumps(listing), json.dumps(detail)):
        assert world.a.person.id_number not in text and world.b.person.id_number not in text


@pytest.mark.parametrize(
    "over, field",
    [
        ({"nickname": "x"}, "nickname"),
        ({"name": ""}, "name"),
        ({"name": "长" * 51}, "name"),
        ({"sex": "X"}, "sex"),
        ({"birth_date": "1946-13-01"}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"id_number": "12345"}, "id_number"),
        ({"id_number": "15043019461130401A"}, "id_number"),
        ({"id_number": "150430194613304011"}, "id_number"),
        ({"self_care_level": "half"}, "self_care_level"),
        ({"risk_flags": ["rich"]}, "risk_flags"),
        ({"village_id": "abc"}, "village_id"),
        ({"home_lat": 91}, "home_lat"),
        ({"home_lon": 181}, "home_lon"),
        ({"home_lon": None}, "home_lat"),
        ({"address": "路" * 201}, "address"),
    ],
)
def test_bad_person_input_is_422_and_stores_nothing(client, session, world, over, field):
    before = count_persons(session)
    r = client.post("/api/persons", json=body(world.a.villages[1].id, **over), headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]
    assert r.get_json()["message"]
    assert count_persons(session) == before


def test_wrong_check_character(client, session, world):
    data = body(world.a.villages[1].id)
    number = data["id_number"]
    data["id_number"] = number[:17] + ("0" if number[17] != "0" else "1")
    r = client.post("/api/persons", json=data, headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422
    assert "check character" in r.get_json()["errors"]["id_number"][0]


def test_id_number_must_agree_with_birth_date_and_sex(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    r = client.post("/api/persons", json=body(world.a.villages[1].id, birth_date="1946-11-29"), headers=h)
    assert r.status_code == 422 and r.get_json()["reason"] == "id_birth_mismatch"
    r = client.post("/api/persons", json=body(world.a.villages[1].id, sex="M"), headers=h)
    assert r.status_code == 422 and r.get_json()["reason"] == "id_sex_mismatch"


def test_duplicate_id_number_is_409(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    data = body(world.a.villages[1].id)
    assert client.post("/api/persons", json=data, headers=h).status_code == 201
    before = count_persons(session)
    r = client.post("/api/persons", json=data, headers=h)
    assert r.status_code == 409 and r.get_json()["message"] == "That ID number is already registered"
    assert count_persons(session) == before


def test_person_must_live_in_a_village_of_the_callers_area(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    r = client.post("/api/persons", json=body(world.a.place.id), headers=h)
    assert r.status_code == 422 and r.get_json()["reason"] == "village_required"
    r = client.post("/api/persons", json=body(world.b.villages[0].id), headers=h)
    assert r.status_code == 403 and r.get_json()["message"] == "That place is outside your area"
    r = client.post("/api/persons", json=body(99999), headers=h)
    assert r.status_code == 404


def test_list_is_scoped_filtered_and_paginated(client, session, world):
    for k in range(3):
        factories.person(session, world.a.villages[1], name=f"周{k}林", level="partly_disabled")
    h = factories.headers(session, world.a.staff)
    # keyset pages: the next page's cursor in a header, none after the last; no count of the whole set
    r = client.get("/api/persons?page_size=3", headers=h)
    assert r.status_code == 200 and len(r.get_json()) == 3 and "X-Pagination" not in r.headers
    after = r.headers["X-Next-Page"]
    rest = client.get(f"/api/persons?page_size=3&after={after}", headers=h)
    assert len(rest.get_json()) == 1 and "X-Next-Page" not in rest.headers
    assert [p["id"] for p in r.get_json() + rest.get_json()] == sorted(
        p["id"] for p in client.get("/api/persons?page_size=50", headers=h).get_json())
    bad = client.get("/api/persons?after=not-a-cursor", headers={**h, **EN})
    assert bad.status_code == 422 and bad.get_json()["errors"] == {"after": ["not a cursor this list gave"]}
    names = {p["name"] for p in client.get("/api/persons?page_size=50", headers=h).get_json()}
    assert world.b.person.name not in names
    r = client.get(f"/api/persons?place_id={world.a.villages[1].id}&self_care_level=partly_disabled", headers=h)
    assert {p["name"] for p in r.get_json()} == {"周0林", "周1林", "周2林"}
    assert [p["name"] for p in client.get("/api/persons?q=1林", headers=h).get_json()] == ["周1林"]
    # a LIKE wildcard in q is matched literally
    assert client.get("/api/persons?q=%25", headers=h).get_json() == []
    r = client.get(f"/api/persons?place_id={world.b.place.id}", headers={**h, **EN})
    assert r.status_code == 403


def test_search_finds_a_person_by_a_fragment_of_name_id_number_or_phone(client, session, world):
    p = factories.person(session, world.a.villages[1], name="赵桂兰", sex="F", born=date(1944, 3, 9),
                         phone="13904751234")
    other = factories.person(session, world.b.villages[0], name="赵桂芝", phone="13904759999")
    h = factories.headers(session, world.a.staff)

    def found(q):
        r = client.get("/api/persons", query_string={"q": q}, headers=h)
        assert r.status_code == 200
        return [x["id"] for x in r.get_json()]

    assert found("桂兰") == [p.id]
    assert found(p.id_number[6:14]) == [p.id]  # the birth date inside the ID number
    assert found(p.id_number[-4:].lower()) == [p.id]  # an ID's X typed lower-case
    assert found("0475123") == [p.id]
    assert found("赵桂") == [p.id]  # the other 赵桂… is in another township, out of this staff's reach
    assert other.id not in found("13904759999") and found("13904759999") == []
    assert found("_") == []  # LIKE's wildcards are matched literally
    # a query as long as a phone number: the phone anywhere, an ID number from its start
    assert found("13904751234") == [p.id]
    assert found(p.id_number) == [p.id] and found(p.id_number[:14]) == [p.id]
    assert found(p.id_number.lower()) == [p.id]
    assert found(p.id_number[1:15]) == []  # fourteen digits from inside an ID: not a way IDs are typed


def test_a_search_pages_through_its_matches_and_follows_a_change_of_name(client, session, world):
    found = [factories.person(session, world.a.villages[1], name=f"孙{k}秀英") for k in range(3)]
    h = factories.headers(session, world.a.staff)
    first = client.get("/api/persons", query_string={"q": "秀英", "page_size": 2}, headers=h)
    assert [x["id"] for x in first.get_json()] == [found[0].id, found[1].id]
    rest = client.get("/api/persons", query_string={"q": "秀英", "page_size": 2,
                                                    "after": first.headers["X-Next-Page"]}, headers=h)
    assert [x["id"] for x in rest.get_json()] == [found[2].id] and "X-Next-Page" not in rest.headers
    long = client.get("/api/persons", query_string={"q": "1秀英", "page_size": 2}, headers=h)
    assert [x["id"] for x in long.get_json()] == [found[1].id]
    # renamed: found by the new name, no longer by the old
    r = client.patch(f"/api/persons/{found[1].id}", json={"name": "孙桂珍"}, headers=h)
    assert r.status_code == 200
    assert [x["id"] for x in client.get("/api/persons?q=孙桂珍", headers=h).get_json()] == [found[1].id]
    assert [x["id"] for x in client.get("/api/persons?q=1秀英", headers=h).get_json()] == []


def test_a_search_with_quotes_or_operators_is_a_fragment_like_any_other(client, session, world):
    p = factories.person(session, world.a.villages[1], name='李"大"OR')
    h = factories.headers(session, world.a.staff)
    for q in ('"大"', '大"OR', "OR", '"', "NOT 李", "李*", "{name}: 李"):
        r = client.get("/api/persons", query_string={"q": q}, headers=h)
        assert r.status_code == 200, (q, r.get_json())
        assert [x["id"] for x in r.get_json()] == ([p.id] if q in ('"大"', '大"OR', "OR", '"') else []), q


def test_a_whole_id_number_ending_in_x_is_found_typed_either_case(client, session, world):
    from server.people import idnumber

    number = next(n for k in range(1, 999) if (n := idnumber.make("150402", date(1950, 5, 6), k, "M")).endswith("X"))
    p = factories.person(session, world.a.villages[1], name="钱有福", born=date(1950, 5, 6))
    p.id_number = number
    session.flush()
    h = factories.headers(session, world.a.staff)
    for q in (number, number.lower(), number[:17]):
        assert [x["id"] for x in client.get("/api/persons", query_string={"q": q}, headers=h).get_json()] == [p.id], q


def test_caregiver_sees_only_their_persons(client, session, world):
    r = client.get("/api/persons", headers=factories.headers(session, world.a.caregiver))
    assert [p["id"] for p in r.get_json()] == [world.a.person.id]
    assert r.get_json()[0]["address"] == "一组12号"


def test_volunteer_sees_names_and_villages_only(client, session, world):
    r = client.get("/api/persons", headers=factories.headers(session, world.a.volunteer))
    rows = r.get_json()
    assert rows == [{"id": world.a.person.id, "name": world.a.person.name, "village_id": world.a.villages[0].id,
                     "village_name": "甲镇1村"}]
    detail = client.get(f"/api/persons/{world.a.person.id}", headers=factories.headers(session, world.a.volunteer))
    assert set(detail.get_json()) == {"id", "name", "village_id", "village_name"}


def test_volunteer_without_team_sees_nobody(client, session, world):
    loner = factories.user(session, "volunteer", world.a.place)
    assert client.get("/api/persons", headers=factories.headers(session, loner)).get_json() == []


def test_caregiver_loses_sight_when_agreement_ends(client, session, world):
    from server.care.models import CareAgreement

    a = session.scalar(select(CareAgreement).where(CareAgreement.person_id == world.a.person.id))
    a.status = "ended"
    session.add(a)
    session.flush()
    r = client.get(f"/api/persons/{world.a.person.id}", headers=factories.headers(session, world.a.caregiver))
    assert r.status_code == 403


def test_patch_changes_only_what_is_sent(client, session, world):
    h = factories.headers(session, world.a.staff)
    r = client.patch(f"/api/persons/{world.a.person.id}", json={"self_care_level": "partly_disabled",
                                                                 "village_id": world.a.villages[1].id}, headers=h)
    assert r.status_code == 200
    out = r.get_json()
    assert out["self_care_level"] == "partly_disabled" and out["village_id"] == world.a.villages[1].id
    assert out["address"] == "一组12号"
    entry = session.scalars(select(AuditLog).where(AuditLog.person_id == world.a.person.id,
                                                   AuditLog.action == "update")).one()
    assert entry.detail == {"fields": ["self_care_level", "village_id"]}


@pytest.mark.parametrize(
    "change, status",
    [
        ({}, 422),
        ({"id_number": "1"}, 422),
        ({"home_lat": 42.0}, 422),
        ({"status": "gone"}, 422),
        ({"village_id": "other-township"}, 403),
        ({"sex": "F"}, 422),
    ],
)
def test_bad_patch_changes_nothing(client, session, world, change, status):
    if change.get("village_id") == "other-township":
        change = {"village_id": world.b.villages[0].id}
    h = factories.headers(session, world.a.staff, **EN)
    r = client.patch(f"/api/persons/{world.a.person.id}", json=change, headers=h)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["message"]
    session.expire_all()
    p = session.get(Person, world.a.person.id)
    assert (p.village_id, p.sex, p.status, p.home_lat) == (world.a.villages[0].id, "M", "active", 42.3)


def test_unknown_person_is_404(client, session, world):
    r = client.get("/api/persons/424242", headers=factories.headers(session, world.admin, **EN))
    assert r.status_code == 404 and r.get_json()["message"] == "Person not found"
