"""Issue 27 item 7: the figures a district reads — a closed month's record, the live month's rollup,
or counted at the request — are the figures computed from the visits themselves. A generated
district (persons enrolled and exited mid-month, stays in hospital, agreements changing hands, visits
of every status and mode by caregivers, cadres and others, volunteer activities, a local policy) is
counted here by a plain reading of the rules, person by person in Python, and compared."""

from __future__ import annotations

import math
import random
import uuid
from calendar import monthrange
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from server import jobs
from server.activities.models import ActivityPerson, VolunteerActivity
from server.care.models import CareAgreement
from server.pairing.models import Pairing
from server.people.models import Absence, PersonExit
from server.quotas.models import AgreementMonth, PersonMonth
from server.visits.models import Visit
from tests import factories
from tests.pairing.conftest import make_pairs

SH = ZoneInfo("Asia/Shanghai")
GROUPS = ("lives_alone", "empty_nest", "left_behind", "disabled", "severe_disability", "family_planning_special")
FLAGS = ("lives_alone", "empty_nest", "left_behind", "severe_disability", "mental_illness", "family_planning_special")
# birth dates: most long past 60; one under 60 all along, one 60 from October, one from 30 November
BORN = (date(1950, 5, 17),) * 5 + (date(1970, 3, 1), date(1966, 10, 15), date(1966, 11, 30))
LEVELS = ("self_care", "partly_disabled", "fully_disabled")
MODE_GROUP = {"home": "home", "phone": "phone_video", "video": "phone_video", "remote": "remote"}
# a local policy: two 探访 for the partly disabled, one of them at home; calls do not count for the fully disabled
POLICY = {
    "self_care": {"visits_per_month": 1, "count": {"home", "phone_video", "remote"}, "min": {}},
    "partly_disabled": {"visits_per_month": 2, "count": {"home", "phone_video", "remote"}, "min": {"home": 1}},
    "fully_disabled": {"visits_per_month": 3, "count": {"home", "remote"}, "min": {}},
}


def district(session, world, rng: random.Random) -> dict:
    """Two townships' persons, agreements, stays, exits, visits and volunteer activities in
    October and November 2026, all of it also kept in plain lists for the reference count."""
    factories.quota_policy(session, "partly_disabled", visits_per_month=2, min_home=1)
    factories.quota_policy(session, "fully_disabled", visits_per_month=3, count_phone_video=False)
    pairs = make_pairs(session, world)
    cadre = pairs.users["clerk"]
    townships = [world.a, world.b]
    villages = [v for t in townships for v in t.villages]
    caregivers = [factories.user(session, "caregiver", v) for v in villages for _ in range(2)]
    teams = {t.place.id: t.team for t in townships}
    someone = world.a.staff  # a visit by neither the caregiver nor a cadre: "someone else"
    persons = []
    for k in range(48):
        village = villages[k % len(villages)]
        level = rng.choice(LEVELS)
        enrolled = rng.choice([date(2020, 1, 1)] * 6 + [date(2026, 10, rng.randint(1, 31)),
                                                         date(2026, 11, rng.randint(1, 20))])
        p = factories.person(session, village, name=f"人{k:02d}", level=level, enrolled_on=enrolled,
                             risk_flags=rng.sample(FLAGS, rng.randint(0, 2)), born=rng.choice(BORN))
        persons.append(p)
        first = rng.choice(caregivers)
        start = max(enrolled, date(2026, 9, 15))
        if rng.random() < 0.2:  # the caregiver changed mid-October
            session.add(CareAgreement(person_id=p.id, caregiver_id=first.id, relation="relative", signed_on=start,
                                      start_on=start, end_on=date(2026, 10, 14), status="ended"))
            start, first = date(2026, 10, 15), rng.choice(caregivers)
        if rng.random() < 0.9:
            session.add(CareAgreement(person_id=p.id, caregiver_id=first.id, relation="neighbour", signed_on=start,
                                      start_on=start))
        if rng.random() < 0.15:
            s = date(2026, rng.choice((10, 11)), rng.randint(1, 15))
            session.add(Absence(person_id=p.id, kind=rng.choice(("hospital", "family")), start_on=s,
                                end_on=s + timedelta(days=rng.choice((3, 10, 40))), recorded_by=world.a.staff.id))
        if rng.random() < 0.3:
            session.add(Pairing(cadre_id=pairs.clerk.id, person_id=p.id, started_on=date(2026, 9, 1),
                                created_by=world.admin.id))
    session.flush()
    agreements = list(session.scalars(select(CareAgreement).where(CareAgreement.person_id.in_([p.id for p in persons]))))
    pairings = {pg.person_id: pg.id for pg in session.scalars(select(Pairing))}
    for p in persons:
        mine = [a for a in agreements if a.person_id == p.id]
        for _ in range(rng.randint(0, 6)):
            when = datetime(2026, rng.choice((10, 11)), rng.randint(1, 30), rng.randint(0, 23), rng.randint(0, 59),
                            tzinfo=SH)
            if when.month == 10 and rng.random() < 0.1:
                when = datetime(2026, 10, 31, 23, 59, 30, tzinfo=SH)  # the month's last seconds, Shanghai time
            who, pairing = rng.choice([(a.caregiver_id, None) for a in mine] * 4 + [(someone.id, None)]
                                      + ([(cadre.id, pairings[p.id])] if p.id in pairings else []))
            session.add(Visit(client_id=str(uuid.uuid4()), person_id=p.id, caregiver_id=who, pairing_id=pairing,
                              mode=rng.choice(("home", "home", "phone", "video", "remote")), started_at=when,
                              status=rng.choice(("verified",) * 5 + ("accepted", "exception", "rejected")),
                              content_hash="x" * 64, received_at=when))
    for p in rng.sample(persons, 5):  # exits, in October or November
        on = date(2026, rng.choice((10, 11)), rng.randint(1, 17))
        if on >= p.enrolled_on:
            session.add(PersonExit(person_id=p.id, exited_on=on, reason="moved_away", recorded_by=world.a.staff.id))
            p.status = "exited"
            for a in agreements:
                if a.person_id == p.id and a.status == "active":
                    a.status, a.end_on = "ended", max(on, a.start_on)
    session.flush()
    for t in townships:
        for month in (10, 11):
            named = [p for p in persons if p.village_id in {v.id for v in t.villages}]
            activity = VolunteerActivity(team_id=teams[t.place.id].id, kind="visit", place_id=t.place.id,
                                         held_on=date(2026, month, rng.randint(1, 28)))
            session.add(activity)
            session.flush()
            session.add_all(ActivityPerson(activity_id=activity.id, person_id=x.id)
                            for x in rng.sample(named, min(3, len(named))))
    session.flush()
    return {"persons": persons + [world.a.person, world.b.person],
            "villages": {v.id: t.place.id for t in townships for v in t.villages}}


# --- the reference: the rules read plainly, one person at a time ----------------------------------------


def _prorated(n: int, days: int, length: int) -> int:
    return math.ceil(n * days / length) if days > 0 else 0


def reference(session, year: int, month: int, generated: dict, *, volunteer_visits: bool = True) -> dict:
    first, length = date(year, month, 1), monthrange(year, month)[1]
    last = date(year, month, length)
    exits = {e.person_id: e.exited_on for e in session.scalars(select(PersonExit))}
    stays = list(session.scalars(select(Absence)))
    agreements = list(session.scalars(select(CareAgreement)))
    visits = [v for v in session.scalars(select(Visit)) if (v.started_at.astimezone(SH).year, v.started_at.astimezone(SH).month) == (year, month)]
    named = Counter(ap.person_id for ap, act in session.execute(
        select(ActivityPerson, VolunteerActivity).join(VolunteerActivity, VolunteerActivity.id == ActivityPerson.activity_id))
        if first <= act.held_on <= last)

    def away(pid, lo, hi):
        return sum(max(0, (min(s.end_on, hi) - max(s.start_on, lo)).days + 1) for s in stays if s.person_id == pid)

    persons, judged = {}, {}
    for p in generated["persons"]:
        left = exits.get(p.id)
        if p.enrolled_on > last or (left is not None and left < first):
            continue
        lo, hi = max(first, p.enrolled_on), min(last, left or last)
        rule = POLICY[p.self_care_level]
        counted = [v for v in visits if v.person_id == p.id and v.status in ("verified", "accepted")
                   and MODE_GROUP[v.mode] in rule["count"]]
        theirs = {a.caregiver_id for a in agreements if a.person_id == p.id and a.start_on <= last
                  and (a.end_on or last) >= first}
        persons[p.id] = {"visited": bool(counted) or (volunteer_visits and named[p.id] > 0),
                         "by_cadre": sum(v.pairing_id is not None for v in counted),
                         "by_caregiver": sum(v.pairing_id is None and v.caregiver_id in theirs for v in counted),
                         "days_away": away(p.id, lo, hi), "level": p.self_care_level, "flags": set(p.risk_flags),
                         "village": p.village_id, "elderly": p.birth_date <= last.replace(year=last.year - 60)}
        for a in agreements:
            if a.person_id != p.id or a.start_on > last or (a.end_on or last) < first:
                continue
            alo, ahi = max(lo, a.start_on), min(hi, a.end_on or last)
            due = max(0, (ahi - alo).days + 1) - (away(p.id, alo, ahi) if alo <= ahi else 0)
            own = Counter(MODE_GROUP[v.mode] for v in visits if v.person_id == p.id and v.caregiver_id == a.caregiver_id
                          and v.pairing_id is None and v.status in ("verified", "accepted"))
            done = sum(n for g, n in own.items() if g in rule["count"])
            asked = _prorated(rule["visits_per_month"], due, length)
            met = done >= asked and all(own[g] >= _prorated(n, due, length) for g, n in rule["min"].items())
            judged[a.id] = {"fulfilment": "excused" if due <= 0 else "met" if met else "not_met",
                            "level": p.self_care_level, "village": p.village_id, "counted": done}
    return {"persons": persons, "agreements": judged}


def sums(ref: dict, township_of: dict) -> dict:
    """The reference's counts by township and for the district, as coverage and 月探访率 print them."""
    out: dict = {}
    for key in [None, *set(township_of.values())]:
        ps = [p for p in ref["persons"].values() if key is None or township_of[p["village"]] == key]
        ags = [a for a in ref["agreements"].values() if key is None or township_of[a["village"]] == key]

        def member(p, g):  # seed 002 item 3's 特殊困难老年人: 60 or over in the month
            return p["elderly"] and (p["level"] in ("partly_disabled", "fully_disabled") if g == "disabled"
                                     else g in p["flags"])

        groups = {g: (sum(member(p, g) for p in ps), sum(member(p, g) and p["visited"] for p in ps)) for g in GROUPS}
        anyone = [p for p in ps if any(member(p, g) for g in GROUPS)]
        groups["any"] = (len(anyone), sum(p["visited"] for p in anyone))
        out[key] = {"active": len(ps), "visited": sum(p["visited"] for p in ps),
                    "agreements": sum(a["fulfilment"] != "excused" for a in ags),
                    "quota_met": sum(a["fulfilment"] == "met" for a in ags),
                    "excused": sum(a["fulfilment"] == "excused" for a in ags), "groups": groups}
    return out


def coverage_of(body: dict) -> dict:
    out = {None: dict(body["total"])}
    out.update({c["place_id"]: {k: c[k] for k in ("active", "visited", "agreements", "quota_met", "excused")}
                for c in body["children"]})
    return out


def rates_of(body: dict) -> dict:
    def flat(groups):
        return {g: (v["total"], v["visited"]) for g, v in groups.items()}
    return {None: flat(body["total"]), **{c["place_id"]: flat(c["groups"]) for c in body["children"]}}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_districts_figures_are_the_visits_counted_person_by_person(client, session, world, db, settings, seed):
    generated = district(session, world, random.Random(seed))
    township_of = generated["villages"]
    from server.alerts.models import Alert

    raised = {10: [world.a, world.b, world.a], 11: [world.b]}
    for month, towns in raised.items():
        for k, town in enumerate(towns):
            at = datetime(2026, month, 3 + k, 10, tzinfo=SH)
            session.add(Alert(kind="visit_gap", place_id=town.place.id, title="t", dedupe_key=f"g:{month}:{k}",
                              created_at=at, sla_due_at=at + timedelta(days=2)))
    session.flush()

    def admin_get(path):
        r = client.get(path, headers=factories.headers(session, world.admin))  # a token of the traveller's clock
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def expected(month):
        ref = reference(session, 2026, month, generated)
        return ref, sums(ref, township_of)

    def check(month, state):
        ref, want = expected(month)
        cov = admin_get(f"/api/coverage?month=2026-{month:02d}")
        assert cov["state"] == state
        got = coverage_of(cov)
        assert got == {k: {x: v[x] for x in got[None]} for k, v in want.items()}
        rates = rates_of(admin_get(f"/api/visit-rates?month=2026-{month:02d}"))
        assert rates == {k: v["groups"] for k, v in want.items()}
        # a township's own screen, counted at the request, says what the district's row says
        for t in (world.a.place.id, world.b.place.id):
            mine = admin_get(f"/api/coverage?month=2026-{month:02d}&place_id={t}")
            assert {k: mine["total"][k] for k in got[t]} == got[t]
        return ref

    # October and November, live: counted at the request
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=SH), tick=False):
        check(10, "live")
        check(11, "live")
        # the live month of a district from the scheduler's rollup, once it has run
        jobs.run("month_rollup", db, at=datetime(2026, 11, 20, 9, 55, tzinfo=SH), settings=settings)
        check(11, "rollup")
    # the rollup older than three of its runs: counted at the request again
    with time_machine.travel(datetime(2026, 11, 20, 10, 20, tzinfo=SH), tick=False):
        check(11, "live")
    # October closed: the record, row by row, and the figures from it
    jobs.run("month_close", db, at=datetime(2026, 11, 1, 0, 30, tzinfo=SH), settings=settings)
    ref = check(10, "closed")
    rows = {r.person_id: r for r in session.scalars(select(PersonMonth).where(PersonMonth.month == "2026-10"))}
    assert set(rows) == set(ref["persons"])
    for pid, want in ref["persons"].items():
        row = rows[pid]
        assert (row.visited, row.by_cadre, row.by_caregiver, row.days_away) == (
            want["visited"], want["by_cadre"], want["by_caregiver"], want["days_away"]), pid
    judged = {r.agreement_id: (r.fulfilment, r.counted) for r in
              session.scalars(select(AgreementMonth).where(AgreementMonth.month == "2026-10"))}
    assert judged == {k: (v["fulfilment"], v["counted"]) for k, v in ref["agreements"].items()}
    # the dashboard's months agree with coverage's
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=SH), tick=False):
        months = {m["month"]: m for m in admin_get("/api/reports/dashboard")["months"]}
        for month in (10, 11):
            cov = admin_get(f"/api/coverage?month=2026-{month:02d}")["total"]
            assert (months[f"2026-{month:02d}"]["active"], months[f"2026-{month:02d}"]["visited"]) == \
                (cov["active"], cov["visited"])
        # the alerts raised in each month: October's from its record, November's as the rollup counted them
        assert [(months[m]["state"], months[m]["alerts"]) for m in ("2026-10", "2026-11")] == [("closed", 3),
                                                                                                 ("rollup", 1)]
        staff = client.get("/api/reports/dashboard", headers=factories.headers(session, world.b.staff)).get_json()
        assert [m["alerts"] for m in staff["months"] if m["month"] == "2026-10"] == [1]


def test_the_benchs_hand_written_month_writes_what_the_app_writes(client, session, connection, world, db, settings):
    """bench/month_sql.py is the floor the benches set the month close, the rollup and the
    reminders beside: it must do the same work, row for row."""
    import sys
    from pathlib import Path

    from server.quotas.models import MonthTotals
    from server.notify.models import Notification

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import month_sql

    district(session, world, random.Random(4))
    at = datetime(2026, 12, 1, 0, 30, tzinfo=SH)

    def written():
        session.expire_all()
        persons = sorted(tuple(getattr(r, c.strip()) for c in month_sql.PERSON_COLUMNS.split(","))
                         for r in session.scalars(select(PersonMonth)))
        agreements = sorted(tuple(getattr(r, c.strip()) for c in month_sql.AGREEMENT_COLUMNS.split(","))
                            for r in session.scalars(select(AgreementMonth)))
        totals = sorted((r.place_id, r.level, r.closed, r.alerts, *(getattr(r, c) for c in month_sql.COUNTS))
                        for r in session.scalars(select(MonthTotals)))
        return persons, agreements, totals

    def close_november():
        from server.quotas.close import close_month

        close_month(session, year=2026, month=11, zone=SH, now=at, alert_settings=settings.alerts)

    for work, job in ((lambda c: month_sql.close(c, 2026, 11, at=at), close_november),
                      (lambda c: month_sql.rollup(c, 2026, 11, at=at - timedelta(days=5)),
                       lambda: jobs.run("month_rollup", db, at=at - timedelta(days=5), settings=settings))):
        savepoint = connection.begin_nested()
        work(connection)
        by_hand = written()
        savepoint.rollback()
        savepoint = connection.begin_nested()
        job()
        by_app = written()
        savepoint.rollback()
        assert by_hand[2] == by_app[2] and by_hand[2]
        assert by_hand[:2] == by_app[:2]
    # the reminders: the same caregivers
    when = datetime(2026, 11, 24, 9, tzinfo=SH)
    savepoint = connection.begin_nested()
    month_sql.reminders(connection, at=when)
    by_hand = sorted(session.scalars(select(Notification.user_id).where(Notification.kind == "reminder")))
    savepoint.rollback()
    jobs.run("daily_reminders", db, at=when, settings=settings)
    by_app = sorted(session.scalars(select(Notification.user_id).where(Notification.kind == "reminder")))
    assert by_hand == by_app and by_app
