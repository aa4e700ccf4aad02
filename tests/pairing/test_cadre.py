"""A cadre's login: their paired persons' names, villages and phone, nothing else; their pairing
visits go through the same check-in and verification as a caregiver's."""

from sqlalchemy import select

from server.audit.models import AuditLog
from server.pairing.models import Pairing
from server.visits.models import Visit
from tests import factories
from tests.visits.conftest import multipart, photo, visit_fields


def paired(session, world, pairs, person=None):
    p = Pairing(cadre_id=pairs.clerk.id, person_id=(person or world.a.person).id, started_on=factories.today(),
                created_by=world.a.staff.id)
    session.add(p)
    session.flush()
    return p


def test_a_cadre_sees_their_paired_persons_name_village_and_phone_only(client, session, world, pairs):
    world.a.person.phone = "13800001234"
    session.add(world.a.person)
    paired(session, world, pairs)
    h = factories.headers(session, pairs.users["clerk"])
    listed = client.get("/api/persons", headers=h).get_json()
    assert listed == [{"id": world.a.person.id, "name": "王德明", "village_id": world.a.villages[0].id,
                       "village_name": "甲镇1村", "phone": "13800001234"}]
    one = client.get(f"/api/persons/{world.a.person.id}", headers=h).get_json()
    assert set(one) == {"id", "name", "village_id", "village_name", "phone"}
    assert session.scalar(select(AuditLog).where(AuditLog.person_id == world.a.person.id, AuditLog.action == "read"))
    # nobody else: another person of the same township, or of another
    other = factories.person(session, world.a.villages[0], name="刘桂芝")
    for pid in (other.id, world.b.person.id):
        r = client.get(f"/api/persons/{pid}", headers=h)
        assert r.status_code == 403 and r.get_json()["message"]
    # and nothing of the staff's: agreements, users, alerts, reports, the pairing screens
    for url in ("/api/agreements", "/api/users", "/api/alerts", "/api/reports/coverage", "/api/pairing/cadres",
                "/api/pairing/annex", "/api/festivals", "/api/activities/teams", "/api/assessments/export"):
        assert client.get(url, headers=h).status_code == 403, url


def test_a_cadre_checks_in_a_pairing_visit_with_photo_and_gps_verified_the_same_way(client, session, world, pairs):
    pairing = paired(session, world, pairs)
    h = factories.headers(session, pairs.users["clerk"])
    fields = visit_fields(world.a.person.id, services=["festival_greeting", "heart_talk", "hardship_aid"],
                          observations={"note": "送去米和油"})
    r = client.post("/api/visits", data=multipart(fields, [photo(7)]), headers=h, content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["verification"]["status"] == "verified" and len(out["photos"]) == 1
    visit = session.get(Visit, out["id"])
    assert (visit.pairing_id, visit.agreement_id, visit.caregiver_id) == (pairing.id, None, pairs.users["clerk"].id)
    assert visit.services == ["festival_greeting", "heart_talk", "hardship_aid"] and visit.note == "送去米和油"
    # far from home: an exception for township review, as for a caregiver
    far = visit_fields(world.a.person.id, lat=42.4, lon=119.9, services=["heart_talk"])
    r = client.post("/api/visits", data=multipart(far, [photo(8)]), headers=h, content_type="multipart/form-data")
    far_out = r.get_json()["verification"]
    assert far_out["status"] == "exception" and "outside_geofence" in far_out["exceptions"]
    # the cadre lists their own visits only; the caregiver does not see them
    mine = client.get("/api/visits", headers=h).get_json()
    assert len(mine) == 2
    assert client.get("/api/visits", headers=factories.headers(session, world.a.caregiver)).get_json() == []


def test_a_cadre_cannot_check_in_outside_their_pairs_or_with_care_services(client, session, world, pairs):
    paired(session, world, pairs)
    h = factories.headers(session, pairs.users["clerk"])
    other = factories.person(session, world.a.villages[0], name="刘桂芝")
    r = client.post("/api/visits", data=multipart(visit_fields(other.id, services=["heart_talk"]), [photo(9)]),
                    headers=h, content_type="multipart/form-data")
    assert r.status_code == 403 and r.get_json()["message"] == "该人员不是您的结对帮扶对象"
    r = client.post("/api/visits", data=multipart(visit_fields(world.a.person.id), [photo(10)]), headers=h,
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "home_cleaning" in r.get_json()["message"]
    r = client.post("/api/visits", json=visit_fields(world.a.person.id, services=["heart_talk"]), headers=h)
    assert r.status_code == 422 and r.get_json()["message"] == "上门走访至少需要一张照片"
    assert session.scalars(select(Visit)).all() == []
    # a caregiver may not log a pairing service
    hc = factories.headers(session, world.a.caregiver)
    r = client.post("/api/visits", data=multipart(visit_fields(world.a.person.id, services=["heart_talk"]), [photo(11)]),
                    headers=hc, content_type="multipart/form-data")
    assert r.status_code == 422


def test_an_ended_pairing_closes_the_door(client, session, world, pairs):
    pairing = paired(session, world, pairs)
    hs = factories.headers(session, world.a.staff)
    assert client.post(f"/api/pairing/pairs/{pairing.id}/end", headers=hs).status_code == 200
    again = client.post(f"/api/pairing/pairs/{pairing.id}/end", headers=hs)
    assert again.status_code == 409 and again.get_json()["message"] == "这条结对已经结束"
    h = factories.headers(session, pairs.users["clerk"])
    assert client.get("/api/persons", headers=h).get_json() == []
    r = client.post("/api/visits", data=multipart(visit_fields(world.a.person.id, services=["heart_talk"]), [photo(12)]),
                    headers=h, content_type="multipart/form-data")
    assert r.status_code == 403


def test_the_catalogue_lists_the_pairing_services(client):
    zh = client.get("/api/visits/catalogue").get_json()["pairing_services"]
    assert [s["label"] for s in zh] == ["节日慰问", "交心谈心", "就业帮扶", "生活困难扶助", "电话/视频问候"]
    en = client.get("/api/visits/catalogue", headers={"Accept-Language": "en"}).get_json()["pairing_services"]
    assert en[1] == {"code": "heart_talk", "label": "Heart-to-heart talk"}
