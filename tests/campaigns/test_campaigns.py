"""Campaigns with a frequency: the yearly free health check for people of 65 and over (seed 000
item 4) and the quarterly clean-up with its checklist and points (seed 000 item 11); who is due,
who is done, coverage by village, the reminder before a period ends and the alert after."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server import jobs
from server.alerts.models import Alert
from server.audit.models import AuditLog
from server.campaigns.models import CampaignRecord
from server.notify.models import Notification
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
EN = {"Accept-Language": "en"}


def persons_by_name(coverage):
    return {p["name"]: p for p in coverage["persons"]}


@pytest.mark.clock_edges
def test_the_health_check_is_due_to_a_person_turning_65_this_year(client, session, world):
    year = factories.today().year
    village = world.a.villages[1]
    # 65 on the last day of this year: due all year; 65 next new year's day: not yet
    turning = factories.person(session, village, name="今年满65", born=date(year - 65, 12, 31))
    factories.person(session, village, name="明年满65", born=date(year - 64, 1, 1))
    h = factories.headers(session, world.a.staff)
    r = client.get("/api/campaigns/health_check", headers=h)
    assert r.status_code == 200
    cov = r.get_json()
    assert cov["period"] == str(year)
    due = persons_by_name(cov)
    assert set(due) == {"王德明", "今年满65"}
    # every person shown is a read in their audit trail
    shown = session.scalars(select(AuditLog.person_id).where(AuditLog.action == "health_check",
                                                             AuditLog.user_id == world.a.staff.id)).all()
    assert sorted(shown) == sorted([world.a.person.id, turning.id])
    assert due["今年满65"]["turns_min_age"] is True and due["今年满65"]["age"] == 65 and not due["今年满65"]["done"]
    body = {"person_id": turning.id, "done_on": factories.today().isoformat(), "family_doctor_signed": True}
    r = client.post("/api/campaigns/health_check/records", json=body, headers=h)
    assert r.status_code == 201, r.get_json()
    again = client.post("/api/campaigns/health_check/records", json=body, headers={**h, **EN})
    assert again.status_code == 409
    assert again.get_json()["message"] == f"今年满65 is already recorded for free health check this period ({year})"
    cov = client.get("/api/campaigns/health_check", headers=h).get_json()
    by_village = {v["name"]: v for v in cov["villages"]}
    assert by_village["甲镇2村"] == {"place_id": village.id, "name": "甲镇2村", "township": "甲镇", "due": 1, "done": 1,
                                   "points": 0, "doctor_signed": 1}
    assert by_village["甲镇1村"]["due"] == 1 and by_village["甲镇1村"]["done"] == 0
    assert cov["total"] == {"due": 2, "done": 1, "points": 0, "doctor_signed": 1}


def test_bad_health_check_records_store_nothing(client, session, world):
    year = factories.today().year
    young = factories.person(session, world.a.villages[0], name="年轻人", born=date(year - 40, 3, 1))
    h = factories.headers(session, world.a.staff, **EN)
    ok = {"person_id": world.a.person.id, "done_on": factories.today().isoformat(), "family_doctor_signed": False}
    cases = [
        ({**ok, "person_id": young.id}, 422, "campaign_not_due"),
        ({**ok, "person_id": world.b.person.id}, 403, "person_out_of_scope"),
        ({**ok, "done_on": (factories.today() + timedelta(days=1)).isoformat()}, 422, "date_in_future"),
        ({k: v for k, v in ok.items() if k != "family_doctor_signed"}, 422, "validation"),
    ]
    for body, status, reason in cases:
        r = client.post("/api/campaigns/health_check/records", json=body, headers=h)
        assert (r.status_code, r.get_json()["reason"]) == (status, reason), body
        assert r.get_json()["message"]
    for who in (world.a.volunteer, world.a.caregiver):
        r = client.post("/api/campaigns/health_check/records", json=ok, headers=factories.headers(session, who))
        assert r.status_code == 403
    assert client.get("/api/campaigns/health_check", headers=factories.headers(session, world.a.volunteer)).status_code == 403
    assert client.get("/api/campaigns/nothing", headers=h).status_code == 404
    for kind, period in (("health_check", "2026-Q1"), ("cleanup", "2026"), ("cleanup", "2026-Q5")):
        assert client.get(f"/api/campaigns/{kind}?period={period}", headers=h).status_code == 422
    assert client.get("/api/campaigns/cleanup?period=2026-Q3", headers=h).get_json()["ends_on"] == "2026-09-30"
    assert session.scalar(select(func.count()).select_from(CampaignRecord)) == 0


@pytest.mark.clock_edges
def test_clean_up_points_per_person_from_the_checklist(client, session, world):
    h = factories.headers(session, world.a.staff)
    second = factories.person(session, world.a.villages[1], name="张桂花", sex="F")
    today = factories.today().isoformat()
    r = client.post("/api/campaigns/cleanup/records", headers=h, json={
        "person_id": world.a.person.id, "done_on": today, "items": ["home_clean", "personal_hygiene", "no_odour"]})
    assert r.status_code == 201 and r.get_json()["points"] == 3
    # the district weighs the checklist its own way; a volunteer of the township records the next home
    admin = factories.headers(session, world.admin)
    policy = client.get("/api/campaigns/cleanup/policy", headers=admin).get_json()
    assert [i["code"] for i in policy["checklist"]] == ["home_clean", "personal_hygiene", "bedding_clothes", "no_odour"]
    policy["checklist"][0]["points"] = 5
    r = client.put("/api/campaigns/cleanup/policy", headers=admin,
                   json={"remind_days_before": 10, "checklist": policy["checklist"]})
    assert r.status_code == 200
    assert client.put("/api/campaigns/cleanup/policy", headers=h, json={"remind_days_before": 10}).status_code == 403
    vol = factories.headers(session, world.a.volunteer)
    r = client.post("/api/campaigns/cleanup/records", headers=vol, json={
        "person_id": second.id, "done_on": today, "items": ["home_clean", "bedding_clothes"]})
    assert r.status_code == 201 and r.get_json()["points"] == 6
    bad = client.post("/api/campaigns/cleanup/records", headers=vol, json={
        "person_id": second.id, "done_on": today, "items": ["polish_shoes"]})
    assert bad.status_code == 422 and bad.get_json()["reason"] == "checklist_unknown"
    other = client.post("/api/campaigns/cleanup/records", headers=factories.headers(session, world.b.volunteer),
                        json={"person_id": world.a.person.id, "done_on": today, "items": []})
    assert other.status_code == 403
    cov = client.get("/api/campaigns/cleanup", headers=vol).get_json()
    q = (factories.today().month - 1) // 3 + 1
    assert cov["period"] == f"{factories.today().year}-Q{q}"
    points = {p["name"]: p["points"] for p in cov["persons"]}
    assert points == {"王德明": 3, "张桂花": 6}
    assert cov["total"]["points"] == 9 and cov["total"]["done"] == 2


def alerts_for(session, period):
    return session.scalars(select(Alert).where(Alert.kind == "campaign_overdue",
                                               Alert.dedupe_key.like(f"campaign:cleanup:{period}:%"))).all()


def reminders(session, user):
    return session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                      Notification.kind == "campaign_cleanup")).all()


def test_reminder_before_the_quarter_ends_and_alert_after_at_shanghai_midnight(session, world, app_config, settings):
    db = app_config["DATABASE"]
    # township 甲镇 cleans 王德明's home in Q4; nobody cleans 李秀英's in 乙乡
    session.add(CampaignRecord(kind="cleanup", person_id=world.a.person.id, period="2026-Q4",
                               done_on=date(2026, 11, 2), recorded_by=world.a.staff.id))
    session.flush()
    early = jobs.run("campaign_watch", db, at=datetime(2026, 12, 16, 9, 40, tzinfo=SH), settings=settings)
    assert early["campaign_reminders"] == 0 and reminders(session, world.b.staff) == []  # 15 days left: not yet
    jobs.run("campaign_watch", db, at=datetime(2026, 12, 17, 9, 40, tzinfo=SH), settings=settings)
    sent = [n for n in reminders(session, world.b.staff) if "2026-Q4" in n.body]
    assert [n.body for n in sent] == ["本期（2026-Q4）人居环境卫生整治还有1人未完成，将于2026-12-31结束。"]
    assert not any("2026-Q4" in n.body for n in reminders(session, world.a.staff))
    # 23:59:59 on 31 December in Shanghai is still the quarter: no alert for it
    jobs.run("campaign_watch", db, at=datetime(2026, 12, 31, 23, 59, 59, tzinfo=SH), settings=settings)
    assert alerts_for(session, "2026-Q4") == []
    # two seconds later (16:00:01 UTC, still 31 December on the machine) the quarter is over
    jobs.run("campaign_watch", db, at=datetime(2026, 12, 31, 16, 0, 1, tzinfo=ZoneInfo("UTC")), settings=settings)
    raised = alerts_for(session, "2026-Q4")
    assert [(a.place_id, a.title, a.detail["not_done"]) for a in raised] == [
        (world.b.place.id, "乙乡2026-Q4人居环境卫生整治未完成", 1)]
    jobs.run("campaign_watch", db, at=datetime(2027, 1, 2, 9, 40, tzinfo=SH), settings=settings)
    assert len(alerts_for(session, "2026-Q4")) == 1
