"""Festival visits by social forces (issue 29 part 7). Seed 000 item 12 (开展特困人员关爱行动): 在重要节日，
发动社会力量，对特困人员进行走访慰问 — a volunteer team's 节日慰问 naming a person is that person's festival
visit as a paired cadre's is (seed 003 结对帮扶: 节日慰问、上门走访); whose visits count is the district's
setting (default: cadres and volunteers), and the reminders go to whoever can still act."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.audit.models import AuditLog
from server.notify.models import Notification
from server.pairing import festival
from tests import factories
from tests.pairing import test_festival

scene = test_festival.scene  # the fixture: 甲镇 with its cadres, 乙乡 with no paired unit

pytestmark = pytest.mark.clock_edges


def festival_visit(client, session, township, persons, *, kind="festival_visit", days_ago=0):
    """A volunteer of the township's team logs an activity naming ``persons``."""
    r = client.post("/api/activities", json={
        "team_id": township.team.id, "kind": kind, "held_on": (factories.today() - timedelta(days=days_ago)).isoformat(),
        "place_id": township.place.id, "person_ids": [p.id for p in persons]},
        headers=factories.headers(session, township.volunteer))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def set_visitors(client, session, world, visitors):
    r = client.put("/api/festivals/policy", json={"visitors": visitors}, headers=factories.headers(session, world.admin))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def township_row(report, name):
    return next((t["persons"], t["visited"], t["not_visited"], t["by_cadre"], t["by_volunteer"])
                for t in report["townships"] if t["name"] == name)


def test_a_volunteer_teams_festival_visit_naming_the_person_counts(client, session, world, pairs, scene):
    """Seed 000 item 12 (在重要节日，发动社会力量，对特困人员进行走访慰问): 乙乡 has no paired unit, and its
    volunteer team's 节日慰问 naming 李秀英 makes her visited — the report counts it and says who came."""
    cid = scene["campaign"]["id"]
    h = factories.headers(session, world.admin)
    report = lambda: client.get(f"/api/festivals/{cid}/report", headers=h).get_json()  # noqa: E731
    assert township_row(report(), "乙乡") == (1, 0, 1, 0, 0)  # 0% on main: only cadres counted
    festival_visit(client, session, world.b, [world.b.person])
    # a plain 走访 is not a festival visit; a 节日慰问 before the window is another festival's
    festival_visit(client, session, world.a, [scene["zhou"]], kind="visit")
    festival_visit(client, session, world.a, [scene["sun"]], days_ago=4)
    after = report()
    assert township_row(after, "乙乡") == (1, 1, 0, 0, 1)
    assert township_row(after, "甲镇") == (3, 1, 2, 1, 0)
    assert (after["visited"], after["by_cadre"], after["by_volunteer"]) == (2, 1, 1)
    assert after["policy"]["visitors"] == ["cadre", "volunteer"]
    assert [(u["name"], u["visited"], u["by_volunteer"]) for u in after["units"]] == [
        ("区委办公室、区发改委", 1, 0), (None, 1, 1)]
    assert sorted(p["name"] for p in client.get(f"/api/festivals/{cid}/unvisited", headers=h).get_json()) == [
        "周老汉", "孙大娘"]
    # who visited: the cadre by name, the team by name
    seen = {p["name"]: p["visitors"] for p in client.get(f"/api/festivals/{cid}/visited", headers=h).get_json()}
    assert seen == {"王德明": [{"kind": "cadre", "name": "赵干部"}],
                    "李秀英": [{"kind": "volunteer", "name": "乙乡志愿服务队"}]}
    # township staff see their own township's, and each read is audited
    hs = factories.headers(session, world.b.staff)
    assert [p["name"] for p in client.get(f"/api/festivals/{cid}/visited", headers=hs).get_json()] == ["李秀英"]
    assert session.scalar(select(AuditLog.id).where(AuditLog.action == "festival_visited")) is not None
    # the same team visiting a person a cadre visited too: visited once, by both
    festival_visit(client, session, world.a, [world.a.person])
    assert township_row(report(), "甲镇") == (3, 1, 2, 1, 1)


def test_the_district_setting_decides_whose_visits_count(client, session, world, pairs, scene):
    """Seed 000 item 12: which visitors count is the district's; by default cadres and volunteers (社会力量),
    shown with the passage it reads; cadres only, or volunteers only, as a district admin sets it."""
    cid = scene["campaign"]["id"]
    h = factories.headers(session, world.admin)
    got = client.get("/api/festivals/policy", headers=factories.headers(session, world.a.volunteer)).get_json()
    assert got["visitors"] == got["default"] == ["cadre", "volunteer"] and got["is_default"]
    assert "发动社会力量" in got["source"] and "第12项" in got["source"]
    assert [c["label"] for c in got["choices"]] == ["结对干部", "志愿服务队"]
    festival_visit(client, session, world.b, [world.b.person])
    totals = lambda: (lambda r: (r["visited"], r["by_cadre"], r["by_volunteer"]))(  # noqa: E731
        client.get(f"/api/festivals/{cid}/report", headers=h).get_json())
    assert totals() == (2, 1, 1)

    saved = set_visitors(client, session, world, ["cadre"])
    assert saved["visitors"] == ["cadre"] and not saved["is_default"] and saved["text"] == "计入节日走访慰问的走访：结对干部"
    assert totals() == (1, 1, 0)
    assert "李秀英" in [p["name"] for p in client.get(f"/api/festivals/{cid}/unvisited", headers=h).get_json()]

    set_visitors(client, session, world, ["volunteer", "cadre"])
    assert festival.policy(session).visitors == ["cadre", "volunteer"]
    set_visitors(client, session, world, ["volunteer"])
    assert totals() == (1, 0, 1)
    seen = {p["name"]: p["visitors"] for p in client.get(f"/api/festivals/{cid}/visited", headers=h).get_json()}
    assert seen == {"李秀英": [{"kind": "volunteer", "name": "乙乡志愿服务队"}]}
    assert session.scalar(select(AuditLog.detail).where(AuditLog.entity == "festival_policy")
                          .order_by(AuditLog.id.desc()).limit(1)) == {"visitors": ["volunteer"]}


def test_bad_input_to_the_setting_is_refused_with_a_message(client, session, world):
    """Seed 000 item 12's setting: at least one of cadres and volunteers, by district admins only."""
    h = factories.headers(session, world.admin)
    for body in ({"visitors": []}, {"visitors": ["caregiver"]}, {"visitors": "cadre"}, {}, {"visitors": [None]}):
        r = client.put("/api/festivals/policy", json=body, headers=h)
        assert r.status_code == 422 and r.get_json()["message"] and "visitors" in r.get_json()["errors"], (body, r.get_json())
    r = client.put("/api/festivals/policy", json={"visitors": []}, headers=h)
    assert r.get_json()["message"] == "请至少选择一种计入节日走访慰问的走访：结对干部、志愿服务队"
    en = client.put("/api/festivals/policy", json={"visitors": []}, headers={**h, "Accept-Language": "en"})
    assert en.get_json()["message"].startswith("Choose at least one kind of visit")
    for who in (world.a.staff, world.a.volunteer):
        assert client.put("/api/festivals/policy", json={"visitors": ["cadre"]},
                          headers=factories.headers(session, who)).status_code == 403
    assert festival.policy(session).visitors == ["cadre", "volunteer"]


def test_the_reminders_go_to_whoever_can_still_act(client, session, world, pairs, scene):
    """Seed 000 item 12: a team whose 节日慰问 would count is reminded of its township's persons not yet
    visited, a cadre of their pairs; neither when the district does not count their visits."""
    now, sh = factories.now(), factories.SH
    set_visitors(client, session, world, ["cadre"])
    assert festival.remind(session, now=now, zone=sh) == {"cadres_reminded": 1, "teams_reminded": 0}
    set_visitors(client, session, world, ["volunteer"])
    # 王德明 (the clerk's visit no longer counts) is named to no cadre: they cannot make it count
    assert festival.remind(session, now=now, zone=sh) == {"cadres_reminded": 0, "teams_reminded": 2}
    team = session.scalars(select(Notification).where(Notification.user_id == world.a.volunteer.id)).all()
    assert [(n.body, n.url) for n in team] == [
        (f"元旦春节走访慰问截至{scene['campaign']['ends_on']}，甲镇还有3人没有走访慰问。", "/#/volunteer")]
    assert session.scalars(select(Notification).where(Notification.user_id == pairs.users["clerk"].id)).all() == []


def test_a_township_visited_by_its_team_is_not_reminded(client, session, world, pairs, scene):
    """Seed 000 item 12: once 乙乡's team has visited everyone there, it is not reminded again that day's run."""
    festival_visit(client, session, world.b, [world.b.person])
    assert festival.remind(session, now=factories.now(), zone=factories.SH) == {"cadres_reminded": 1,
                                                                                "teams_reminded": 1}
    assert session.scalars(select(Notification).where(Notification.user_id == world.b.volunteer.id)).all() == []


def test_the_report_shows_the_districts_321_ranges(client, session, world, pairs, scene):
    """Seed 003 工作要求 ("321": 区级领导2–3, 处级领导1–2, 其他干部1) as the district set them: the festival
    report states the ranges in force, not the seed's once the district changed them."""
    cid = scene["campaign"]["id"]
    h = factories.headers(session, world.admin)
    assert client.get(f"/api/festivals/{cid}/report", headers=h).get_json()["policy"]["rule_321"]["other"] == [1, 1]
    r = client.put("/api/festivals/policy", json={"visitors": ["cadre", "volunteer"], "rule_321": {"other": [1, 3]}},
                   headers=h)
    assert r.status_code == 200, r.get_json()
    assert client.get(f"/api/festivals/{cid}/report", headers=h).get_json()["policy"]["rule_321"]["other"] == [1, 3]
