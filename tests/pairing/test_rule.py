"""The "321" rule (seed 003 工作要求): 区级领导结对2-3人，处级领导结对1-2人，其他干部结对1人."""

import pytest
from sqlalchemy import select

from server.pairing.models import Pairing
from server.pairing.service import rule_321
from tests import factories
from tests.pairing.conftest import people_of


def pair_all(client, h, cadre, persons):
    answers = []
    for p in persons:
        r = client.post("/api/pairing/pairs", json={"cadre_id": cadre.id, "person_id": p.id}, headers=h)
        assert r.status_code == 201, r.get_json()
        answers.append(r.get_json())
    return answers


@pytest.mark.parametrize("rank,paired,state", [
    ("division_leader", 3, "over"), ("division_leader", 2, None), ("division_leader", 1, None),
    ("division_leader", 0, "under"),
    ("district_leader", 1, "under"), ("district_leader", 2, None), ("district_leader", 3, None),
    ("district_leader", 4, "over"),
    ("other", 1, None), ("other", 2, "over"), ("other", 0, "under"),
])
def test_the_rule_by_rank(rank, paired, state):
    assert rule_321(rank, paired) == state


def test_a_division_leader_with_three_is_flagged_with_two_is_not(client, session, world, pairs):
    h = factories.headers(session, world.a.staff)
    persons = people_of(session, world.a.villages[0], 3)
    first, second, third = pair_all(client, h, pairs.chief, persons)
    assert first["warnings"] == [] and second["warnings"] == []
    assert third["warnings"] == ["陈处长（处级领导）已结对3人，超过“321”原则的1–2人"]
    # the pairing is made all the same, and the report lists the cadre
    assert len(session.scalars(select(Pairing).where(Pairing.cadre_id == pairs.chief.id)).all()) == 3
    report = client.get("/api/pairing/rule", headers=h).get_json()
    outside = {c["display_name"]: (c["paired"], c["rule"]) for c in report["cadres_outside"]}
    assert outside["陈处长"] == (3, "over")
    # ending one brings them back within range
    ended = client.post(f"/api/pairing/pairs/{third['id']}/end", headers=h)
    assert ended.status_code == 200 and ended.get_json()["warnings"] == []
    report = client.get("/api/pairing/rule", headers=h).get_json()
    assert "陈处长" not in {c["display_name"] for c in report["cadres_outside"]}


def test_a_district_leader_with_one_is_flagged_with_three_is_not(client, session, world, pairs):
    h = factories.headers(session, world.a.staff)
    answers = pair_all(client, h, pairs.leader, people_of(session, world.a.villages[0], 3))
    assert answers[0]["warnings"] == ["刘区长（区级领导）结对1人，少于“321”原则的2–3人"]
    assert answers[1]["warnings"] == [] and answers[2]["warnings"] == []


def test_another_cadre_with_two_is_flagged(client, session, world, pairs):
    h = factories.headers(session, world.a.staff, **{"Accept-Language": "en"})
    first, second = pair_all(client, h, pairs.clerk, people_of(session, world.a.villages[0], 2))
    assert first["warnings"] == []
    assert second["warnings"] == ["赵干部 (other cadre) is paired with 2, more than the \"321\" rule's 1"]


def test_the_report_lists_every_cadre_outside_and_every_person_without_a_pair(client, session, world, pairs):
    h = factories.headers(session, world.a.staff)
    lonely = people_of(session, world.a.villages[1], 2, prefix="无结对")
    paired = people_of(session, world.a.villages[0], 1)
    pair_all(client, h, pairs.clerk, paired)
    report = client.get("/api/pairing/rule", headers=h).get_json()
    # 王德明 (the world's person) and the two new ones have no pair; 甲镇 only, not 乙乡
    assert sorted(u["name"] for u in report["unpaired"]) == sorted(["王德明", *(p.name for p in lonely)])
    assert report["unpaired_total"] == 3 and report["persons_total"] == 4
    outside = {c["display_name"]: c["rule"] for c in report["cadres_outside"]}
    assert outside == {"刘区长": "under", "陈处长": "under"}


def test_pairing_is_refused_outside_the_units_townships_and_the_staffs_own(client, session, world, pairs):
    h_b = factories.headers(session, world.b.staff)
    r = client.post("/api/pairing/pairs", json={"cadre_id": pairs.clerk.id, "person_id": world.b.person.id}, headers=h_b)
    assert r.status_code == 422 and r.get_json()["message"] == "该干部所在单位没有与乙乡结对，不能结对该街道（乡镇）的人员"
    h_a = factories.headers(session, world.a.staff)
    r = client.post("/api/pairing/pairs", json={"cadre_id": pairs.clerk.id, "person_id": world.b.person.id}, headers=h_a)
    assert r.status_code == 403
    r = client.post("/api/pairing/pairs", json={"cadre_id": 999999, "person_id": world.a.person.id}, headers=h_a)
    assert r.status_code == 404 and r.get_json()["message"] == "没有这名结对干部"
    ok = client.post("/api/pairing/pairs", json={"cadre_id": pairs.clerk.id, "person_id": world.a.person.id}, headers=h_a)
    assert ok.status_code == 201
    again = client.post("/api/pairing/pairs", json={"cadre_id": pairs.clerk.id, "person_id": world.a.person.id},
                        headers=h_a)
    assert again.status_code == 409 and again.get_json()["message"] == "这名干部已与该人员结对"
    assert session.scalars(select(Pairing)).all().__len__() == 1
    h_c = factories.headers(session, world.a.caregiver)
    assert client.post("/api/pairing/pairs", json={"cadre_id": pairs.clerk.id, "person_id": world.a.person.id},
                       headers=h_c).status_code == 403


def test_district_admin_makes_units_links_and_cadres_with_a_login(client, session, world):
    h = factories.headers(session, world.admin)
    r = client.post("/api/pairing/units", json={"name": "区民政局", "leader_name": "孙局长", "leader_phone": "023-6300",
                                                "township_ids": [world.a.place.id]}, headers=h)
    assert r.status_code == 201, r.get_json()
    unit = r.get_json()
    assert [t["name"] for t in unit["townships"]] == ["甲镇"] and unit["leader_name"] == "孙局长"
    again = client.post("/api/pairing/units", json={"name": "区民政局"}, headers=h)
    assert again.status_code == 409 and again.get_json()["message"] == "已有同名的结对单位"
    linked = client.post(f"/api/pairing/units/{unit['id']}/townships", json={"township_id": world.b.place.id}, headers=h)
    assert [t["name"] for t in linked.get_json()["townships"]] == ["甲镇", "乙乡"]
    bad = client.post(f"/api/pairing/units/{unit['id']}/townships", json={"township_id": world.a.villages[0].id},
                      headers=h)
    assert bad.status_code == 422 and bad.get_json()["message"] == "请选择一个街道（乡镇）"
    made = client.post("/api/pairing/cadres", json={"unit_id": unit["id"], "display_name": "钱科长",
                                                    "phone": "13912345678", "rank": "division_leader"}, headers=h)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    body = made.get_json()
    assert len(body["one_time_password"]) == 8 and body["username"] == "13912345678" and body["range"] == [1, 2]
    login = client.post("/api/auth/login", json={"username": "13912345678", "password": body["one_time_password"]})
    assert login.status_code == 200 and login.get_json()["user"]["must_change_password"] is True
    listed = client.get("/api/pairing/cadres", headers=h).get_json()
    assert [(c["display_name"], c["rule"]) for c in listed] == [("钱科长", "under")]
    assert "one_time_password" not in listed[0]
    # township staff may not add units or cadres; they see the units paired with their township
    hs = factories.headers(session, world.b.staff)
    assert client.post("/api/pairing/units", json={"name": "区财政局"}, headers=hs).status_code == 403
    assert [u["name"] for u in client.get("/api/pairing/units", headers=hs).get_json()] == ["区民政局"]
    bad_phone = client.post("/api/pairing/cadres", json={"unit_id": unit["id"], "display_name": "x", "phone": "12",
                                                         "rank": "other"}, headers=h)
    assert bad_phone.status_code == 422 and "phone" in bad_phone.get_json()["errors"]
