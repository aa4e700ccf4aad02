"""月探访率 by group (seed 002 探访关爱机制: 独居、空巢、留守、失能、重残), district → township → village, and
volunteer activities that name the persons they served (seed 000 item 3), counted where the
district's policy says so."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.activities.models import ActivityPerson, VolunteerActivity
from tests import factories
from tests.quotas.test_quotas import ago, visit
from tests.visits.conftest import multipart, photo

pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}
GROUPS = ("lives_alone", "empty_nest", "left_behind", "disabled", "severe_disability", "family_planning_special", "any")


@pytest.fixture
def district(session, world):
    """Beside each township's 王德明/李秀英 (独居, both): persons in each group, some visited this month."""
    a1, a2 = world.a.villages
    b1, _ = world.b.villages
    cg_a, cg_b = world.a.caregiver, world.b.caregiver
    people = {
        "empty_alone": factories.person(session, a1, name="空巢独居", caregiver=cg_a, risk_flags=["empty_nest", "lives_alone"]),
        "left": factories.person(session, a2, name="留守人", caregiver=cg_a, risk_flags=["left_behind"]),
        "disabled": factories.person(session, a2, name="半失能人", level="partly_disabled", caregiver=cg_a),
        "severe": factories.person(session, b1, name="重残人", level="fully_disabled", caregiver=cg_b,
                                   risk_flags=["severe_disability"]),
        "none": factories.person(session, a1, name="无群体人", caregiver=cg_a),  # in no group: not counted
        "centralised": factories.person(session, a1, name="敬老院人", support_mode="centralised", status="centralised",
                                        risk_flags=["lives_alone"]),  # off the home-care register
    }
    visit(session, world.a.person, cg_a, when=ago(hours=3), mode="phone")  # a call counts (seed 002 通讯探访)
    visit(session, people["left"], cg_a, when=ago(hours=2))
    visit(session, people["severe"], cg_b, when=ago(hours=2), mode="remote")
    visit(session, people["disabled"], cg_a, when=ago(hours=1), status="exception")  # not verified: not visited
    visit(session, people["none"], cg_a, when=ago(hours=1))
    return people


def cell(groups, g):
    return groups[g]["visited"], groups[g]["total"], groups[g]["rate"]


def test_rates_by_group_add_up_from_village_to_district(client, session, world, district):
    admin = factories.headers(session, world.admin)
    top = client.get("/api/visit-rates", headers=admin).get_json()
    assert top["groups"] == list(GROUPS[:-1]) and top["level"] == "district"
    by_name = {c["name"]: c["groups"] for c in top["children"]}
    # 甲镇: 独居 王德明 (called) and 空巢独居 (not visited); 留守人 visited; 半失能人 only an exception
    assert cell(by_name["甲镇"], "lives_alone") == (1, 2, 50.0)
    assert cell(by_name["甲镇"], "empty_nest") == (0, 1, 0.0)
    assert cell(by_name["甲镇"], "left_behind") == (1, 1, 100.0)
    assert cell(by_name["甲镇"], "disabled") == (0, 1, 0.0)
    assert cell(by_name["甲镇"], "severe_disability") == (0, 0, None)
    assert cell(by_name["甲镇"], "any") == (2, 4, 50.0)  # each person once, 无群体人 and 敬老院人 not at all
    # 乙乡: 李秀英 (独居, never visited), 重残人 (remote monitoring: counts; fully disabled: 失能 too)
    assert cell(by_name["乙乡"], "severe_disability") == (1, 1, 100.0)
    assert cell(by_name["乙乡"], "disabled") == (1, 1, 100.0)
    assert cell(by_name["乙乡"], "any") == (1, 2, 50.0)
    for g in GROUPS:  # the district is the sum of its townships, group by group
        assert [top["total"][g][k] for k in ("visited", "total")] == [
            sum(c["groups"][g][k] for c in top["children"]) for k in ("visited", "total")]

    town = client.get(f"/api/visit-rates?place_id={world.a.place.id}", headers=admin).get_json()
    villages = {c["name"]: c["groups"] for c in town["children"]}
    assert cell(villages["甲镇1村"], "lives_alone") == (1, 2, 50.0) and cell(villages["甲镇2村"], "left_behind") == (1, 1, 100.0)
    for g in GROUPS:  # the township is the sum of its villages, and its row in the district's table
        assert town["total"][g] == by_name["甲镇"][g]
        assert town["total"][g]["total"] == sum(c["groups"][g]["total"] for c in town["children"])
    village = client.get(f"/api/visit-rates?place_id={world.a.villages[0].id}", headers=admin).get_json()
    assert village["children"] == [] and village["total"]["lives_alone"] == by_name["甲镇"]["lives_alone"]


def test_the_rates_follow_the_policy_and_say_which(client, session, world, district):
    admin = factories.headers(session, world.admin)
    factories.home_visits_policy(session, self_care=(1, None))  # a local rule: only home visits count for 全自理
    top = client.get("/api/visit-rates", headers=admin).get_json()
    town_a = next(c for c in top["children"] if c["name"] == "甲镇")["groups"]
    assert cell(town_a, "lives_alone") == (0, 2, 0.0)  # 王德明's call no longer counts
    assert top["policy"]["text"].startswith("执行标准（区（旗）民政局设定）")


def test_rates_report_as_a_spreadsheet_and_who_may_read_it(client, session, world, district):
    admin = factories.headers(session, world.admin)
    r = client.get("/api/reports/visit-rates?format=csv", headers=admin)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["地区", "独居人数", "独居已探访", "独居探访率"] and rows[0][-3:] == ["合计人数", "合计已探访", "合计探访率"]
    assert rows[1][:4] == ["甲镇", "2", "1", "50%"] and rows[3][0] == "合计"
    assert rows[3][1:4] == ["3", "1", "33.3%"]
    assert any("志愿服务队走访" in line[0] for line in rows[4:] if line)
    staff_b = factories.headers(session, world.b.staff, **EN)
    assert client.get(f"/api/visit-rates?place_id={world.a.place.id}", headers=staff_b).status_code == 403
    assert client.get("/api/visit-rates", headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert client.get("/api/visit-rates?month=2026-13", headers=admin).status_code == 422


def _activity(client, session, world, **over):
    body = {"team_id": world.a.team.id, "kind": "visit", "held_on": factories.today().isoformat(),
            "place_id": world.a.place.id, "participants": 3, "people_served": 0, **over}
    return client.post("/api/activities", json=body, headers=factories.headers(session, world.a.volunteer, **EN))


def test_a_volunteer_visit_naming_a_person_counts_or_not_per_policy(client, session, world, district):
    admin = factories.headers(session, world.admin)
    alone = district["empty_alone"]
    r = _activity(client, session, world, person_ids=[alone.id, alone.id])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["person_ids"] == [alone.id] and r.get_json()["people_served"] == 1

    def lives_alone_in_town_a():
        top = client.get("/api/visit-rates", headers=admin).get_json()
        return cell(next(c for c in top["children"] if c["name"] == "甲镇")["groups"], "lives_alone")

    # the default reads seed 002: visited 通过上门走访…结对帮扶、邻里互助 — by whoever comes
    assert lives_alone_in_town_a() == (2, 2, 100.0)
    coverage = client.get(f"/api/coverage?place_id={world.a.place.id}", headers=admin).get_json()
    assert coverage["total"]["visited"] == 4  # 王德明, 留守人, 无群体人 by caregivers; 空巢独居 by the volunteers
    assert coverage["total"]["quota_met"] == 3  # never toward a caregiver's quota
    schedule = client.get("/api/quotas/schedule", headers=admin).get_json()
    keep = {k: schedule[k] for k in ("volunteer_activities_per_month", "health_check_min_age", "review_month")}
    r = client.put("/api/quotas/schedule", json={**keep, "volunteer_visits_count": False}, headers=admin)
    assert r.status_code == 200 and r.get_json()["volunteer_visits_count"] is False
    assert lives_alone_in_town_a() == (1, 2, 50.0)
    rates = client.get("/api/reports/visit-rates", headers=admin).get_json()
    assert "志愿服务队走访不计入月探访率" in rates["notes"]
    # a volunteer visit last month is not this month's
    client.put("/api/quotas/schedule", json={**keep, "volunteer_visits_count": True}, headers=admin)
    last_month = factories.today().replace(day=1) - timedelta(days=1)
    session.execute(VolunteerActivity.__table__.update().values(held_on=last_month))
    assert lives_alone_in_town_a() == (1, 2, 50.0)


def test_an_activity_names_only_persons_of_the_teams_township(client, session, world, district):
    cases = [
        [world.b.person.id],  # another township
        [district["centralised"].id],  # in a care home, off the register
        [99999],  # nobody
    ]
    for ids in cases:
        r = _activity(client, session, world, person_ids=ids)
        assert r.status_code == 422 and r.get_json()["errors"]["person_ids"] == ids, r.get_json()
        assert r.get_json()["message"] == "A person named is not on the register of the team's township"
    assert _activity(client, session, world, person_ids="x").status_code == 422
    assert session.scalar(select(func.count()).select_from(VolunteerActivity)) == 0
    assert session.scalar(select(func.count()).select_from(ActivityPerson)) == 0


def test_persons_served_come_with_the_photos_as_a_repeated_form_field(client, session, world, district):
    body = {"team_id": world.a.team.id, "kind": "festival_visit", "held_on": factories.today().isoformat(),
            "place_id": world.a.villages[1].id, "participants": "4", "people_served": "5"}
    data = {**multipart(body, [photo(77)]), "person_ids": [str(district["left"].id), str(district["disabled"].id)]}
    r = client.post("/api/activities", data=data,
                    headers=factories.headers(session, world.a.volunteer), content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    assert sorted(r.get_json()["person_ids"]) == sorted([district["left"].id, district["disabled"].id])
    assert r.get_json()["people_served"] == 5
