"""Every local number in the district's hands (issue 29 part 8), each in its room's policy, shown
with its default and edited by district admins: the review months (seed 004 item 4: 特困人员、A类低保
每年3月; B、C类低保 分别在每年3月和9月), the health-check age (seed 000 item 4: 65周岁以上), late-submission
days (no seed: 7), volunteer activities a month (seed 000 item 3: 每月至少一次), the "321" ranges (seed
003 工作要求: 区级领导结对2-3人，处级领导结对1-2人，其他干部结对1人) and the festival list (seed 003: 元旦春节、
端午、中秋, and those a district adds). The tests run at 2026-11-18 10:00 in Shanghai."""

import pytest
from sqlalchemy import select

from server.audit.models import AuditLog
from server.errors import ServiceError
from server.pairing import service as pairing
from server.quotas import policy as quotas
from server.reviews import service as reviews
from tests import factories

EN = {"Accept-Language": "en"}
SCHEDULE = {"volunteer_activities_per_month": 1, "health_check_min_age": 65, "review_month": 3}


def test_the_schedule_shows_each_default_and_who_changed_it(client, session, world):
    """Seed 004 item 4 (3月; B、C类 3月和9月), seed 000 items 3 and 4 (每月至少一次; 65周岁以上): the
    defaults beside the values; a district admin's change is dated and named, and the reviews follow it."""
    staff = factories.headers(session, world.a.staff)
    got = client.get("/api/quotas/schedule", headers=staff).get_json()
    assert got["defaults"] == {"volunteer_activities_per_month": 1, "health_check_min_age": 65, "review_month": 3,
                               "review_second_month": 9, "late_submission_days": 7, "volunteer_visits_count": True,
                               "reminder_days_left": 7}
    assert (got["review_month"], got["review_second_month"], got["updated_by"], got["updated_at"]) == (3, 9, None, None)
    assert reviews.review_months(session) == (3, 9)

    admin = factories.headers(session, world.admin)
    r = client.put("/api/quotas/schedule", json={**SCHEDULE, "review_second_month": 10, "health_check_min_age": 70,
                                                  "late_submission_days": 5}, headers=admin)
    assert r.status_code == 200, r.get_json()
    saved = r.get_json()
    assert (saved["review_second_month"], saved["health_check_min_age"], saved["late_submission_days"]) == (10, 70, 5)
    assert saved["updated_by"] == world.admin.display_name and saved["updated_at"]
    assert reviews.review_months(session) == (3, 10)
    assert reviews.campaign(session, 2027, 10).yearly is False
    with pytest.raises(ServiceError):
        reviews.campaign(session, 2027, 9)
    assert quotas.late_submission_days(session) == 5
    # left to follow the first month (null), the second is six after it, as before
    client.put("/api/quotas/schedule", json={**SCHEDULE, "review_month": 4, "review_second_month": None}, headers=admin)
    assert reviews.review_months(session) == (4, 10)
    assert session.scalar(select(AuditLog.id).where(AuditLog.entity == "schedule")) is not None


def test_bad_schedule_input_is_refused_with_a_message(client, session, world):
    """Seed 004 item 4 names two different months: the same twice is refused, in Chinese and English, as
    are months and ages out of range; township staff read the schedule and cannot change it."""
    admin = factories.headers(session, world.admin)
    r = client.put("/api/quotas/schedule", json={**SCHEDULE, "review_second_month": 3}, headers=admin)
    assert r.status_code == 422 and r.get_json()["message"] == "两个核查月份不能相同"
    assert "review_second_month" in r.get_json()["errors"]
    assert client.put("/api/quotas/schedule", json={**SCHEDULE, "review_second_month": 10}, headers=admin).status_code == 200
    r = client.put("/api/quotas/schedule", json={**SCHEDULE, "review_month": 10}, headers={**admin, **EN})
    assert r.status_code == 422 and r.get_json()["message"] == "The two review months must differ"
    for bad in ({"review_second_month": 0}, {"review_second_month": 13}, {"health_check_min_age": 49},
                {"late_submission_days": 0}, {"volunteer_activities_per_month": 32}):
        r = client.put("/api/quotas/schedule", json={**SCHEDULE, **bad}, headers=admin)
        assert r.status_code == 422 and set(bad) <= set(r.get_json()["errors"]), (bad, r.get_json())
    assert client.put("/api/quotas/schedule", json=SCHEDULE, headers=factories.headers(session, world.a.staff)).status_code == 403
    assert reviews.review_months(session) == (3, 10)


def test_the_321_ranges_are_the_districts_with_seed_003s_as_default(client, session, world):
    """Seed 003 工作要求 (区级领导结对2-3人，处级领导结对1-2人，其他干部结对1人): the ranges a district admin
    sets judge the cadres; back to the seed's with one tap; bad ranges refused."""
    h = factories.headers(session, world.admin)
    got = client.get("/api/festivals/policy", headers=factories.headers(session, world.a.staff)).get_json()
    assert got["rule_321"] == got["rule_321_default"] == {"district_leader": [2, 3], "division_leader": [1, 2], "other": [1, 1]}
    assert pairing.rule_321("other", 2, pairing.rule_ranges(session)) == "over"

    r = client.put("/api/festivals/policy", json={"visitors": ["cadre", "volunteer"], "rule_321": {"other": [1, 3]}},
                   headers=h)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["rule_321"]["other"] == [1, 3] and r.get_json()["rule_321"]["district_leader"] == [2, 3]
    assert r.get_json()["updated_by"] == world.admin.display_name
    ranges = pairing.rule_ranges(session)
    assert pairing.rule_321("other", 2, ranges) is None
    assert "1–3" in pairing.rule_message(name="赵干部", rank="other", paired=4, ranges=ranges)

    for bad in ({"other": [2, 1]}, {"other": [0, 1]}, {"district_leader": [1, 21]}, {"other": [1]}, {"mayor": [1, 2]},
                {"other": ["一", 2]}):
        r = client.put("/api/festivals/policy", json={"visitors": ["cadre"], "rule_321": bad}, headers=h)
        assert r.status_code == 422 and r.get_json()["message"] and "rule_321" in r.get_json()["errors"], (bad, r.get_json())
    assert pairing.rule_ranges(session)["other"] == (1, 3)  # nothing half-stored: visitors unchanged too
    assert client.get("/api/festivals/policy", headers=h).get_json()["visitors"] == ["cadre", "volunteer"]
    en = client.put("/api/festivals/policy", json={"visitors": ["cadre"], "rule_321": {"other": [2, 1]}}, headers={**h, **EN})
    assert en.get_json()["message"] == "Each range is 1 to 20 persons, its least no more than its most"

    r = client.put("/api/festivals/policy", json={"visitors": ["cadre", "volunteer"], "rule_321_reset": True}, headers=h)
    assert r.get_json()["rule_321"] == r.get_json()["rule_321_default"]
    assert client.put("/api/festivals/policy", json={"visitors": ["cadre"], "rule_321": {"other": [1, 2]}},
                      headers=factories.headers(session, world.a.staff)).status_code == 403


def test_a_district_adds_a_festival_and_sets_its_window(client, session, world):
    """Seed 003 (利用元旦春节、端午、中秋等传统节日上门走访) and seed 000 item 12 (在重要节日…走访慰问): the three
    are always on the list; a district adds 重阳节 and sets its window; a festival not on the list, a bad
    name, or taking off one with campaigns is refused."""
    h = factories.headers(session, world.admin)
    visitors = ["cadre", "volunteer"]
    put = lambda festivals, headers=h: client.put("/api/festivals/policy", json={"visitors": visitors, "festivals": festivals},  # noqa: E731
                                                 headers=headers)
    got = client.get("/api/festivals/policy", headers=h).get_json()
    assert [(f["code"], f["label"], f["seed"]) for f in got["festival_list"]] == [
        ("spring", "元旦春节", True), ("dragon_boat", "端午", True), ("mid_autumn", "中秋", True)]
    window = {"year": 2026, "starts_on": "2026-10-20", "ends_on": "2026-10-31"}
    r = client.post("/api/festivals", json={**window, "festival": "重阳节"}, headers=h)
    assert r.status_code == 422 and r.get_json()["message"] == "节日名单中没有这个节日"

    r = put(["重阳节"])
    assert r.status_code == 200 and r.get_json()["festivals"] == ["重阳节"]
    assert r.get_json()["festival_list"][-1] == {"code": "重阳节", "label": "重阳节", "seed": False}
    r = client.post("/api/festivals", json={**window, "festival": "重阳节"}, headers=h)
    assert r.status_code == 201 and r.get_json()["label"] == "重阳节", r.get_json()
    assert client.get(f"/api/festivals/{r.get_json()['id']}/report", headers=h).status_code == 200

    for bad in ([""], ["端午"], ["元旦春节"], ["　"], ["国际老年人日和敬老月活动"], ["重阳节", "重阳节"], ["mid_autumn"]):
        r = put(bad)
        assert r.status_code == 422 and "festivals" in r.get_json()["errors"], (bad, r.get_json())
    assert put(["敬老月"], {**h, **EN}).status_code == 409  # 重阳节 has a campaign: cannot be taken off
    r = put(["敬老月"])
    assert r.status_code == 409 and r.get_json()["message"] == "重阳节已有慰问活动，不能从名单中删除"
    r = put(["重阳节", "敬老月"])
    assert r.get_json()["festivals"] == ["重阳节", "敬老月"]
    assert put(["重阳节"]).status_code == 200  # 敬老月 has no campaign
    assert put(["老人节"], factories.headers(session, world.a.staff)).status_code == 403
