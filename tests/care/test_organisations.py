"""Organisations as caregivers (issue 29 part 5)."""

from sqlalchemy import func, select

from server.audit.models import AuditLog
from server.auth.models import User
from server.care.models import CareAgreement, CareOrganisation, OrganisationMember
from server.visits.models import Visit
from tests import factories
from tests.visits.conftest import multipart, photo, visit_fields

EN = {"Accept-Language": "en"}


def add_org(client, headers, place_id, name="敖汉旗康乐养老服务中心", kind="institution", **over):
    return client.post("/api/organisations", json={"name": name, "kind": kind, "place_id": place_id, **over},
                       headers=headers)


def add_staff(client, headers, organisation_id, place_id, username, **over):
    body = {"username": username, "password": "zhaoying2023", "role": "caregiver", "display_name": f"员工{username}",
            "place_id": place_id, "organisation_id": organisation_id, **over}
    return client.post("/api/users", json=body, headers=headers)


def count(session, model, **where):
    return session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_organisations_by_place(client, session, world):
    a = factories.headers(session, world.a.staff, **EN)
    b = factories.headers(session, world.b.staff, **EN)
    admin = factories.headers(session, world.admin, **EN)
    r = add_org(client, a, world.a.place.id, contact_name="赵敏", phone="0476-1234567")
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    assert org["is_active"] and org["staff_count"] == 0
    district_org = add_org(client, admin, world.district.id, name="敖汉旗社工服务社", kind="social_org").get_json()

    assert [o["name"] for o in client.get("/api/organisations", headers=a).get_json()] == sorted(
        ["敖汉旗康乐养老服务中心", "敖汉旗社工服务社"])
    # the other township sees the district's, not township 甲镇's
    assert [o["id"] for o in client.get("/api/organisations", headers=b).get_json()] == [district_org["id"]]
    assert client.patch(f"/api/organisations/{org['id']}", json={"phone": "123456"}, headers=b).status_code == 404
    # township staff do not change the district's
    assert client.patch(f"/api/organisations/{district_org['id']}", json={"name": "x"}, headers=a).status_code == 403

    bad = [
        (add_org(client, a, world.b.place.id, name="乙"), 403, "place_out_of_scope"),
        (add_org(client, a, world.a.villages[0].id, name="丙"), 422, "organisation_place"),
        (add_org(client, a, world.a.place.id), 409, "organisation_exists"),
        (add_org(client, a, world.a.place.id, name="丁", kind="company"), 422, "validation"),
        (add_org(client, a, 999999, name="戊"), 404, "place_not_found"),
        (add_org(client, a, world.a.place.id, name=""), 422, "validation"),
        (add_org(client, factories.headers(session, world.a.caregiver), world.a.place.id, name="己"), 403, None),
    ]
    for r, status, reason in bad:
        assert r.status_code == status and (reason is None or r.get_json()["reason"] == reason), r.get_json()
    assert count(session, CareOrganisation) == 2

    r = client.patch(f"/api/organisations/{org['id']}", json={"name": "敖汉旗社工服务社"}, headers=a)
    assert r.status_code == 409
    r = client.patch(f"/api/organisations/{org['id']}", json={"is_active": False}, headers=a)
    assert r.status_code == 200 and r.get_json()["is_active"] is False
    assert count(session, AuditLog, entity="organisation", entity_id=org["id"], action="update") == 1


def test_staff_logins_of_an_organisation(client, session, world):
    a = factories.headers(session, world.a.staff, **EN)
    org = add_org(client, a, world.a.place.id).get_json()
    r = add_staff(client, a, org["id"], world.a.place.id, "kangle01")
    assert r.status_code == 201, r.get_json()
    staff = client.get(f"/api/organisations/{org['id']}/staff", headers=a).get_json()
    assert [u["username"] for u in staff] == ["kangle01"]
    assert client.get("/api/organisations", headers=a).get_json()[0]["staff_count"] == 1

    # nothing half made: a refused enrolment leaves no login behind
    r = add_staff(client, a, org["id"], world.a.place.id, "kangle02", role="volunteer")
    assert r.status_code == 422
    assert add_staff(client, a, 999999, world.a.place.id, "kangle03").status_code == 404
    b_org = add_org(client, factories.headers(session, world.b.staff), world.b.place.id, name="乙乡互助社").get_json()
    assert add_staff(client, a, b_org["id"], world.a.place.id, "kangle04").status_code == 404
    client.patch(f"/api/organisations/{org['id']}", json={"is_active": False}, headers=a)
    r = add_staff(client, a, org["id"], world.a.place.id, "kangle05")
    assert r.status_code == 409 and r.get_json()["reason"] == "organisation_inactive"
    assert session.scalars(select(User.username).where(User.username.like("kangle%"))).all() == ["kangle01"]
    assert count(session, OrganisationMember) == 1


def test_an_organisation_holds_the_agreement_and_its_staff_check_in(client, session, world):
    """Seed 002 item 5: 照料护理补贴 go 向委托照料人或承担照料服务职责的供养服务机构、社会组织; seed 004
    item 21: 政府购买服务 for 访视、照料. One holder per person; every staff login of the holder sees the
    person and checks in as a caregiver does."""
    a = factories.headers(session, world.a.staff, **EN)
    org = add_org(client, a, world.a.place.id).get_json()
    named = add_staff(client, a, org["id"], world.a.place.id, "kangle01").get_json()
    colleague = add_staff(client, a, org["id"], world.a.place.id, "kangle02").get_json()
    person = factories.person(session, world.a.villages[1], name="韩桂兰", sex="F", home_lat=42.3, home_lon=119.9,
                              home_location_state="confirmed")
    day = factories.today().isoformat()
    body = {"person_id": person.id, "caregiver_id": named["id"], "relation": "organisation",
            "organisation_id": org["id"], "signed_on": day, "start_on": day, "committee_signatory": "村主任"}

    refused = [
        ({"relation": "neighbour"}, 422, "organisation_relation"),
        ({"organisation_id": None}, 422, "organisation_relation"),
        ({"caregiver_id": world.a.caregiver.id}, 422, "not_organisation_staff"),
        ({"organisation_id": 999999}, 404, "organisation_not_found"),
    ]
    for over, status, reason in refused:
        r = client.post("/api/agreements", json={**body, **over}, headers=a)
        assert r.status_code == status and r.get_json()["reason"] == reason, (over, r.get_json())
    assert count(session, CareAgreement, person_id=person.id) == 0

    r = client.post("/api/agreements", json=body, headers=a)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["organisation_name"] == org["name"]
    # one holder per person
    again = client.post("/api/agreements", json={**body, "caregiver_id": colleague["id"]}, headers=a)
    assert again.status_code == 409 and again.get_json()["reason"] == "agreement_exists"
    assert client.get("/api/organisations", headers=a).get_json()[0]["agreement_count"] == 1

    colleague_user = session.get(User, colleague["id"])
    h = factories.headers(session, colleague_user, **EN)
    persons = client.get("/api/persons", headers=h).get_json()
    assert [p["id"] for p in persons] == [person.id]
    assert [x["id"] for x in client.get("/api/agreements", headers=h).get_json()] == [r.get_json()["id"]]
    fields = visit_fields(person.id)
    v = client.post("/api/visits", data=multipart(fields, [photo(41)]), headers=h, content_type="multipart/form-data")
    assert v.status_code == 201, v.get_json()
    assert session.get(Visit, v.get_json()["id"]).agreement_id == r.get_json()["id"]

    # a caregiver of no organisation, and one of another, neither see nor check in
    assert person.id not in [p["id"] for p in client.get("/api/persons", headers=factories.headers(
        session, world.a.caregiver)).get_json()]
    other_org = add_org(client, a, world.a.place.id, name="甲镇邻里互助社", kind="social_org").get_json()
    stranger = session.get(User, add_staff(client, a, other_org["id"], world.a.place.id, "huzhu01").get_json()["id"])
    hs = factories.headers(session, stranger, **EN)
    assert client.get("/api/persons", headers=hs).get_json() == []
    v = client.post("/api/visits", data=multipart(visit_fields(person.id), [photo(42)]), headers=hs,
                    content_type="multipart/form-data")
    assert v.status_code in (403, 404)
    # an ordinary caregiver still checks in for their own person
    v = client.post("/api/visits", data=multipart(visit_fields(world.a.person.id), [photo(43)]),
                    headers=factories.headers(session, world.a.caregiver, **EN), content_type="multipart/form-data")
    assert v.status_code == 201
