"""The move to a care home as one flow (issue 29 part 3). Seed 004 item 2: 确保有集中供养意愿的特困人员集中
供养率达到100%; seed 002 item 5: 对有集中供养意愿的特困老年人全部实行集中供养 — a wish (on the evaluation,
or recorded by staff) opens the township's task, the move closes it and counts in the report. Seed 001
§二(一)2: 对监护人生活照料、监护责任不到位，特困人员独自生活、生活质量和居住环境差的，要无条件地纳入敬老院
— these raise the recommendation whatever the overall result. Seed 003 (二): 逐步提升失能特困人员集中供养比例
达到80% — a report against a setting."""

from datetime import date

from sqlalchemy import select

from server.alerts.models import Alert
from server.care import service as care
from server.care.models import CareHome
from tests import factories
from tests.test_assessments import form

EN = {"Accept-Language": "en"}


def home(session, world, beds=40):
    h = CareHome(seq=1, name="甲镇敬老院", place_id=world.a.place.id, beds=beds, other_residents=0, staff=4)
    session.add(h)
    session.flush()
    return h


def assess(client, session, world, person, **over):
    r = client.post("/api/assessments", json=form(person.id, **over), headers=factories.headers(session, world.a.staff))
    assert r.status_code == 201, r.get_json()


def open_alerts(session, person, kind):
    return session.scalars(select(Alert).where(Alert.person_id == person.id, Alert.kind == kind,
                                               Alert.status != "resolved")).all()


def kpi(client, session, world):
    report = client.get(f"/api/reports/centralisation?place_id={world.district.id}",
                        headers=factories.headers(session, world.admin)).get_json()
    return report["rows"]


def test_a_wish_on_the_evaluation_opens_a_task_the_move_closes_and_the_report_counts(client, session, world):
    care_home = home(session, world)
    assess(client, session, world, world.a.person, wishes_centralised=True)
    [task] = open_alerts(session, world.a.person, "centralisation_wish")
    assert (task.place_id, task.title) == (world.a.place.id, "王德明有集中供养意愿，请安排入住敬老院")
    assert task.detail["recommend"] == "centralised"
    assert kpi(client, session, world)[0] == [1, "甲镇", 1, 0, "0%"]
    # the task cannot be ticked off as 转入敬老院 while the person is at home
    h = factories.headers(session, world.a.staff, **EN)
    r = client.post(f"/api/alerts/{task.id}/resolve", json={"outcome": "moved_to_care_home"}, headers=h)
    assert r.status_code == 409 and r.get_json()["reason"] == "move_not_recorded"
    r = client.post(f"/api/persons/{world.a.person.id}/centralise",
                    json={"care_home_id": care_home.id, "note": "本人同意"}, headers=h)
    assert r.status_code == 200
    session.expire_all()
    assert session.get(Alert, task.id).outcome == "moved_to_care_home"
    assert kpi(client, session, world)[0] == [1, "甲镇", 1, 1, "100%"]
    assert client.get(f"/api/care-homes/{care_home.id}", headers=h).get_json()["roster_residents"] == 1
    # the resident's stay ended (a death): they had moved, and still count as moved
    care.end_residence(session, person_id=world.a.person.id, on=date(2026, 11, 18))
    assert kpi(client, session, world)[0] == [1, "甲镇", 1, 1, "100%"]


def test_staff_record_a_wish_and_its_withdrawal(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    url = f"/api/persons/{world.a.person.id}/centralisation-wish"
    assert client.get(url, headers=h).get_json()["wishes_centralised"] is None
    r = client.put(url, json={"wishes_centralised": True}, headers=h)
    assert r.status_code == 200 and r.get_json()["wishes_centralised"] is True
    assert r.get_json()["wishes_centralised_on"] == factories.today().isoformat()
    [task] = open_alerts(session, world.a.person, "centralisation_wish")
    assert client.put(url, json={"wishes_centralised": True}, headers=h).status_code == 200  # once a day: one task
    assert len(open_alerts(session, world.a.person, "centralisation_wish")) == 1
    r = client.put(url, json={"wishes_centralised": False}, headers=h)
    assert r.status_code == 200
    session.expire_all()
    closed = session.get(Alert, task.id)
    assert (closed.status, closed.outcome) == ("resolved", "other")
    # bad input, and persons outside the staff's area or role
    assert client.put(url, json={"wishes_centralised": "maybe"}, headers=h).status_code == 422
    assert client.put(url, json={}, headers=h).status_code == 422
    r = client.put(url, json={"wishes_centralised": True, "on": "2099-01-01"}, headers=h)
    assert r.status_code == 422 and r.get_json()["reason"] == "date_in_future"
    assert client.put(f"/api/persons/{world.b.person.id}/centralisation-wish", json={"wishes_centralised": True},
                      headers=h).status_code == 403
    assert client.put(url, json={"wishes_centralised": True},
                      headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert client.put("/api/persons/99999/centralisation-wish", json={"wishes_centralised": True},
                      headers=h).status_code == 404


def test_the_unconditional_grounds_raise_the_recommendation_not_only_an_overall_bad(client, session, world):
    """Seed 001 §二(一)2's 无条件纳入: 照料、监护不到位 (护理情况 较差); 独自生活 with 生活质量 and 居住环境 差."""
    alone = world.a.person  # lives alone (risk flag)
    not_alone = factories.person(session, world.a.villages[0], name="张桂兰", sex="F")
    # care not in place, the overall result 较差: recommended
    assess(client, session, world, not_alone, care_quality="poor", overall="poor")
    [rec] = open_alerts(session, not_alone, "centralised_recommended")
    assert rec.detail["grounds"] == ["care_not_in_place"] and rec.detail["recommend"] == "centralised"
    # poor life and home, but not alone: not this ground
    other = factories.person(session, world.a.villages[0], name="周某")
    assess(client, session, world, other, quality_of_life="poor", living_environment="dirty", overall="poor")
    assert open_alerts(session, other, "centralised_recommended") == []
    # alone, poor life and home: recommended
    assess(client, session, world, alone, quality_of_life="poor", living_environment="dirty", overall="poor")
    [rec] = open_alerts(session, alone, "centralised_recommended")
    assert rec.detail["grounds"] == ["alone_poor_life"]
    # alone, but only the home poor: not
    third = factories.person(session, world.a.villages[1], name="赵某", risk_flags=["lives_alone"])
    assess(client, session, world, third, living_environment="dirty")
    assert open_alerts(session, third, "centralised_recommended") == []
    # closing without moving still needs a reason
    r = client.post(f"/api/alerts/{rec.id}/resolve", json={"outcome": "resolved_at_home"},
                    headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422 and r.get_json()["reason"] == "note_required"


def test_the_share_of_disabled_persons_in_centralised_care_against_the_target(client, session, world):
    """Seed 003 (二): 失能特困人员集中供养比例达到80% — today's share per township, the target a setting."""
    care_home = home(session, world)
    h = factories.headers(session, world.a.staff)
    movers = [factories.person(session, world.a.villages[0], name=f"失能{k}", level=lv)
              for k, lv in enumerate(("fully_disabled", "partly_disabled", "partly_disabled"))]
    factories.person(session, world.a.villages[1], name="低保失能", level="fully_disabled", assistance_category="dibao")
    for p in movers[:2]:
        assert client.post(f"/api/persons/{p.id}/centralise", json={"care_home_id": care_home.id},
                           headers=h).status_code == 200
    admin = factories.headers(session, world.admin)
    report = client.get(f"/api/reports/disabled-centralised?place_id={world.district.id}", headers=admin).get_json()
    assert report["headers"] == ["序号", "乡镇（街道）", "失能特困人员", "其中：集中供养", "分散供养", "集中供养比例", "目标"]
    assert report["rows"] == [[1, "甲镇", 3, 2, 1, "67%", "80%"], [2, "乙乡", 0, 0, 0, "—", "80%"],
                              ["合计", "", 3, 2, 1, "67%", "80%"]]
    assert client.put("/api/care-homes/policy", json={"occupancy_target_percent": 60, "disabled_centralised_percent": 90},
                      headers=admin).status_code == 200
    report = client.get(f"/api/reports/disabled-centralised?place_id={world.district.id}&format=xlsx", headers=admin)
    assert report.status_code == 200
    report = client.get(f"/api/reports/disabled-centralised?place_id={world.a.place.id}", headers=h).get_json()
    assert report["rows"][-1] == ["合计", "", 3, 2, 1, "67%", "90%"] and "90%" in report["notes"][0]
    assert client.get(f"/api/reports/disabled-centralised?place_id={world.b.place.id}", headers=h).status_code == 403
