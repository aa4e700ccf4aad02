"""Issue 27: one truth for every month. A closed month is a record nothing done later shifts; the
two measures (月探访率 and 照料服务履约) have one rule each, and every screen, report and the month
close agree on them; corrections are amendments; a policy applies from the month chosen."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from server import jobs
from server.audit.models import AuditLog
from server.care.models import CareAgreement
from server.notify.models import Notification
from server.pairing.models import Pairing
from server.people.models import Absence
from server.quotas.models import AgreementMonth, MonthAmendment, PersonMonth
from server.visits.models import Visit
from tests import factories
from tests.imports.test_imports_api import apply, dry_run, roster
from tests.imports.conftest import make_xlsx
from tests.pairing.conftest import make_pairs

SH = ZoneInfo("Asia/Shanghai")
EN = {"Accept-Language": "en"}
DEC6 = datetime(2026, 12, 6, 10, 0, tzinfo=SH)  # the day the issue imported, edited and exited


def visit(session, person, user, when, *, status="verified", mode="home", pairing_id=None):
    v = Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=user.id, mode=mode, started_at=when,
              ended_at=when + timedelta(minutes=20), status=status, content_hash="x" * 64, received_at=when,
              pairing_id=pairing_id, exceptions=["outside_geofence"] if status == "exception" else [])
    session.add(v)
    session.flush()
    return v


def close(db, settings, year, month):
    """The month close the scheduler runs at 00:30 on the 1st of the next month."""
    nxt = (year + month // 12, month % 12 + 1)
    return jobs.run("month_close", db, at=datetime(*nxt, 1, 0, 30, tzinfo=SH), settings=settings)


def since(session, person, day: date):
    """Every agreement of ``person`` ran from ``day``."""
    for a in session.scalars(select(CareAgreement).where(CareAgreement.person_id == person.id)):
        a.start_on = day
    session.flush()


def get(client, session, user, path, **headers):
    r = client.get(path, headers=factories.headers(session, user, **headers))
    assert r.status_code == 200, (path, r.get_json())
    return r.get_json()


# --- a closed month never shifts ---------------------------------------------------------------------------


CLOSED_VIEWS = [
    ("admin", "/api/coverage?month={m}"),
    ("staff", "/api/coverage?month={m}"),
    ("admin", "/api/visit-rates?month={m}"),
    ("admin", "/api/reports/coverage?month={m}"),
    ("admin", "/api/reports/visit-rates?month={m}"),
    ("admin", "/api/reports/agreements?month={m}"),
    ("staff", "/api/coverage/persons?month={m}&unvisited_only=false"),
    ("admin", "/api/coverage/missed?month={m}"),
]


def test_last_months_figures_stand_whatever_is_done_today(client, session, world, db, settings):
    """Import 5 persons today, edit the quota today, record an exit today: October and November,
    closed, come back identical, the JSON compared whole; December reflects each change."""
    a, b = world.a, world.b
    for p in (a.person, b.person):
        since(session, p, date(2026, 9, 1))
    visit(session, a.person, a.caregiver, datetime(2026, 10, 10, 9, tzinfo=SH))
    visit(session, a.person, a.caregiver, datetime(2026, 11, 5, 9, tzinfo=SH), mode="phone")
    visit(session, b.person, b.caregiver, datetime(2026, 11, 29, 9, tzinfo=SH))
    close(db, settings, 2026, 10)
    close(db, settings, 2026, 11)
    users = {"admin": world.admin, "staff": a.staff}

    def views(month):
        return [get(client, session, users[who], path.format(m=month)) for who, path in CLOSED_VIEWS]

    with time_machine.travel(DEC6, tick=False):
        before = {m: views(m) for m in ("2026-10", "2026-11")}
        december = get(client, session, world.admin, "/api/coverage")
        dec_agreements = get(client, session, world.admin, "/api/reports/agreements")
        dashboard = get(client, session, world.admin, "/api/reports/dashboard")
        assert before["2026-10"][0]["state"] == "closed" and december["state"] == "live"
        assert before["2026-10"][0]["total"] == {"active": 2, "visited": 1, "agreements": 2, "quota_met": 1,
                                                 "excused": 0}

        # today: 5 persons imported into 甲镇, the quota raised from this month, b exits
        staff_a = factories.headers(session, a.staff)
        job = dry_run(client, staff_a, make_xlsx(roster(5)))
        assert apply(client, staff_a, job["id"]).status_code == 200
        admin = factories.headers(session, world.admin)
        r = client.put("/api/quotas/self_care", json={"visits_per_month": 4}, headers=admin)
        assert r.status_code == 200 and r.get_json()["effective_month"] == "2026-12"
        r = client.post(f"/api/persons/{b.person.id}/exit", json={"exited_on": "2026-12-06", "reason": "moved_away"},
                        headers=factories.headers(session, b.staff))
        assert r.status_code == 201, r.get_json()

        after = {m: views(m) for m in ("2026-10", "2026-11")}
        for month in before:
            for (who, path), old, new in zip(CLOSED_VIEWS, before[month], after[month]):
                assert new == old, (month, who, path)
        # the dashboard's closed months too
        again = get(client, session, world.admin, "/api/reports/dashboard")
        assert [m for m in again["months"] if m["state"] == "closed"] == \
            [m for m in dashboard["months"] if m["state"] == "closed"]

        # this month follows: five more on its roster (enrolled today), b still on it until today
        now = get(client, session, world.admin, "/api/coverage")
        assert now["total"]["active"] == december["total"]["active"] + 5 == 7
        assert "每月至少探访4次" in now["policy"]["levels"]["self_care"]["text"]
        rows = {r[1]: r for r in get(client, session, world.admin, "/api/reports/agreements")["rows"]}
        assert rows[b.person.name][7] == 1 and rows[b.person.name][6] == "2026-12-06"  # 6 days of 31: 4 × 6/31 ↑
        assert rows[a.person.name][7] == 4
        assert {r[1]: r[7] for r in dec_agreements["rows"]} == {a.person.name: 1, b.person.name: 1}
        # October's report still prints October's rule and judges by it
        october = get(client, session, world.admin, "/api/reports/agreements?month=2026-10")
        assert october["notes"][0].startswith("执行标准（默认") and october["notes"][-1] == "2026年10月已结算（2026-11-01），数据为月末结算记录"


def test_a_month_never_closed_is_counted_by_its_own_roster(client, session, world):
    """Not closed (the system was down), a past month is counted from its rows: a person enrolled
    after it is not on it, a person who left before it neither."""
    late = factories.person(session, world.a.villages[0], name="新纳入", enrolled_on=date(2026, 11, 10),
                            caregiver=world.a.caregiver)
    cov = get(client, session, world.a.staff, "/api/coverage?month=2026-10")
    assert cov["state"] == "live" and cov["total"]["active"] == 1
    nov = get(client, session, world.a.staff, "/api/coverage?month=2026-11")
    assert nov["total"]["active"] == 2
    everyone = get(client, session, world.a.staff, "/api/coverage/persons?month=2026-11&unvisited_only=false")
    assert {p["name"] for p in everyone["persons"]} == {"王德明", "新纳入"}
    assert get(client, session, world.a.staff, "/api/coverage/persons?month=2026-10&unvisited_only=false")[
        "persons"][0]["name"] == "王德明"
    # the roster of a day: enrolled on the 10th, not on the 9th
    r = client.patch(f"/api/persons/{late.id}", json={"enrolled_on": "2026-11-19"},
                     headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422 and r.get_json()["message"] == "The enrolment date cannot be in the future"


# --- the two measures, one rule each ------------------------------------------------------------------


def test_a_month_in_hospital_prorates_the_same_everywhere_and_a_cadre_counts_for_the_rate_only(
        client, session, world, db, settings):
    """A whole October in hospital: the close and the agreements report both say 不计; half of it:
    both prorate 4 to 3; visited by a cadre only: visited for 月探访率, not met for 履约."""
    factories.quota_policy(session, "self_care", visits_per_month=4)
    v = world.a.villages[0]
    cg = world.a.caregiver
    away = world.a.person
    half = factories.person(session, v, name="半月住院", caregiver=cg)
    cadre_only = factories.person(session, v, name="干部探访", caregiver=cg)
    for p in (away, half, cadre_only):
        since(session, p, date(2026, 9, 1))
    session.add_all([Absence(person_id=away.id, kind="hospital", start_on=date(2026, 9, 28), end_on=date(2026, 11, 2),
                             recorded_by=world.a.staff.id),
                     Absence(person_id=half.id, kind="hospital", start_on=date(2026, 10, 1),
                             end_on=date(2026, 10, 15), recorded_by=world.a.staff.id)])
    for day in (18, 22, 27):
        visit(session, half, cg, datetime(2026, 10, day, 10, tzinfo=SH))
    pairs = make_pairs(session, world)
    pairing = Pairing(cadre_id=pairs.clerk.id, person_id=cadre_only.id, started_on=date(2026, 9, 1),
                      created_by=world.admin.id)
    session.add(pairing)
    session.flush()
    visit(session, cadre_only, pairs.users["clerk"], datetime(2026, 10, 9, 15, tzinfo=SH), pairing_id=pairing.id)

    # the live month, before the close: the agreements report judges as the close will
    live = {r[1]: r for r in get(client, session, world.admin, "/api/reports/agreements?month=2026-10")["rows"]}
    close(db, settings, 2026, 10)
    closed = {r[1]: r for r in get(client, session, world.admin, "/api/reports/agreements?month=2026-10")["rows"]}
    assert [r[:14] for r in closed.values()] == [r[:14] for r in live.values()]
    assert closed[away.name][7:14] == [0, 0, 0, 0, 0, 0, "不计"]
    assert closed[half.name][7:14] == [3, 3, 0, 0, 3, 0, "达标"]  # 16 days at home of 31: 4 × 16/31 rounded up
    assert closed[cadre_only.name][7:14] == [4, 0, 0, 0, 0, 0, "未达标"]
    months = {m.person_id: m for m in session.scalars(select(PersonMonth).where(PersonMonth.month == "2026-10"))}
    agreements = {m.person_id: m for m in session.scalars(select(AgreementMonth).where(AgreementMonth.month == "2026-10"))}
    assert (months[away.id].days_away, months[away.id].quota, agreements[away.id].fulfilment) == (31, 0, "excused")
    assert (months[half.id].days_away, months[half.id].quota, agreements[half.id].quota) == (15, 3, 3)
    assert (months[cadre_only.id].visited, months[cadre_only.id].by_cadre, months[cadre_only.id].by_caregiver) == \
        (True, 1, 0)
    assert agreements[cadre_only.id].fulfilment == "not_met"
    # coverage: visited counts the cadre's visit; 履约 leaves the month in hospital out
    cov = get(client, session, world.a.staff, "/api/coverage?month=2026-10")
    assert cov["total"] == {"active": 3, "visited": 2, "agreements": 2, "quota_met": 1, "excused": 1}
    persons = {p["name"]: p for p in get(client, session, world.a.staff,
                                         "/api/coverage/persons?month=2026-10&unvisited_only=false")["persons"]}
    assert (persons[cadre_only.name]["visited"], persons[cadre_only.name]["by_cadre"],
            persons[cadre_only.name]["fulfilment"]) == (True, 1, "not_met")
    assert persons[away.name]["fulfilment"] == "excused" and persons[away.name]["days_away"] == 31
    # the headline and the rows agree: as many rows visited as the headline says
    assert sum(p["visited"] for p in persons.values()) == cov["total"]["visited"]
    rates = get(client, session, world.a.staff, "/api/visit-rates?month=2026-10")
    assert rates["total"]["any"] == {"total": 1, "visited": 0, "rate": 0.0}  # 王德明 lives alone: in hospital
    # the quota_missed list names the cadre's person, whose caregiver did not come
    missed = get(client, session, world.a.staff, "/api/coverage/missed?month=2026-10")
    assert [(p["name"], p["quota_visits"], p["quota"]) for p in missed["persons"]] == [(cadre_only.name, 0, 4)]


# --- reminders that leave time to act ---------------------------------------------------------------------


def reminded(session, user):
    return session.scalars(select(Notification.body).where(Notification.user_id == user.id,
                                                           Notification.kind == "reminder")).all()


def test_on_the_23rd_of_a_30_day_month_an_unvisited_person_is_reminded_once_and_one_in_hospital_not(
        client, session, world, db, settings):
    a, b = world.a, world.b
    # b's person is in hospital from the 20th until 10 December
    session.add(Absence(person_id=b.person.id, kind="hospital", start_on=date(2026, 11, 20), end_on=date(2026, 12, 10),
                        recorded_by=b.staff.id))
    session.flush()
    # the 22nd: eight days left, more than the district's seven (no seed gives a number: a setting)
    assert jobs.run("daily_reminders", db, at=datetime(2026, 11, 22, 9, tzinfo=SH), settings=settings)[
        "caregivers_reminded"] == 0
    at = datetime(2026, 11, 23, 9, tzinfo=SH)
    assert jobs.run("daily_reminders", db, at=at, settings=settings)["caregivers_reminded"] == 1
    assert reminded(session, a.caregiver) == ["请尽快探访：王德明（本月0/1次）"]
    assert reminded(session, b.caregiver) == []
    # none twice a day
    assert jobs.run("daily_reminders", db, at=at + timedelta(hours=3), settings=settings) == {"skipped": "already done"}
    assert len(reminded(session, a.caregiver)) == 1
    # the caregiver's own screen says the same: go now for a, in hospital until 10 December for b
    with time_machine.travel(at, tick=False):
        [mine] = get(client, session, a.caregiver, "/api/me/progress")
        assert (mine["overdue"], mine["away"]) == (True, None)
        [theirs] = get(client, session, b.caregiver, "/api/me/progress")
        assert theirs["overdue"] is False and theirs["away"] == {"kind": "hospital", "until": "2026-12-10"}
    # a visit by someone else makes the person visited, but does not answer the caregiver's own duty
    visit(session, a.person, a.staff, datetime(2026, 11, 23, 10, tzinfo=SH))
    assert jobs.run("daily_reminders", db, at=at + timedelta(days=1), settings=settings)["caregivers_reminded"] == 1
    visit(session, a.person, a.caregiver, datetime(2026, 11, 24, 10, tzinfo=SH))
    assert jobs.run("daily_reminders", db, at=at + timedelta(days=2), settings=settings)["caregivers_reminded"] == 0


def test_a_quota_of_three_reminds_at_the_even_pace_and_the_district_sets_the_days(client, session, world, db, settings):
    factories.quota_policy(session, "self_care", visits_per_month=3)
    a = world.a
    visit(session, a.person, a.caregiver, datetime(2026, 11, 2, 10, tzinfo=SH))
    # the 15th: 3 × 15/30 = 1.5 → 1 due by the even pace, 1 done
    assert jobs.run("daily_reminders", db, at=datetime(2026, 11, 15, 9, tzinfo=SH), settings=settings)[
        "caregivers_reminded"] == 1  # b's caregiver, none done
    assert reminded(session, a.caregiver) == []
    # the 20th: 2 due by the pace, 1 done
    assert jobs.run("daily_reminders", db, at=datetime(2026, 11, 20, 9, tzinfo=SH), settings=settings)[
        "caregivers_reminded"] == 2
    assert reminded(session, a.caregiver) == ["请尽快探访：王德明（本月1/3次）"]
    # a district that wants ten days' warning says so in the app
    admin = factories.headers(session, world.admin, **EN)
    schedule = client.get("/api/quotas/schedule", headers=admin).get_json()
    assert schedule["reminder_days_left"] == 7
    keep = {k: schedule[k] for k in ("volunteer_activities_per_month", "health_check_min_age", "review_month")}
    r = client.put("/api/quotas/schedule", json={**keep, "reminder_days_left": 40}, headers=admin)
    assert r.status_code == 422 and "reminder_days_left" in r.get_json()["errors"]
    assert client.put("/api/quotas/schedule", json={**keep, "reminder_days_left": 10},
                      headers=factories.headers(session, world.a.staff)).status_code == 403
    assert client.put("/api/quotas/schedule", json={**keep, "reminder_days_left": 10}, headers=admin).status_code == 200
    factories.quota_policy(session, "self_care", visits_per_month=1)
    session.add(Visit(client_id=str(uuid.uuid4()), person_id=world.b.person.id, caregiver_id=world.b.caregiver.id,
                      mode="home", started_at=datetime(2026, 11, 3, tzinfo=SH), status="verified",
                      content_hash="x" * 64, received_at=datetime(2026, 11, 3, tzinfo=SH)))
    session.flush()
    assert jobs.run("daily_reminders", db, at=datetime(2026, 11, 19, 9, tzinfo=SH), settings=settings)[
        "caregivers_reminded"] == 0  # 11 days left, a's month met
    session.delete(session.scalar(select(Visit).where(Visit.person_id == a.person.id)))
    session.flush()
    assert jobs.run("daily_reminders", db, at=datetime(2026, 11, 21, 9, tzinfo=SH), settings=settings)[
        "caregivers_reminded"] == 1  # 9 days left, within the ten


# --- corrections are amendments ------------------------------------------------------------------------


def test_a_review_after_the_close_and_a_stay_recorded_late_amend_the_month_for_that_person(
        client, session, world, db, settings):
    a = world.a
    since(session, a.person, date(2026, 9, 1))
    late = visit(session, a.person, a.caregiver, datetime(2026, 10, 30, 16, tzinfo=SH), status="exception")
    close(db, settings, 2026, 10)
    october = AgreementMonth.month == "2026-10"
    [before] = session.scalars(select(AgreementMonth).where(AgreementMonth.person_id == a.person.id, october)).all()
    assert (before.counted, before.flagged, before.fulfilment, before.amended_at) == (0, 1, "not_met", None)
    cov_before = get(client, session, a.staff, "/api/coverage?month=2026-10")
    assert cov_before["total"]["visited"] == 0 and cov_before["amendments"] == 0

    # 5 November: township staff accept the visit waiting for review
    nov5 = datetime(2026, 11, 5, 15, tzinfo=SH)
    with time_machine.travel(nov5, tick=False):
        r = client.post(f"/api/visits/{late.id}/review", json={"decision": "accept", "reason_code": "confirmed_by_call"},
                        headers=factories.headers(session, a.staff))
        assert r.status_code == 200, r.get_json()
    session.expire_all()
    [after] = session.scalars(select(AgreementMonth).where(AgreementMonth.person_id == a.person.id, october)).all()
    assert (after.counted, after.flagged, after.fulfilment, after.amended_at) == (1, 0, "met", nov5)
    month = session.scalar(select(PersonMonth).where(PersonMonth.person_id == a.person.id,
                                                     PersonMonth.month == "2026-10"))
    assert (month.visited, month.amended_at) == (True, nov5)
    [amendment] = session.scalars(select(MonthAmendment)).all()
    assert (amendment.month, amendment.person_id, amendment.by, amendment.reason, amendment.ref) == \
        ("2026-10", a.person.id, a.staff.id, "review", late.id)
    assert amendment.detail["before"]["person"]["visited"] is False and amendment.detail["after"]["person"]["visited"]
    assert session.scalar(select(AuditLog.action).where(AuditLog.entity == "month", AuditLog.person_id == a.person.id)) \
        == "amend"
    # the figures follow the amendment, and say so: the coverage, the reports, the list of amendments
    cov = get(client, session, a.staff, "/api/coverage?month=2026-10")
    assert (cov["total"]["visited"], cov["total"]["quota_met"], cov["amendments"]) == (1, 1, 1)
    district = get(client, session, world.admin, "/api/coverage?month=2026-10")
    assert district["total"]["visited"] == 1 and district["children"][0]["visited"] == 1
    row = next(r for r in get(client, session, a.staff, "/api/reports/agreements?month=2026-10")["rows"]
               if r[1] == a.person.name)
    assert row[13:] == ["达标", "更正 2026-11-05"]
    listed = get(client, session, a.staff, "/api/months/2026-10/amendments")
    assert [(x["name"], x["by"], x["reason"], x["at"]) for x in listed["amendments"]] == [
        (a.person.name, a.staff.display_name, "review", "2026-11-05T07:00:00+00:00")]
    assert get(client, session, a.staff, "/api/months")["months"][1] == {
        "month": "2026-10", "state": "closed", "closed_at": "2026-10-31T16:30:00+00:00", "amendments": 1}
    # the other township sees none of it
    assert get(client, session, world.b.staff, "/api/months/2026-10/amendments")["amendments"] == []
    assert client.get(f"/api/months/2026-10/amendments?place_id={a.place.id}",
                      headers=factories.headers(session, world.b.staff)).status_code == 403
    assert client.get("/api/months/2026-13/amendments", headers=factories.headers(session, a.staff)).status_code == 404

    # a stay in hospital from 1 to 31 October, recorded late: the month is 不计 for the caregiver
    with time_machine.travel(nov5 + timedelta(days=1), tick=False):
        r = client.post(f"/api/persons/{a.person.id}/absences",
                        json={"kind": "hospital", "start_on": "2026-10-01", "end_on": "2026-10-31"},
                        headers=factories.headers(session, a.staff))
        assert r.status_code == 201, r.get_json()
    session.expire_all()
    assert session.scalar(select(AgreementMonth.fulfilment).where(AgreementMonth.person_id == a.person.id, october)) \
        == "excused"
    assert [x.reason for x in session.scalars(select(MonthAmendment).order_by(MonthAmendment.id))] == ["review", "absence"]
    # the live month is not amended: nothing of it is closed
    assert session.scalar(select(PersonMonth.id).where(PersonMonth.month == "2026-11")) is None


def test_a_rejected_review_after_the_close_changes_nothing_and_writes_no_amendment(client, session, world, db, settings):
    a = world.a
    late = visit(session, a.person, a.caregiver, datetime(2026, 10, 30, 16, tzinfo=SH), status="exception")
    close(db, settings, 2026, 10)
    with time_machine.travel(datetime(2026, 11, 5, 15, tzinfo=SH), tick=False):
        r = client.post(f"/api/visits/{late.id}/review",
                        json={"decision": "reject", "reason_code": "not_at_home", "note": "电话核实未上门"},
                        headers=factories.headers(session, a.staff))
        assert r.status_code == 200, r.get_json()
    assert session.scalar(select(MonthAmendment.id)) is None
    assert session.scalar(select(AgreementMonth.amended_at).where(AgreementMonth.person_id == a.person.id,
                                                                  AgreementMonth.month == "2026-10")) is None


# --- a policy has an effective month -------------------------------------------------------------------


def test_a_quota_applies_from_the_month_chosen_never_a_past_one(client, session, world, db, settings):
    admin = factories.headers(session, world.admin)
    r = client.put("/api/quotas/partly_disabled", json={"visits_per_month": 4, "effective_month": "2026-10"},
                   headers=admin)
    assert r.status_code == 422 and r.get_json()["message"] == "只能从本月或以后的月份起执行，已过去或已结算的月份不能更改"
    r = client.put("/api/quotas/partly_disabled", json={"visits_per_month": 4, "effective_month": "2028-01"},
                   headers=factories.headers(session, world.admin, **EN))
    assert r.status_code == 422 and r.get_json()["message"] == "A change can be scheduled at most 12 months ahead"
    r = client.put("/api/quotas/partly_disabled", json={"visits_per_month": 4, "effective_month": "2027-01"},
                   headers=admin)
    assert r.status_code == 200 and (r.get_json()["effective_month"], r.get_json()["default"]) == ("2027-01", False)
    # this month keeps its rule; January's is the new one
    now = {q["self_care_level"]: q for q in get(client, session, world.a.staff, "/api/quotas")}
    january = {q["self_care_level"]: q for q in get(client, session, world.a.staff, "/api/quotas?month=2027-01")}
    assert (now["partly_disabled"]["visits_per_month"], january["partly_disabled"]["visits_per_month"]) == (1, 4)
    r = client.delete("/api/quotas/partly_disabled?effective_month=2027-03", headers=admin)
    assert r.status_code == 200 and r.get_json()["default"] is True
    history = [(v["self_care_level"], v["effective_month"], v["visits_per_month"], v["updated_by"])
               for v in get(client, session, world.a.staff, "/api/quotas/history")]
    assert ("partly_disabled", "2027-01", 4, world.admin.display_name) in history
    assert ("partly_disabled", "2027-03", 1, world.admin.display_name) in history
    assert client.put("/api/quotas/partly_disabled", json={"visits_per_month": 2},
                      headers=factories.headers(session, world.a.staff)).status_code == 403
    # a closed month's report prints the rule of its month
    factories.person(session, world.a.villages[0], name="半失能者", level="partly_disabled", caregiver=world.a.caregiver)
    r = client.put("/api/quotas/partly_disabled", json={"visits_per_month": 3}, headers=admin)  # from this month
    assert r.status_code == 200
    close(db, settings, 2026, 10)
    october = get(client, session, world.admin, "/api/reports/agreements?month=2026-10")
    assert "半失能：每月至少探访1次" in october["notes"][0]
    november = get(client, session, world.admin, "/api/reports/agreements")
    assert "半失能：每月至少探访3次" in november["notes"][0]
