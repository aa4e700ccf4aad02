"""Care homes as data (issue 29 part 1): seed 001 annex 2 (敖汉旗养老机构8月情况统计表: 名称, 实有床位数,
现入住老人数, 60%应住人数, 达到60%还应入住人数, 工作人员人数, 负责人, 联系电话) kept by district admins in
the app, residents counted from their stays, and 二(二)4's target (各敬老院入住率达到60%以上（随上级政策变化
适时调整）) a setting with its default and source. The tests run at 2026-11-18 10:00 in Shanghai."""

from datetime import date

from sqlalchemy import select

from server.audit.models import AuditLog
from server.care import service as care
from server.care.models import CareHome, CareResidence
from tests import factories

EN = {"Accept-Language": "en"}


def new_home(client, session, world, **over):
    body = {"name": "甲镇敬老院", "place_id": world.a.place.id, "beds": 40, "staff": 4, "other_residents": 20,
            "head_name": "胡院长", "phone": "15047678599", **over}
    return client.post("/api/care-homes", json=body, headers=factories.headers(session, world.admin, **EN))


def move(client, session, world, person, home_id, **over):
    return client.post(f"/api/persons/{person.id}/centralise", json={"care_home_id": home_id, **over},
                       headers=factories.headers(session, world.a.staff if person.village_id in
                                                 [v.id for v in world.a.villages] else world.b.staff, **EN))


def test_a_district_admin_adds_and_edits_a_home_and_the_township_keeps_its_numbers(client, session, world):
    """Seed 001 annex 2: the home's columns, 负责人 and 联系电话 among them, entered in the app."""
    r = new_home(client, session, world)
    assert r.status_code == 201, r.get_json()
    home = r.get_json()
    assert {k: home[k] for k in ("seq", "name", "place_name", "beds", "residents", "roster_residents", "other_residents",
                                 "target_percent", "target", "still_needed", "staff", "head_name", "phone")} == {
        "seq": 1, "name": "甲镇敬老院", "place_name": "甲镇", "beds": 40, "residents": 20, "roster_residents": 0,
        "other_residents": 20, "target_percent": 60, "target": 24, "still_needed": 4, "staff": 4, "head_name": "胡院长",
        "phone": "15047678599"}
    hid = home["id"]
    admin, staff_a, staff_b = (factories.headers(session, u, **EN) for u in (world.admin, world.a.staff, world.b.staff))
    # the township's staff keep its numbers, not its name, township or beds
    r = client.patch(f"/api/care-homes/{hid}", json={"other_residents": 22, "staff": 5, "head_name": "李院长"},
                     headers=staff_a)
    assert r.status_code == 200 and (r.get_json()["residents"], r.get_json()["staff"]) == (22, 5)
    r = client.patch(f"/api/care-homes/{hid}", json={"beds": 100}, headers=staff_a)
    assert r.status_code == 403 and r.get_json()["reason"] == "care_home_district_only"
    assert client.patch(f"/api/care-homes/{hid}", json={"staff": 9}, headers=staff_b).status_code == 403
    assert client.post("/api/care-homes", json={"name": "乙乡敬老院", "place_id": world.b.place.id, "beds": 10,
                                                "staff": 1}, headers=staff_b).status_code == 403
    r = client.patch(f"/api/care-homes/{hid}", json={"name": "甲镇中心敬老院", "beds": 50}, headers=admin)
    assert r.status_code == 200 and (r.get_json()["name"], r.get_json()["target"]) == ("甲镇中心敬老院", 30)
    assert client.get("/api/care-homes", headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert session.scalar(select(AuditLog.id).where(AuditLog.entity == "care_home", AuditLog.action == "update",
                                                    AuditLog.user_id == world.a.staff.id)) is not None


def test_bad_homes_are_refused_and_nothing_is_stored(client, session, world):
    assert new_home(client, session, world).status_code == 201
    for over, status, field in (({"beds": 0}, 422, "beds"), ({"beds": -3}, 422, "beds"), ({"name": ""}, 422, "name"),
                                ({"name": "院" * 61}, 422, "name"), ({"phone": "call me"}, 422, "phone"),
                                ({"other_residents": -1}, 422, "other_residents"), ({"staff": "many"}, 422, "staff"),
                                ({"place_id": 99999}, 404, None), ({"place_id": world.a.villages[0].id}, 422, "place_id")):
        r = new_home(client, session, world, **{"name": "另一敬老院", **over})
        assert r.status_code == status, (over, r.get_json())
        assert r.get_json()["message"]
        if field:
            assert field in r.get_json().get("errors", {}).get("json", r.get_json().get("errors", {})), (over, r.get_json())
    r = new_home(client, session, world)
    assert r.status_code == 409 and r.get_json()["reason"] == "care_home_exists"
    r = client.patch("/api/care-homes/99999", json={"staff": 1}, headers=factories.headers(session, world.admin, **EN))
    assert r.status_code == 404
    assert client.get("/api/care-homes/99999", headers=factories.headers(session, world.admin)).status_code == 404
    assert client.patch(f"/api/care-homes/{session.scalar(select(CareHome.id))}", json={"beds": None},
                        headers=factories.headers(session, world.admin)).status_code == 422
    assert len(session.scalars(select(CareHome)).all()) == 1


def test_the_occupancy_target_is_a_setting_with_its_default_and_source(client, session, world):
    """Seed 001 二(二)4: 入住率达到60%以上（随上级政策变化适时调整） — 60 until the district changes it."""
    hid = new_home(client, session, world).get_json()["id"]
    staff = factories.headers(session, world.a.staff, **EN)
    p = client.get("/api/care-homes/policy", headers=staff).get_json()
    assert (p["occupancy_target_percent"], p["default_percent"], p["is_default"]) == (60, 60, True)
    assert "二(二)4" in p["source"] and "60%" in p["source"]
    assert (p["disabled_centralised_percent"], p["disabled_default_percent"]) == (80, 80) and "80%" in p["disabled_source"]
    assert client.put("/api/care-homes/policy", json={"occupancy_target_percent": 70}, headers=staff).status_code == 403
    admin = factories.headers(session, world.admin, **EN)
    for bad in (0, 101, "sixty", None):
        assert client.put("/api/care-homes/policy", json={"occupancy_target_percent": bad},
                          headers=admin).status_code == 422, bad
    r = client.put("/api/care-homes/policy", json={"occupancy_target_percent": 75}, headers=admin)
    assert r.status_code == 200 and (r.get_json()["occupancy_target_percent"], r.get_json()["is_default"]) == (75, False)
    assert r.get_json()["disabled_centralised_percent"] == 80  # left as it was
    home = client.get(f"/api/care-homes/{hid}", headers=staff).get_json()
    assert (home["target_percent"], home["target"], home["still_needed"]) == (75, 30, 10)
    report = client.get(f"/api/reports/care-homes?place_id={world.district.id}&month=2026-11", headers=admin).get_json()
    assert report["headers"][4:6] == ["75%应住人数", "达到75%还应入住人数"]


def test_annex_2_of_a_month_counts_that_months_residents(client, session, world):
    """Residence is data: which home, from which day, until which day (end_residence, the last day there)."""
    hid = new_home(client, session, world).get_json()["id"]
    mover = factories.person(session, world.a.villages[1], name="张桂兰", sex="F", level="partly_disabled")
    assert move(client, session, world, mover, hid, decided_on="2026-11-05").status_code == 200
    assert move(client, session, world, world.b.person, hid, decided_on="2026-11-10").status_code == 200
    admin = factories.headers(session, world.admin)

    def residents(month):
        rows = client.get(f"/api/reports/care-homes?place_id={world.district.id}&month={month}",
                          headers=admin).get_json()["rows"]
        assert rows[-1][0] == "合计"
        return rows[0][3]

    assert (residents("2026-10"), residents("2026-11")) == (20, 22)
    # the stay ends on 11-12 (a death, say): counted in a month that ends before it, not after
    care.end_residence(session, person_id=world.b.person.id, on=date(2026, 11, 12))
    care.end_residence(session, person_id=world.a.person.id, on=date(2026, 11, 12))  # lives in none: nothing
    assert residents("2026-11") == 21
    stay = session.scalar(select(CareResidence).where(CareResidence.person_id == world.b.person.id))
    assert (stay.start_on, stay.end_on) == (date(2026, 11, 10), date(2026, 11, 12))
    # a township's staff get their township's homes only; the district's sum
    r = client.get(f"/api/reports/care-homes?place_id={world.b.place.id}&month=2026-11",
                   headers=factories.headers(session, world.b.staff)).get_json()
    assert r["rows"] == [["合计", "", 0, 0, 0, 0, 0, "", ""]]
    assert client.get(f"/api/reports/care-homes?place_id={world.a.place.id}&month=2026-11",
                      headers=factories.headers(session, world.b.staff)).status_code == 403


def test_the_move_screen_rules(client, session, world):
    """The move needs a bed free, a day not in the future, and a person at home on the roster."""
    hid = new_home(client, session, world, beds=21).get_json()["id"]
    r = move(client, session, world, world.a.person, hid, decided_on="2026-11-19")
    assert r.status_code == 422 and r.get_json()["reason"] == "date_in_future"
    assert move(client, session, world, world.a.person, hid, decided_on="2026-11-18").status_code == 200
    r = move(client, session, world, world.b.person, hid)
    assert r.status_code == 409 and r.get_json()["reason"] == "care_home_full"
    assert move(client, session, world, world.a.person, hid).status_code == 409  # moved already
    # the home shows its residents to those who may see them, and the read is audited
    home = client.get(f"/api/care-homes/{hid}", headers=factories.headers(session, world.a.staff)).get_json()
    assert [(p["name"], p["since"]) for p in home["persons"]] == [("王德明", "2026-11-18")]
    assert client.get(f"/api/care-homes/{hid}", headers=factories.headers(session, world.b.staff)).get_json()["persons"] == []
    assert session.scalar(select(AuditLog.id).where(AuditLog.action == "care_home_residents",
                                                    AuditLog.person_id == world.a.person.id)) is not None
    # fewer beds than its roster's residents living there today is refused
    session.get(CareHome, hid).other_residents = 0
    session.flush()
    assert move(client, session, world, world.b.person, hid).status_code == 200
    admin = factories.headers(session, world.admin, **EN)
    r = client.patch(f"/api/care-homes/{hid}", json={"beds": 1}, headers=admin)
    assert r.status_code == 409 and r.get_json()["reason"] == "care_home_beds_below_residents"
    assert client.patch(f"/api/care-homes/{hid}", json={"beds": 2}, headers=admin).status_code == 200
