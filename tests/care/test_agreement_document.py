"""The care agreement as the seed's document (issue 29 part 5)."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.audit.models import AuditLog
from server.care.models import AgreementDocument, CareAgreement
from server.visits import catalogue
from tests import factories
from tests.visits.conftest import FILES, fetch, media_files, photo

EN = {"Accept-Language": "en"}


def sign(client, headers, person_id, caregiver_id, **over):
    day = factories.today().isoformat()
    body = {"person_id": person_id, "caregiver_id": caregiver_id, "relation": "neighbour", "signed_on": day,
            "start_on": day, **over}
    return client.post("/api/agreements", json=body, headers=headers)


def upload(client, headers, agreement_id, data: bytes, name="paper.jpg"):
    return client.post(f"/api/agreements/{agreement_id}/photos", data={"photo": (io.BytesIO(data), name)},
                       headers=headers, content_type="multipart/form-data")


def count(session, model, **where):
    return session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_three_parties_and_the_catalogue(client, session, world):
    """Seed 001 二(一)1: 乡镇、居（村）委会、指定的照料护理人"三方" sign the 协议书, which states the care
    content by self-care level; seed 000 item 2: 签订委托照料服务协议，明确照料服务内容."""
    h = factories.headers(session, world.a.staff, **EN)
    person = factories.person(session, world.a.villages[1], name="钱淑珍", sex="F", level="partly_disabled")
    r = sign(client, h, person.id, world.a.caregiver.id, committee_signatory=" 村主任 张国强 ")
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["committee_signatory"] == "村主任 张国强"
    # by default all the catalogue owes the person's level, the disabled care included
    assert out["care_content"] == sorted(catalogue.services_for("partly_disabled"))
    assert "bathing" in out["care_content"] and out["filed_on"] is None and out["documents"] == []
    trail = session.scalar(select(AuditLog.detail).where(AuditLog.entity == "agreement", AuditLog.action == "create",
                                                         AuditLog.person_id == person.id))
    assert trail["committee_signatory"] == "村主任 张国强" and trail["care_content"] == out["care_content"]

    other = factories.person(session, world.a.villages[1], name="孙立", level="self_care")
    r = sign(client, h, other.id, world.a.caregiver.id, care_content=["regular_meals", "home_cleaning", "home_cleaning"])
    assert r.status_code == 201 and r.get_json()["care_content"] == ["home_cleaning", "regular_meals"]


@pytest.mark.parametrize("content, reason", [
    (["bathing"], "care_content_level"),  # 协助洗澡 is for 半失能/全失能 (seed 001 二(一)1), not a self-care person
    (["massage"], "care_content_unknown"),
    (["home_cleaning", ""], "care_content_unknown"),
])
def test_content_outside_the_catalogue_stores_nothing(client, session, world, content, reason):
    h = factories.headers(session, world.a.staff, **EN)
    person = factories.person(session, world.a.villages[1], name="周红", level="self_care")
    r = sign(client, h, person.id, world.a.caregiver.id, care_content=content)
    assert r.status_code == 422 and r.get_json()["reason"] == reason
    assert r.get_json()["message"]
    assert count(session, CareAgreement, person_id=person.id) == 0


def test_change_in_the_app(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    agreement_id = sign(client, h, factories.person(session, world.a.villages[1]).id, world.a.caregiver.id).get_json()["id"]
    r = client.put(f"/api/agreements/{agreement_id}", json={"committee_signatory": "李书记",
                                                             "care_content": ["doctor_visit"]}, headers=h)
    assert r.status_code == 200
    assert r.get_json()["committee_signatory"] == "李书记" and r.get_json()["care_content"] == ["doctor_visit"]
    assert client.get(f"/api/agreements/{agreement_id}", headers=h).get_json()["care_content"] == ["doctor_visit"]
    assert count(session, AuditLog, entity="agreement", entity_id=agreement_id, action="update") == 1

    bad = client.put(f"/api/agreements/{agreement_id}", json={"care_content": ["toileting"]}, headers=h)
    assert bad.status_code == 422 and bad.get_json()["reason"] == "care_content_level"
    assert client.put(f"/api/agreements/{agreement_id}", json={"relation": "relative"}, headers=h).status_code == 422
    # the other township's staff neither read nor change it
    other = factories.headers(session, world.b.staff, **EN)
    assert client.get(f"/api/agreements/{agreement_id}", headers=other).status_code == 403
    assert client.put(f"/api/agreements/{agreement_id}", json={"committee_signatory": "x"}, headers=other).status_code == 403
    # a caregiver is not staff
    assert client.get(f"/api/agreements/{agreement_id}",
                      headers=factories.headers(session, world.a.caregiver)).status_code == 403
    # an ended agreement is a record
    client.patch(f"/api/agreements/{agreement_id}", json={"status": "ended"}, headers=h)
    r = client.put(f"/api/agreements/{agreement_id}", json={"committee_signatory": "王"}, headers=h)
    assert r.status_code == 409 and r.get_json()["reason"] == "agreement_ended"
    assert client.put("/api/agreements/999999", json={"committee_signatory": "王"}, headers=h).status_code == 404


def test_signed_paper_through_the_photo_pipeline(client, session, world, app):
    """The signed 协议书 photographed: re-encoded, GPS stripped, read only by staff who manage the person."""
    h = factories.headers(session, world.a.staff, **EN)
    agreement_id = sign(client, h, factories.person(session, world.a.villages[1]).id, world.a.caregiver.id).get_json()["id"]
    r = upload(client, h, agreement_id, FILES.joinpath("with_gps.jpg").read_bytes())
    assert r.status_code == 201, r.get_json()
    [doc_id] = r.get_json()["documents"]
    status, headers, data, mimetype = fetch(client, f"/api/agreements/photos/{doc_id}", h)
    assert status == 200 and mimetype == "image/jpeg"
    assert "private" in headers["Cache-Control"]
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG" and not im.getexif() and b"Exif" not in data[:2000]
    assert count(session, AuditLog, entity="agreement", entity_id=agreement_id, action="read_document") == 1

    for who in (world.b.staff, world.a.caregiver, world.a.volunteer):
        assert fetch(client, f"/api/agreements/photos/{doc_id}", factories.headers(session, who))[0] == 403
    assert fetch(client, "/api/agreements/photos/999999", h)[0] == 404
    assert upload(client, factories.headers(session, world.b.staff), agreement_id, photo(3)).status_code == 403

    files = len(media_files(app))
    for bad in ("text.jpg", "truncated.jpg", "bomb.png"):
        r = upload(client, h, agreement_id, FILES.joinpath(bad).read_bytes(), name=bad)
        assert 400 <= r.status_code < 500 and r.get_json()["message"], bad
    assert client.post(f"/api/agreements/{agreement_id}/photos", data={}, headers=h,
                       content_type="multipart/form-data").status_code == 422
    assert count(session, AgreementDocument, agreement_id=agreement_id) == 1 and len(media_files(app)) == files


def test_the_district_files_it(client, session, world):
    """Seed 001 三(二)3: 完成《监管监护协议书》审核签订，并报旗民政局备案 — the district marks it 已备案, dated."""
    h = factories.headers(session, world.a.staff, **EN)
    admin = factories.headers(session, world.admin, **EN)
    person = factories.person(session, world.a.villages[1])
    agreement_id = sign(client, h, person.id, world.a.caregiver.id).get_json()["id"]
    url = f"/api/agreements/{agreement_id}/filing"

    assert client.post(url, json={}, headers=h).status_code == 403  # township staff do not file
    r = client.post(url, json={}, headers=admin)
    assert r.status_code == 409 and r.get_json()["reason"] == "agreement_no_committee"
    client.put(f"/api/agreements/{agreement_id}", json={"committee_signatory": "村主任"}, headers=h)
    r = client.post(url, json={}, headers=admin)
    assert r.status_code == 409 and r.get_json()["message"] == "Photograph the signed agreement first"
    upload(client, h, agreement_id, photo(7))
    tomorrow = (factories.today() + timedelta(days=1)).isoformat()
    assert client.post(url, json={"filed_on": tomorrow}, headers=admin).status_code == 422
    before = (factories.today() - timedelta(days=1)).isoformat()
    assert client.post(url, json={"filed_on": before}, headers=admin).status_code == 422  # before it was signed
    assert client.get("/api/agreements", query_string={"filed": "false", "place_id": world.a.place.id},
                      headers=h).get_json()[-1]["id"] == agreement_id

    r = client.post(url, json={}, headers=admin)
    assert r.status_code == 200
    assert r.get_json()["filed_on"] == factories.today().isoformat()
    assert r.get_json()["filed_by_name"] == world.admin.display_name
    assert client.post(url, json={}, headers=admin).get_json()["reason"] == "agreement_filed"
    assert count(session, AuditLog, entity="agreement", entity_id=agreement_id, action="file") == 1
    unfiled = client.get("/api/agreements", query_string={"filed": "false", "place_id": world.a.place.id}, headers=h)
    assert agreement_id not in [a["id"] for a in unfiled.get_json()]
    assert client.get("/api/agreements", query_string={"place_id": world.b.place.id}, headers=h).status_code == 403

    # a change makes it another paper: filed again
    r = client.put(f"/api/agreements/{agreement_id}", json={"care_content": ["doctor_visit"]}, headers=h)
    assert r.get_json()["filed_on"] is None
    detail = session.scalar(select(AuditLog.detail).where(AuditLog.entity_id == agreement_id,
                                                          AuditLog.action == "update").order_by(AuditLog.id.desc()))
    assert detail["unfiled"] == factories.today().isoformat()


def test_import_signs_with_the_catalogue_content(session, world):
    """A roster import's agreements carry the care content of each person's level, as the app's do."""
    from server.auth.actor import Actor
    from server.care import service

    person = factories.person(session, world.a.villages[1], level="fully_disabled")
    [agreement_id] = service.sign_agreements(session, actor=Actor(world.a.staff), today=factories.today(), agreements=[
        {"person_id": person.id, "caregiver_id": world.a.caregiver.id, "relation": "relative",
         "signed_on": factories.today(), "start_on": factories.today()}])
    assert session.get(CareAgreement, agreement_id).care_content == sorted(catalogue.services_for("fully_disabled"))
