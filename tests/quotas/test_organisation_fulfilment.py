"""An organisation's agreement is fulfilled by its staff (issue 29 part 5). Seed 002 item 5: the
照料护理补贴 go 向委托照料人或承担照料服务职责的供养服务机构、社会组织, and seed 004 item 21: 政府购买服务
for 访视、照料 — so the 探访 of every staff login of the organisation holding an agreement are the
holder's own toward its 照料服务履约 and in the person's month row (``by_caregiver``), live and in
the month close's record alike; a caregiver outside the organisation, or a staff member of another,
counts for 月探访率 only (``by_other``), as anyone else does."""

from __future__ import annotations

import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from server import jobs
from server.auth.models import User
from server.care.models import OrganisationMember
from server.quotas import month as months
from server.quotas.models import AgreementMonth, MonthTotals, PersonMonth
from server.visits.models import Visit
from tests import factories
from tests.care.test_organisations import add_org, add_staff

SH = ZoneInfo("Asia/Shanghai")
EN = {"Accept-Language": "en"}
CLOSE_AT = datetime(2026, 12, 1, 0, 30, tzinfo=SH)  # November's close (the scheduler's 00:30 on the 1st)


def visit(session, person, user, day: int, *, mode="home", status="verified"):
    when = datetime(2026, 11, day, 9, tzinfo=SH)
    session.add(Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=user.id, mode=mode,
                      started_at=when, ended_at=when + timedelta(minutes=20), status=status, content_hash="x" * 64,
                      received_at=when))
    session.flush()


@pytest.fixture
def care(client, session, world):
    """In 甲镇, 康乐 (an institution) holds the agreements of 韩桂兰 and 赵玉芬 since 1 November with
    staff 康乐01 named as 照料人 and 康乐02 beside them; 互助社 (a social organisation) has 互助01.
    The quota: two counted 探访 a month for those who care for themselves."""
    factories.quota_policy(session, "self_care", visits_per_month=2)
    a = factories.headers(session, world.a.staff, **EN)
    org = add_org(client, a, world.a.place.id).get_json()
    other = add_org(client, a, world.a.place.id, name="甲镇邻里互助社", kind="social_org").get_json()
    staff = {}
    for name, organisation in (("kangle01", org), ("kangle02", org), ("huzhu01", other)):
        r = add_staff(client, a, organisation["id"], world.a.place.id, name)
        assert r.status_code == 201, r.get_json()
        staff[name] = session.get(User, r.get_json()["id"])
    persons = {}
    for name in ("韩桂兰", "赵玉芬"):
        p = factories.person(session, world.a.villages[1], name=name, sex="F", home_lat=42.3, home_lon=119.9,
                             home_location_state="confirmed")
        body = {"person_id": p.id, "caregiver_id": staff["kangle01"].id, "relation": "organisation",
                "organisation_id": org["id"], "signed_on": "2026-10-30", "start_on": "2026-11-01",
                "committee_signatory": "村主任"}
        r = client.post("/api/agreements", json=body, headers=a)
        assert r.status_code == 201, r.get_json()
        persons[name] = p
    return staff, persons


def test_every_staff_login_of_the_holding_organisation_fulfils_its_agreement(client, session, world, care, settings,
                                                                            connection, app_config):
    staff, persons = care
    han, zhao = persons["韩桂兰"], persons["赵玉芬"]
    outsider = world.a.caregiver  # a caregiver of no organisation (王德明's)
    visit(session, han, staff["kangle01"], 3)  # the named staff member, at home
    visit(session, han, staff["kangle02"], 10, mode="phone")  # a colleague, by phone
    visit(session, han, outsider, 12)  # neither counts toward 康乐's agreement
    visit(session, han, staff["huzhu01"], 14)
    visit(session, zhao, outsider, 4)  # 赵玉芬: only outsiders, twice
    visit(session, zhao, staff["huzhu01"], 6, mode="video")
    visit(session, zhao, staff["kangle02"], 7, status="exception")  # waiting for review: flagged, not counted
    visit(session, world.a.person, staff["kangle02"], 5)  # 王德明's agreement is not the organisation's
    visit(session, world.a.person, staff["kangle02"], 8)
    # the agreement's caregiver, the person's row and the 履约: (by_caregiver, by_other, quota_visits, fulfilment)
    expected = {"韩桂兰": (2, 2, 2, "met"), "赵玉芬": (0, 2, 0, "not_met"), "王德明": (0, 2, 0, "not_met")}

    def seen(month: str) -> dict:
        h = factories.headers(session, world.a.staff, **EN)
        r = client.get(f"/api/coverage/persons?month={month}&unvisited_only=false", headers=h)
        assert r.status_code == 200, r.get_json()
        rows = {p["name"]: p for p in r.get_json()["persons"]}
        assert rows["韩桂兰"]["caregiver_name"] == staff["kangle01"].display_name
        return {n: (p["by_caregiver"], p["by_other"], p["quota_visits"], p["fulfilment"]) for n, p in rows.items()}

    # the live month, on 18 November: what the township reads and the named staff member's progress
    assert seen("2026-11") == expected
    m = months.month_rule(session, year=2026, month=11, zone=SH)
    rows = {r.person_id: r for r in session.execute(months.agreement_rows(m)).mappings()}
    assert (rows[han.id]["home"], rows[han.id]["phone_video"], rows[han.id]["counted"], rows[han.id]["flagged"]) \
        == (1, 1, 2, 0)
    assert (rows[zhao.id]["counted"], rows[zhao.id]["flagged"]) == (0, 1)
    progress = client.get("/api/me/progress", headers=factories.headers(session, staff["kangle01"], **EN)).get_json()
    assert sorted((p["name"], p["done"], p["fulfilment"]) for p in progress) == [("赵玉芬", 0, "not_met"),
                                                                                ("韩桂兰", 2, "met")]

    # the hand-written month close of the benches (bench/month_sql.py) writes the same rows
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import month_sql

    def written():
        session.expire_all()
        return (sorted((tuple(getattr(r, c.strip()) for c in month_sql.PERSON_COLUMNS.split(","))
                        for r in session.scalars(select(PersonMonth).where(PersonMonth.month == "2026-11"))),
                       key=repr),
                sorted((tuple(getattr(r, c.strip()) for c in month_sql.AGREEMENT_COLUMNS.split(","))
                        for r in session.scalars(select(AgreementMonth).where(AgreementMonth.month == "2026-11"))),
                       key=repr))

    savepoint = connection.begin_nested()
    month_sql.close(connection, 2026, 11, at=CLOSE_AT)
    by_hand = written()
    savepoint.rollback()

    # November closes: its record says the same, and stays so once 康乐02 leaves the organisation
    jobs.run("month_close", app_config["DATABASE"], at=CLOSE_AT, settings=settings)
    assert written() == by_hand and by_hand[1]
    record = {r.person_id: r for r in session.scalars(select(AgreementMonth).where(AgreementMonth.month == "2026-11"))}
    assert (record[han.id].caregiver_id, record[han.id].counted, record[han.id].fulfilment) == \
        (staff["kangle01"].id, 2, "met")
    assert (record[zhao.id].counted, record[zhao.id].fulfilment) == (0, "not_met")
    person_rows = {r.person_id: r for r in session.scalars(select(PersonMonth).where(PersonMonth.month == "2026-11"))}
    assert (person_rows[han.id].by_caregiver, person_rows[han.id].by_other) == (2, 2)
    village = session.scalar(select(MonthTotals).where(MonthTotals.month == "2026-11",
                                                       MonthTotals.place_id == world.a.villages[1].id))
    assert (village.due_self_care, village.met_self_care) == (2, 1)
    session.delete(session.get(OrganisationMember, staff["kangle02"].id))
    session.flush()
    with time_machine.travel(datetime(2026, 12, 2, 10, tzinfo=SH), tick=False):
        assert seen("2026-11") == expected
    # while counted live, a login no longer of the organisation is no longer its staff (no dates kept)
    live = session.execute(months.agreement_rows(m, persons=months.Person.id == han.id)).mappings().one()
    assert live["counted"] == 1
