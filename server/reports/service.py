"""What township and district staff report upward (seeds 001 and 002), for a month and a place.
Each report is a title, headers as the forms print them, and rows; routes render JSON, CSV or XLSX."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import case, func, select
from sqlmodel import Session

from server import clock
from server.activities.models import VolunteerActivity, VolunteerTeam
from server.alerts import service as alerts
from server.auth.actor import Actor
from server.auth.models import User
from server.campaigns import service as campaigns
from server.care import record as care_record
from server.care import service as care
from server.care.models import HOLDER_LABELS, CareAgreement
from server.messages import month_note, text
from server.people.models import Person
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place
from server.places.service import township_rows
from server.quotas import policy as quota_policy
from server.quotas import service as quotas
from server.quotas.models import TOTAL_COUNTS, SchedulePolicy
from server.reviews import service as reviews
from server.tables import Report
from server.timeutil import months_to
from server.visits import service as visits

STREAM_ROWS = 2000  # rows a streamed report reads at a time

LEVEL_ZH = {"self_care": "全自理", "partly_disabled": "半失能", "fully_disabled": "全失能"}


# What other rooms add: reports they make, by name (casework's 临时救助月报 and evaluations), and
# counts of the staff home's tiles (the spot checks); each registers itself here, as the
# composition root imports it.
_made_elsewhere: dict[str, Callable[..., Report]] = {}
_badges: dict[str, Callable[..., int]] = {}


def makes_report(name: str):
    """Registers ``make(session, *, actor, place_id, year, month, zone, today, lang)`` as the report
    ``name`` (its keyword arguments taken as it needs them, the rest as ``**_``)."""
    def register(make: Callable[..., Report]):
        _made_elsewhere[name] = make
        return make
    return register


def made_elsewhere(name: str) -> Callable[..., Report] | None:
    """The registered maker of the report ``name``, if another room makes it."""
    return _made_elsewhere.get(name)


def counts_badge(name: str):
    """Registers ``count(session, *, actor) -> int`` as the staff home's tile ``name`` (``badges``)."""
    def register(count: Callable[..., int]):
        _badges[name] = count
        return count
    return register


def _scope(session: Session, actor: Actor, place_id: int | None) -> Place:
    return managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)


def annex1(session: Session, *, actor: Actor, place_id: int | None) -> Report:
    """Seed 001 annex 1: people under decentralised support per township, fully and partly disabled."""
    place = _scope(session, actor, place_id)
    village = sa.orm.aliased(Place)
    counts = {tid: (n, f, p) for tid, n, f, p in session.execute(
        select(village.parent_id, func.count(),
               func.sum(case((Person.self_care_level == "fully_disabled", 1), else_=0)),
               func.sum(case((Person.self_care_level == "partly_disabled", 1), else_=0)))
        .join(village, village.id == Person.village_id)
        .where(Person.status == "active", Person.support_mode == "decentralised")
        .group_by(village.parent_id)).all()}
    rows, totals = [], [0, 0, 0]
    for seq, t in enumerate(township_rows(session, place), start=1):
        n, f, p = counts.get(t.id, (0, 0, 0))
        rows.append([seq, t.name, n, f, p, ""])
        totals = [totals[0] + n, totals[1] + f, totals[2] + p]
    rows.append(["合计", "", *totals, ""])
    # the headers as the form prints them, 备注 (remarks, blank on the form) included
    return Report(text("report.annex1", place=place.name),
                  ["序号", "乡镇苏木街道", "分散供养人数", "其中：全失能人数", "半失能人数", "备注"], rows)


def coverage(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
             lang: str = "zh-CN", now=None) -> Report:
    """A month's 月探访率 per township and village, and 照料服务履约 by self-care level, under the policy
    it names: a closed month as its record says."""
    now = now or clock.now()
    place = _scope(session, actor, place_id)
    m = quotas.month_rules(session, year=year, month=month, zone=zone)
    f, villages = quotas.by_village(session, place=place, m=m, now=now)
    names = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(
        list(villages) + [v.parent_id for v in session.scalars(select(Place).where(Place.id.in_(list(villages))))])))}
    headers = ["乡镇", "村/居委会", "在册人数", "已探访人数", "月探访率"] + [f"{LEVEL_ZH[lv]}履约达标" for lv in LEVEL_ZH]

    def cells(c: dict) -> list:
        rate = f"{c['visited'] / c['on_roster']:.0%}" if c["on_roster"] else "-"
        return [c["on_roster"], c["visited"], rate] + [f"{c[f'met_{lv}']}/{c[f'due_{lv}']}" for lv in LEVEL_ZH]

    rows, total = [], dict.fromkeys(TOTAL_COUNTS, 0)
    for vid, c in sorted(villages.items(), key=lambda kv: (names[names[kv[0]].parent_id].name, names[kv[0]].name)):
        rows.append([names[names[vid].parent_id].name, names[vid].name, *cells(c)])
        for k in TOTAL_COUNTS:
            total[k] += c[k]
    rows.append(["合计", "", *cells(total)])
    applied = quota_policy.applied_rules(m.policy, m.volunteer_visits, lang)
    return Report(text("report.coverage", place=place.name, year=year, month=month), headers, rows,
                  notes=[applied["text"], applied["volunteer_text"], month_note(year, month, f.state, f.as_of, zone, lang)], policy=applied)


def volunteers(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int) -> Report:
    """Volunteer team activity compliance for the month (seed 000 item 3)."""
    place = _scope(session, actor, place_id)
    first = date(year, month, 1)
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    need = session.get(SchedulePolicy, 1).volunteer_activities_per_month
    rows = session.execute(
        select(Place.name, VolunteerTeam.name, func.count(VolunteerActivity.id),
               func.coalesce(func.sum(VolunteerActivity.people_served), 0))
        .join(Place, Place.id == VolunteerTeam.township_id)
        .outerjoin(VolunteerActivity, (VolunteerActivity.team_id == VolunteerTeam.id)
                   & (VolunteerActivity.held_on >= first) & (VolunteerActivity.held_on < nxt))
        .where(places.subtree_filter(place))
        .group_by(VolunteerTeam.id, Place.name, VolunteerTeam.name).order_by(Place.name, VolunteerTeam.name)
    ).all()
    return Report(text("report.volunteers", place=place.name, year=year, month=month),
                  ["乡镇", "志愿服务队", "活动次数", "服务人次", "是否达标"],
                  [[t, team, n, served, "是" if n >= need else "否"] for t, team, n, served in rows])


def care_homes(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, today: date,
               zone: ZoneInfo) -> Report:
    """Seed 001 annex 2 for a month, counted on its last day (today for the month under way): the
    roster's residents living in each home that day plus those it houses not on the roster, the
    target at the district's occupancy setting (seed 001 二(二)4: 60%). A closed month as the month
    close wrote it (server/care/record.py), whatever the homes or the setting are now. The homes of
    a township under it, or all of them for the district."""
    place = _scope(session, actor, place_id)
    day = min(date(year, month, calendar.monthrange(year, month)[1]), today)
    under = set(session.scalars(select(Place.id).where(places.subtree_filter(place))))
    written = care_record.of(session, f"{year:04d}-{month:02d}")
    if written is not None:
        every, percent = care_record.annex_rows(session, written), written.occupancy_target_percent
        said = month_note(year, month, "closed", written.written_at, zone)
    else:
        every, percent = care.home_rows(session, on=day), care.home_policy(session).occupancy_target_percent
        said = month_note(year, month, "as_recorded", None, zone)
    homes = [h for h in every if h["place_id"] in under]
    rows = [[h["seq"], h["name"], h["beds"], h["residents"], h["target"], h["still_needed"], h["staff"],
             h["head_name"] or "", h["phone"] or ""] for h in homes]
    t = [sum(r[i] for r in rows) for i in (2, 3, 4, 5, 6)]
    rows.append(["合计", "", *t, "", ""])
    return Report(text("report.care_homes"), ["序号", "名称", "实有床位数（张）", "现入住老人数（人）", f"{percent}%应住人数",
                                             f"达到{percent}%还应入住人数", "工作人员人数", "负责人", "联系电话"], rows,
                  notes=[said, text("report.care_homes.rule", day=day.isoformat(), percent=percent)])


FULFILMENT_ZH = {"met": "达标", "not_met": "未达标", "excused": "不计"}


def agreements(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
               lang: str = "zh-CN") -> Report:
    """Care agreements that ran in the month with the caregiver's own counted 探访 by mode against
    the quota prorated over the days the person was at home (照料服务履约, the care subsidy's basis,
    seed 002 item 5, seed 000 item 7): met, not met, or 不计 when the person was away the whole
    month — judged by the policy it names, with the visits waiting for review or rejected beside
    it. A closed month as its record says, an amended row marked 更正 with its date."""
    place = _scope(session, actor, place_id)
    m = quotas.month_rules(session, year=year, month=month, zone=zone)
    rows, close = quotas.agreement_source(session, place=place, m=m)
    village = sa.orm.aliased(Place)
    data = session.execute(
        select(village.name, Person.name, rows.c.self_care_level, User.display_name, CareAgreement.relation,
               rows.c.start_on, rows.c.end_on, rows.c.quota, rows.c.home, rows.c.phone_video,
               rows.c.remote, rows.c.counted, rows.c.flagged, rows.c.fulfilment, rows.c.amended_at)
        .join(CareAgreement, CareAgreement.id == rows.c.agreement_id)
        .join(Person, Person.id == rows.c.person_id)
        .join(village, village.id == rows.c.village_id)
        .join(User, User.id == rows.c.caregiver_id)
        .order_by(village.name, Person.name, rows.c.agreement_id)
        .execution_options(yield_per=STREAM_ROWS))

    def lines():  # streamed: a district's agreements are read while the file is written
        for v, p, level, caregiver, relation, start_on, end_on, quota, home, pv, remote, counted, flags, verdict, amended in data:
            yield [v, p, LEVEL_ZH[level], caregiver, HOLDER_LABELS[relation], start_on.isoformat(),
                   end_on.isoformat() if end_on else "", quota, home, pv, remote, counted, flags, FULFILMENT_ZH[verdict],
                   f"更正 {amended.astimezone(zone):%Y-%m-%d}" if amended else ""]

    applied = quota_policy.applied_rules(m.policy, m.volunteer_visits, lang)
    state = (month_note(year, month, "closed", close.closed_at, zone, lang) if close
             else month_note(year, month, "live", clock.now(), zone, lang))
    return Report(text("report.agreements", place=place.name, year=year, month=month),
                  ["村/居委会", "特困人员", "自理情况", "照料服务人", "关系", "协议开始", "协议终止", "应探访次数",
                   "上门入户", "电话视频", "远程监测", "计入探访次数", "异常探访次数", "履行情况", "更正"], lines(),
                  notes=[applied["text"], text("report.agreements.rule", lang), state], policy=applied)


GROUP_ZH = {"lives_alone": "独居", "empty_nest": "空巢", "left_behind": "留守", "disabled": "失能",
            "severe_disability": "重残", "family_planning_special": "计划生育特殊家庭", "any": "合计"}


def visit_rates(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
                lang: str = "zh-CN") -> Report:
    """Seed 002's 月探访率 of 独居、空巢、留守、失能、重残、计划生育特殊家庭 (60 and over) by place (quotas.visit_rates), a row per child
    place and the total: persons, visited and the rate of each group."""
    data = quotas.visit_rates(session, actor=actor, place_id=place_id, year=year, month=month, zone=zone, lang=lang)
    keys = [*data["groups"], "any"]
    headers = ["地区"] + [f"{GROUP_ZH[g]}{col}" for g in keys for col in ("人数", "已探访", "探访率")]

    def cells(counts: dict) -> list:
        return [v for g in keys for v in (counts[g]["total"], counts[g]["visited"],
                                          "-" if counts[g]["rate"] is None else f"{counts[g]['rate']:g}%")]

    rows = [[c["name"], *cells(c["groups"])] for c in data["children"]] + [["合计", *cells(data["total"])]]
    policy = data["policy"]
    return Report(text("report.visit_rates", lang, place=data["name"], year=year, month=month), headers, rows,
                  notes=[policy["text"], policy["volunteer_text"], text("rates.groups", lang), text("rates.elderly", lang),
                         month_note(year, month, data["state"], data["as_of"], zone, lang)], policy=policy)


def dashboard(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
              months: int = 12, now=None) -> dict:
    """The last 12 months under a place, for the staff dashboard: each month's roster, visited and
    alerts raised (a closed month's record, the live month as counted last: one row a
    month, not a district's alerts grouped at each request)."""
    now = now or clock.now()
    place = _scope(session, actor, place_id)
    ym = months_to(year, month, months)
    found = quotas.figures(session, place=place, rules=quotas.rules_of(session, ym, zone), now=now, children=None)
    out = [{"month": f.month, "state": f.state, "closed_at": f.closed_at, "as_of": f.as_of,
            "active": f.total["on_roster"], "visited": f.total["visited"], "alerts": f.total["alerts"]}
           for f in found]
    return {"place_id": place.id, "name": place.name, "months": out}


def badges(session: Session, *, actor: Actor, zone: ZoneInfo, now) -> dict:
    """What waits on the staff home's tiles (issue 28 problem 6): the alerts not yet resolved (and
    how many are past their deadline), the visits waiting for review, and the tasks of this period
    not done under the actor's place — each campaign's persons not done, and the persons not yet
    reviewed in the 动态管理复核 open now (or overdue from the last one); the spot checks not yet
    called back."""
    place = _scope(session, actor, None)
    today = clock.today(zone, now)
    sla = alerts.sla_summary(session, actor=actor, now=now)
    review = reviews.current(session, today)
    return {"alerts": sla["open_in_time"] + sla["open_overdue"] + sla["acknowledged"],
            "alerts_overdue": sla["open_overdue"],
            "exceptions_waiting": visits.waiting_for_review(session, actor=actor),
            "campaigns": {kind: sum(campaigns.undone_counts(session, kind=kind, place=place,
                                                            label=campaigns.period_of(session, kind, today)).values())
                          for kind in campaigns.KINDS},
            "reviews": reviews.not_reviewed_count(session, review, place=place, today=today, zone=zone),
            "reviews_overdue": today > review.last_day,
            **{name: count(session, actor=actor) for name, count in _badges.items()}}


def overview(session: Session, *, actor: Actor, year: int, month: int, zone: ZoneInfo, now) -> dict:
    """The district admin's home (township staff get theirs too): this month's coverage by the
    places under theirs, the alerts not yet resolved by SLA state, and the exceptions waiting."""
    return {"coverage": quotas.coverage(session, actor=actor, place_id=None, year=year, month=month, zone=zone,
                                        trend_months=1),
            "alerts": alerts.sla_summary(session, actor=actor, now=now),
            "exceptions_waiting": visits.waiting_for_review(session, actor=actor)}
