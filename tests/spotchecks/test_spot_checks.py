"""重点抽查、随机暗访 (seed 003 三(四), issue 28 problem 11): each month a random share of each
township's verified visits (a district setting, 5% by local default) goes to its staff for a
call-back; 属实 / 不属实 is recorded with a note, and 不属实 turns the visit into a rejection with
its consequences — the fraud rule, the closed month counted again, the caregiver told."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server import jobs
from server.alerts.models import Alert
from server.audit.models import AuditLog
from server.casework.models import CaseworkPolicy
from server.notify.models import Notification
from server.quotas.models import MonthAmendment
from server.spotchecks.models import SpotCheck
from server.visits.models import Visit
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
OCTOBER = datetime(2026, 10, 1, tzinfo=SH)


def add_visit(session, town, when, status="verified", cadre=False) -> Visit:
    agreement = session.scalar(select(factories.CareAgreement.id).where(
        factories.CareAgreement.person_id == town.person.id)) if not cadre else None
    v = Visit(client_id=str(uuid.uuid4()), person_id=town.person.id, caregiver_id=town.caregiver.id,
              agreement_id=agreement, mode="home", started_at=when, ended_at=when + timedelta(minutes=30),
              status=status, content_hash="x" * 64, received_at=when + timedelta(minutes=31), health="well",
              services=["home_cleaning"])
    session.add(v)
    session.flush()
    return v


@pytest.fixture
def october(session, world):
    """Township 甲 (a): 40 verified visits in October, and others that are not drawn — waiting for
    review, accepted on review, a paired cadre's, and verified ones just outside the month in
    Shanghai. Township 乙 (b): 3 verified visits."""
    a = [add_visit(session, world.a, OCTOBER + timedelta(hours=8 + 17 * k)) for k in range(39)]
    a.append(add_visit(session, world.a, datetime(2026, 10, 31, 23, 30, tzinfo=SH)))  # 15:30 UTC: still October
    for status in ("exception", "accepted", "rejected"):
        add_visit(session, world.a, OCTOBER + timedelta(days=3), status=status)
    add_visit(session, world.a, OCTOBER + timedelta(days=4), cadre=True)
    add_visit(session, world.a, datetime(2026, 9, 30, 23, 59, tzinfo=SH))
    add_visit(session, world.a, datetime(2026, 11, 1, 0, 10, tzinfo=SH))
    b = [add_visit(session, world.b, OCTOBER + timedelta(days=d)) for d in (2, 9, 16)]
    session.commit()
    return {"a": a, "b": b}


def drawn(session, township):
    return session.scalars(select(SpotCheck).where(SpotCheck.township_id == township.place.id)).all()


def set_percent(session, n):
    row = session.get(CaseworkPolicy, 1) or CaseworkPolicy(id=1)
    row.spot_check_percent = n
    session.add(row)
    session.commit()


def test_the_draw_takes_the_share_of_each_townships_verified_visits_of_the_month(session, world, october, db, settings):
    result = jobs.run("spot_check_draw", db, at=datetime(2026, 11, 1, 1, 0, tzinfo=SH), settings=settings)
    assert (result["month"], result["percent"], result["drawn"]) == ("2026-10", 5, 3)
    a, b = drawn(session, world.a), drawn(session, world.b)
    assert len(a) == 2 and len(b) == 1  # ⌈40 × 5%⌉ and ⌈3 × 5%⌉: a township with any visit is checked
    assert {c.visit_id for c in a} <= {v.id for v in october["a"]}  # verified caregiver visits of October only
    assert {c.visit_id for c in b} <= {v.id for v in october["b"]}
    assert {c.month for c in a + b} == {"2026-10"}
    # each township's staff are told, in their inbox
    note = session.scalars(select(Notification).where(Notification.user_id == world.a.staff.id,
                                                      Notification.kind == "spot_check")).one()
    assert note.title == "2026年10月走访抽查回访"
    assert note.body.startswith("2026年10月已核实的走访中随机抽取了 2 条（5%）")
    assert note.url == "/#/spot-checks"


def test_a_second_run_draws_nothing_more(session, world, october, db, settings):
    at = datetime(2026, 11, 1, 1, 0, tzinfo=SH)
    jobs.run("spot_check_draw", db, at=at, settings=settings)
    first = {c.visit_id for c in session.scalars(select(SpotCheck))}
    assert jobs.run("spot_check_draw", db, at=at + timedelta(hours=2), settings=settings)["skipped"] == "already done"
    from server.spotchecks import service
    again = service.draw(session, year=2026, month=10, zone=SH, now=at + timedelta(days=1))
    assert again["drawn"] == 0 and again["notified"] == 0
    assert {c.visit_id for c in session.scalars(select(SpotCheck))} == first


def test_the_share_is_the_districts_setting_and_the_draw_is_random(session, world, october):
    from server.spotchecks import service

    set_percent(session, 0)
    assert service.draw(session, year=2026, month=10, zone=SH, now=datetime(2026, 11, 1, 1, tzinfo=SH))["drawn"] == 0
    set_percent(session, 50)
    service.draw(session, year=2026, month=10, zone=SH, now=datetime(2026, 11, 1, 1, tzinfo=SH))
    picked = sorted(c.visit_id for c in drawn(session, world.a))
    assert len(picked) == 20
    # not the first twenty, nor the last: a caregiver cannot tell which visits will be called back
    ids = sorted(v.id for v in october["a"])
    assert picked not in (ids[:20], ids[20:])


def test_the_setting_is_edited_by_the_district_in_the_app(client, session, world):
    admin = factories.headers(session, world.admin, **{"Accept-Language": "zh-CN"})
    policy = client.get("/api/casework/policy", headers=admin).get_json()
    assert policy["spot_check_percent"] == 5
    r = client.put("/api/casework/policy", json={**{k: policy[k] for k in (
        "relief_statement_days", "evaluation_interval_months", "fraud_rejections", "fraud_window_days")},
        "spot_check_percent": 101}, headers=admin)
    assert r.status_code == 422 and "spot_check_percent" in r.get_json()["errors"]
    r = client.put("/api/casework/policy", json={**{k: policy[k] for k in (
        "relief_statement_days", "evaluation_interval_months", "fraud_rejections", "fraud_window_days")},
        "spot_check_percent": 10}, headers=admin)
    assert r.status_code == 200 and r.get_json()["spot_check_percent"] == 10
    staff = factories.headers(session, world.a.staff)
    assert client.put("/api/casework/policy", json={"spot_check_percent": 10}, headers=staff).status_code in (403, 422)


@pytest.fixture
def checks(session, world, october, db, settings):
    jobs.run("spot_check_draw", db, at=datetime(2026, 11, 1, 1, 0, tzinfo=SH), settings=settings)
    return {"a": drawn(session, world.a), "b": drawn(session, world.b)}


def test_staff_see_their_townships_checks_with_whom_to_call(client, session, world, checks):
    world.a.person.phone = "13812345678"
    session.add(world.a.person)
    session.commit()
    r = client.get("/api/spot-checks", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200
    body = r.get_json()
    assert body["month"] == "2026-10" and body["percent"] == 5  # the last month closed, by default
    assert [(t["name"], t["drawn"], t["checked"], t["untrue"]) for t in body["townships"]] == \
        [(world.a.place.name, 2, 0, 0)]
    assert {c["id"] for c in body["checks"]} == {c.id for c in checks["a"]}
    one = body["checks"][0]
    assert (one["person_name"], one["person_phone"], one["caregiver_name"]) == \
        (world.a.person.name, "13812345678", world.a.caregiver.display_name)
    assert one["outcome"] is None and one["visit_status"] == "verified"
    # every person shown is a read of their record
    reads = session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "read_spot_check",
                                                                          AuditLog.user_id == world.a.staff.id))
    assert reads == 2


def test_the_district_sees_every_township_and_may_filter(client, session, world, checks):
    admin = factories.headers(session, world.admin)
    body = client.get("/api/spot-checks?month=2026-10", headers=admin).get_json()
    assert len(body["checks"]) == 3 and len(body["townships"]) == 2
    one = client.get(f"/api/spot-checks?month=2026-10&place_id={world.b.place.id}", headers=admin).get_json()
    assert [c["township_id"] for c in one["checks"]] == [world.b.place.id]
    none = client.get("/api/spot-checks?month=2026-09", headers=admin).get_json()
    assert (none["checks"], none["percent"]) == ([], None)


def test_a_month_drawn_keeps_the_share_it_was_drawn_at(client, session, world, checks):
    set_percent(session, 20)
    body = client.get("/api/spot-checks?month=2026-10", headers=factories.headers(session, world.admin)).get_json()
    assert body["percent"] == 5 and len(body["checks"]) == 3


@pytest.mark.parametrize("who, query, status", [
    ("a_staff", "place_id={b}", 403),
    ("caregiver", "", 403),
    ("volunteer", "", 403),
    ("admin", "place_id={village}", 422),
    ("admin", "month=2026-13", 422),
])
def test_what_is_not_yours_to_see_is_refused(client, session, world, checks, who, query, status):
    user = {"a_staff": world.a.staff, "caregiver": world.a.caregiver, "volunteer": world.a.volunteer,
            "admin": world.admin}[who]
    q = query.format(b=world.b.place.id, village=world.a.villages[0].id)
    assert client.get(f"/api/spot-checks?{q}", headers=factories.headers(session, user)).status_code == status


def record(client, session, user, check, **body):
    return client.post(f"/api/spot-checks/{check.id}", json=body,
                       headers=factories.headers(session, user, **{"Accept-Language": "zh-CN"}))


def test_true_is_recorded_once_and_the_visit_stays_counted(client, session, world, checks):
    check = checks["a"][0]
    r = record(client, session, world.a.staff, check, outcome="true", note="电话回访本人，确认每周上门")
    assert r.status_code == 200
    assert (r.get_json()["outcome"], r.get_json()["note"], r.get_json()["visit_status"]) == \
        ("true", "电话回访本人，确认每周上门", "verified")
    assert session.get(Visit, check.visit_id).status == "verified"
    again = record(client, session, world.a.staff, check, outcome="false", reason="not_at_home", note="改口")
    assert again.status_code == 409 and again.get_json()["message"] == "该抽查已经回访登记过了"
    assert session.get(Visit, check.visit_id).status == "verified"


@pytest.mark.parametrize("body, fields", [
    ({"outcome": "false"}, {"reason", "note"}),
    ({"outcome": "false", "reason": "not_at_home"}, {"note"}),
    ({"outcome": "false", "reason": "not_at_home", "note": "   "}, {"note"}),
    ({"outcome": "false", "note": "没见过照料人"}, {"reason"}),
])
def test_untrue_needs_what_was_found_and_stores_nothing_half(client, session, world, checks, body, fields):
    check = checks["a"][0]
    r = record(client, session, world.a.staff, check, **body)
    assert r.status_code == 422
    assert r.get_json()["message"] == "核实不属实时，请选择是未上门还是照料未落实，并写明回访了解到的情况"
    assert set(r.get_json()["errors"]) == fields
    session.expire_all()
    assert session.get(SpotCheck, check.id).outcome is None
    assert session.get(Visit, check.visit_id).status == "verified"


@pytest.mark.parametrize("body", [{"outcome": "maybe"}, {"outcome": "false", "reason": "device_clock_wrong", "note": "x"},
                                  {"outcome": "true", "note": "长" * 501}])
def test_malformed_outcomes_are_refused(client, session, world, checks, body):
    r = record(client, session, world.a.staff, checks["a"][0], **body)
    assert r.status_code == 422
    session.expire_all()
    assert session.get(SpotCheck, checks["a"][0].id).outcome is None


def test_another_townships_staff_cannot_record_and_a_missing_check_is_404(client, session, world, checks):
    assert record(client, session, world.b.staff, checks["a"][0], outcome="true").status_code == 403
    assert record(client, session, world.a.staff, checks["b"][0], outcome="true").status_code == 403
    assert client.post("/api/spot-checks/999999", json={"outcome": "true"},
                       headers=factories.headers(session, world.a.staff)).status_code == 404


def test_untrue_rejects_the_visit_with_every_consequence(client, session, world, checks, db, settings):
    # October is closed (the 1st, 00:30) before the call-back, as it is in life
    jobs.run("month_close", db, at=datetime(2026, 11, 1, 0, 30, tzinfo=SH), settings=settings)
    first, second = checks["a"]
    r = record(client, session, world.a.staff, first, outcome="false", reason="not_at_home",
               note="回访本人：十月只见过照料人一次")
    assert r.status_code == 200
    assert (r.get_json()["outcome"], r.get_json()["reason"], r.get_json()["visit_status"]) == \
        ("false", "not_at_home", "rejected")
    session.expire_all()
    v = session.get(Visit, first.visit_id)
    assert (v.status, v.review_reason, v.review_note, v.reviewed_by) == \
        ("rejected", "not_at_home", "回访本人：十月只见过照料人一次", world.a.staff.id)
    # the caregiver is told, in plain words
    told = session.scalars(select(Notification).where(Notification.user_id == world.a.caregiver.id,
                                                      Notification.kind == "visit_review")).all()
    assert len(told) == 1 and "核实未上门" in told[0].body
    # the closed month is counted again for the person, and says why
    amendment = session.scalars(select(MonthAmendment).where(MonthAmendment.person_id == world.a.person.id)).one()
    assert (amendment.month, amendment.reason, amendment.ref) == ("2026-10", "spot_check", v.id)
    assert session.scalars(select(AuditLog).where(AuditLog.action == "overturn")).one().entity_id == v.id
    # a second untrue within the window: 疑似虚报 (CaseworkPolicy: 2 in 90 days)
    assert session.scalar(select(func.count()).select_from(Alert).where(Alert.kind == "suspected_fraud")) == 0
    record(client, session, world.a.staff, second, outcome="false", reason="service_not_done", note="没有打扫过")
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Alert).where(Alert.kind == "suspected_fraud")) == 1
    body = client.get("/api/spot-checks", headers=factories.headers(session, world.a.staff)).get_json()
    assert [(t["drawn"], t["checked"], t["untrue"]) for t in body["townships"]] == [(2, 2, 2)]


def test_the_staff_home_counts_the_checks_not_yet_called_back(client, session, world, checks):
    badges = lambda user: client.get("/api/reports/badges", headers=factories.headers(session, user)).get_json()  # noqa: E731
    assert badges(world.a.staff)["spot_checks"] == 2 and badges(world.admin)["spot_checks"] == 3
    record(client, session, world.a.staff, checks["a"][0], outcome="true")
    assert badges(world.a.staff)["spot_checks"] == 1 and badges(world.b.staff)["spot_checks"] == 1
