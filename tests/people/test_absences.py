"""Absences from home (seed 000 item 7): a hospital stay suspends the gap watch, prorates the
month's quota, lets a visit in hospital count; the report sums the days and sets the 240 元 a
person a year against what each township paid."""

import csv
import io
import uuid
from datetime import date, datetime, timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from server import jobs
from server.alerts.models import Alert
from server.people.models import Absence
from server.people.roster import prorated
from server.quotas.models import AgreementMonth, PersonMonth
from server.visits.models import Visit
from tests import factories
from tests.visits.conftest import Checkin

SH = factories.SH
EN = {"Accept-Language": "en"}


def policy(session, level="self_care", visits=4, gap=10):
    """The quota asked in the test, set explicitly (the defaults are another branch's)."""
    factories.quota_policy(session, level, visits_per_month=visits, max_gap_days=gap)


def visit(session, person, caregiver, when):
    session.add(Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=caregiver.id, mode="home",
                      started_at=when, ended_at=when + timedelta(minutes=20), status="verified", content_hash="x" * 64,
                      received_at=when))
    session.flush()


def absent(client, session, who, person, **body):
    body = {"kind": "hospital", **body}
    return client.post(f"/api/persons/{person.id}/absences", json=body, headers=factories.headers(session, who, **EN))


def test_the_rounding_of_a_prorated_quota():
    assert prorated(4, 14, 30) == 2  # 4 × 14/30 = 1.87: never below the pace of the days at home
    assert prorated(1, 1, 31) == 1  # a month with a day at home keeps its one 探访 (seed 002: 100%)
    assert prorated(1, 0, 30) == 0  # a month wholly away asks none
    assert prorated(8, 30, 30) == 8


def test_hospital_10_to_25_of_a_30_day_month_prorates_the_quota_and_holds_the_gap_alert(
        client, session, world, app_config, settings):
    db = app_config["DATABASE"]
    policy(session, visits=4, gap=10)
    a, b = world.a, world.b
    with time_machine.travel(datetime(2026, 11, 12, 10, tzinfo=SH), tick=False):
        r = absent(client, session, a.caregiver, a.person, start_on="2026-11-10", end_on="2026-11-25",
                   note="旗医院肺炎住院")
        assert r.status_code == 201, r.get_json()
        # the caregiver's screen asks the prorated month at once
        progress = client.get("/api/me/progress", headers=factories.headers(session, a.caregiver)).get_json()
        assert [(p["name"], p["quota"]) for p in progress] == [("王德明", 2)]
    for who in (a, b):  # both visited on the 2nd and the 28th
        visit(session, who.person, who.caregiver, datetime(2026, 11, 2, 10, tzinfo=SH))
    # the 20th: 18 days since the last visit, past the 10 allowed; only the person at home is chased
    jobs.run("gap_watch", db, at=datetime(2026, 11, 20, 9, 5, tzinfo=SH), settings=settings)
    gaps = session.scalars(select(Alert.person_id).where(Alert.kind == "visit_gap")).all()
    assert gaps == [b.person.id]
    for who in (a, b):
        visit(session, who.person, who.caregiver, datetime(2026, 11, 28, 10, tzinfo=SH))
    jobs.run("month_close", db, at=datetime(2026, 12, 1, 0, 30, tzinfo=SH), settings=settings)
    rows = {r.person_id: (r.quota, r.counted, r.fulfilment) for r in session.scalars(
        select(AgreementMonth).where(AgreementMonth.month == "2026-11"))}
    assert rows[a.person.id] == (2, 2, "met")  # 14 days at home of 30: 4 × 14/30 rounded up
    assert rows[b.person.id] == (4, 2, "not_met")
    assert session.scalar(select(PersonMonth.days_away).where(PersonMonth.person_id == a.person.id)) == 16
    # only b's township has anyone short: a's prorated month is met
    assert session.execute(select(Alert.place_id, Alert.title).where(Alert.kind == "quota_missed")).all() == [
        (b.place.id, "2026-11 有1人走访未达标")]
    # run again: the same rows
    jobs.run("month_close", db, at=datetime(2026, 12, 1, 0, 30, tzinfo=SH), settings=settings, )
    assert session.scalar(select(AgreementMonth.quota).where(AgreementMonth.person_id == a.person.id)) == 2


@pytest.mark.clock_edges
def test_a_visit_in_hospital_counts(client, session, world):
    checkin = Checkin(client, session, world)
    far = {"lat": 42.28, "lon": 119.95}  # the banner hospital, kilometres from home
    r = checkin.post(**far)
    assert r.status_code == 201 and "outside_geofence" in r.get_json()["verification"]["exceptions"]
    today = factories.today()
    # the visit began 40 minutes ago: yesterday in Shanghai, just after midnight
    r = absent(client, session, world.a.staff, world.a.person, start_on=(today - timedelta(days=1)).isoformat(),
               end_on=today.isoformat())
    assert r.status_code == 201
    r = checkin.post(**far)
    assert r.status_code == 201 and r.get_json()["verification"]["status"] == "verified", r.get_json()


@pytest.mark.clock_edges
def test_bad_absences_are_refused(client, session, world):
    today = factories.today()
    ok = {"start_on": (today - timedelta(days=3)).isoformat(), "end_on": today.isoformat()}
    r = absent(client, session, world.a.caregiver, world.a.person, start_on=ok["end_on"], end_on=ok["start_on"])
    assert r.status_code == 422 and r.get_json()["message"] == "The end date cannot be before the start date"
    r = absent(client, session, world.a.caregiver, world.a.person, kind="holiday", **ok)
    assert r.status_code == 422
    tomorrow = (today + timedelta(days=1)).isoformat()
    r = absent(client, session, world.a.caregiver, world.a.person, start_on=tomorrow, end_on=tomorrow)
    assert r.status_code == 422 and r.get_json()["message"] == "The date cannot be in the future"
    r = absent(client, session, world.a.caregiver, world.a.person, care_subsidy_yuan=240, **ok)
    assert r.status_code == 403  # what was paid is staff's to record
    assert absent(client, session, world.b.caregiver, world.a.person, **ok).status_code == 403
    assert absent(client, session, world.a.volunteer, world.a.person, **ok).status_code == 403
    assert session.scalar(select(Absence.id)) is None
    assert absent(client, session, world.a.caregiver, world.a.person, **ok).status_code == 201
    r = absent(client, session, world.a.staff, world.a.person, kind="family", start_on=ok["end_on"],
               end_on=ok["end_on"])
    assert r.status_code == 409 and r.get_json()["message"] == "An absence is already recorded for part of those days"
    r = absent(client, session, world.a.staff, world.a.person, kind="family", care_subsidy_yuan=50,
               start_on="2026-01-01", end_on="2026-01-02")
    assert r.status_code == 422  # a stay with family is not paid from the hospital budget
    assert len(session.scalars(select(Absence)).all()) == 1


def test_hospital_days_and_the_240_yuan_budget_per_township(client, session, world):
    a, b = world.a, world.b
    second = factories.person(session, a.villages[1], name="张桂兰", sex="F", born=date(1948, 2, 3),
                              caregiver=a.caregiver)
    factories.person(session, a.villages[1], name="刘玉珍", sex="F", born=date(1952, 7, 9), assistance_category="dibao",
                     dibao_class="A")  # 低保: not in the 特困 budget
    staff_a = factories.headers(session, a.staff, **EN)
    stays = [(a.person, "2026-03-28", "2026-04-03", 120),  # 7 days
             (a.person, "2026-09-01", "2026-09-10", 100),  # 10 days
             (second, "2025-12-30", "2026-01-04", None),  # 4 days of 2026 (2 in 2025)
             (b.person, "2026-06-01", "2026-06-05", 240)]  # 5 days
    for person, start, end, paid in stays:
        staff = a.staff if person is not b.person else b.staff
        r = absent(client, session, staff, person, start_on=start, end_on=end, care_subsidy_yuan=paid)
        assert r.status_code == 201, r.get_json()
    assert absent(client, session, a.staff, a.person, kind="family", start_on="2026-10-01",
                  end_on="2026-10-20").status_code == 201  # not a hospital stay

    h = factories.headers(session, world.admin, **EN)
    report = client.get(f"/api/absences/report/hospital-days?year=2026&place_id={world.district.id}", headers=h).get_json()
    assert report["headers"][-2:] == ["住院天数", "照料护理补贴（元）"]
    assert [r[2:] for r in report["rows"]] == [["王德明", 2, 17, 220], ["张桂兰", 1, 4, 0], ["李秀英", 1, 5, 240]]
    budget = client.get(f"/api/absences/report/hospital-budget?year=2026&place_id={world.district.id}", headers=h)
    assert budget.get_json()["rows"] == [["甲镇", 2, 480, 21, 220, 260], ["乙乡", 1, 240, 5, 240, 0],
                                         ["合计", 3, 720, 26, 460, 260]]
    # township staff see their own township only
    own = client.get("/api/absences/report/hospital-budget?year=2026", headers=staff_a).get_json()
    assert own["rows"] == [["甲镇", 2, 480, 21, 220, 260]]
    assert client.get(f"/api/absences/report/hospital-budget?place_id={b.place.id}", headers=staff_a).status_code == 403
    assert client.get("/api/absences/report/hospital-days", headers=factories.headers(session, a.caregiver)).status_code == 403

    r = client.get(f"/api/absences/report/hospital-budget?year=2026&place_id={world.district.id}&format=csv", headers=h)
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][2] == "预算（元，240元/人/年）" and rows[1] == ["甲镇", "2", "480", "21", "220", "260"]
    r = client.get(f"/api/absences/report/hospital-days?year=2026&place_id={world.district.id}&format=xlsx", headers=h)
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in ws[4]][2:] == ["王德明", 2, 17, 220]  # under the title, 填报单位 and the headers


def test_the_gap_watch_resumes_the_shanghai_day_after_the_stay(session, world, app_config, settings):
    db = app_config["DATABASE"]
    policy(session, visits=4, gap=10)
    p = world.a.person
    session.add(Absence(person_id=p.id, kind="hospital", start_on=date(2026, 11, 10), end_on=date(2026, 11, 25),
                        recorded_by=world.a.staff.id))
    visit(session, p, world.a.caregiver, datetime(2026, 11, 2, 10, tzinfo=SH))
    last_minute = datetime(2026, 11, 25, 23, 59, tzinfo=SH)  # 15:59 UTC: still the 25th, still away
    jobs.run("gap_watch", db, at=last_minute, settings=settings)
    assert session.scalar(select(Alert.id).where(Alert.person_id == p.id)) is None
    jobs.run("gap_watch", db, at=datetime(2026, 11, 26, 0, 5, tzinfo=SH), settings=settings)  # 16:05 UTC on the 25th
    jobs.run("gap_watch", db, at=datetime(2026, 11, 26, 1, 5, tzinfo=SH), settings=settings)
    assert len(session.scalars(select(Alert.id).where(Alert.person_id == p.id, Alert.kind == "visit_gap")).all()) == 1
