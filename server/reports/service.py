"""What township and district staff report upward (seeds 001 and 002), for a month and a place.
Each report is a title, headers as the forms print them, and rows; routes render JSON, CSV or XLSX."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import case, func, select
from sqlmodel import Session

from server.activities.models import VolunteerActivity, VolunteerTeam
from server.alerts import service as alerts
from server.alerts.models import Alert
from server.auth.actor import Actor
from server.auth.models import User
from server.auth.policy import managed_place
from server.care.models import RELATION_LABELS, CareAgreement, CareHome
from server.errors import ServiceError
from server.messages import text
from server.people.models import Person
from server.places import service as places
from server.places.models import Place
from server.quotas import service as quotas
from server.quotas.models import MODE_GROUPS, SchedulePolicy
from server.quotas.service import started_in
from server.timeutil import month_bounds, months_to
from server.visits import service as visits
from server.visits.models import Visit

STREAM_ROWS = 2000  # rows a streamed report reads at a time

LEVEL_ZH = {"self_care": "全自理", "partly_disabled": "半失能", "fully_disabled": "全失能"}


@dataclass
class Report:
    title: str
    headers: list[str]
    rows: Iterable[list]  # a list, or a stream read from the database as it is written out (once)
    notes: list[str] = field(default_factory=list)  # printed under the table (the policy applied, the form's notes)
    policy: dict | None = None  # the quota policy a report judging 达标/未达标 applied (quotas.applied)

    def as_dict(self) -> dict:
        out = {"title": self.title, "headers": self.headers, "rows": list(self.rows), "notes": self.notes}
        if self.policy is not None:
            out["policy"] = self.policy
        return out

    def table_rows(self) -> Iterator[list]:
        """The rows as a spreadsheet prints them: the table, then a blank row and the notes."""
        yield from self.rows
        if self.notes:
            yield []
            yield from ([n] for n in self.notes)


def _scope(session: Session, actor: Actor, place_id: int | None) -> Place:
    return managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)


def township_rows(session: Session, place: Place) -> list[Place]:
    if place.level == "district":
        return list(session.scalars(select(Place).where(Place.parent_id == place.id).order_by(Place.id)))
    if place.level == "township":
        return [place]
    raise ServiceError(422, "validation", errors={"place_id": ["a district or a township"]})


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
             lang: str = "zh-CN") -> Report:
    """Monthly visit coverage per township and village, and quota compliance by self-care level
    under the policy it names."""
    place = _scope(session, actor, place_id)
    groups: dict[tuple[str, str], dict] = {}
    for r in session.execute(quotas.coverage_query(session, place=place, year=year, month=month, zone=zone)):
        g = groups.setdefault((r.township, r.village), {"active": 0, "visited": 0, **{lv: [0, 0] for lv in LEVEL_ZH}})
        g["active"] += 1
        g["visited"] += 1 if r.visited else 0
        g[r.self_care_level][0] += 1
        g[r.self_care_level][1] += 1 if r.met else 0
    headers = ["乡镇", "村/居委会", "在册人数", "已探访人数", "探访覆盖率"] + [f"{LEVEL_ZH[lv]}达标" for lv in LEVEL_ZH]
    rows = []
    for (t_name, v_name), g in sorted(groups.items()):
        rows.append([t_name, v_name, g["active"], g["visited"], f"{g['visited'] / g['active']:.0%}"] +
                    [f"{g[lv][1]}/{g[lv][0]}" for lv in LEVEL_ZH])
    active = sum(g["active"] for g in groups.values())
    visited = sum(g["visited"] for g in groups.values())
    rows.append(["合计", "", active, visited, f"{visited / active:.0%}" if active else "-"] +
                [f"{sum(g[lv][1] for g in groups.values())}/{sum(g[lv][0] for g in groups.values())}" for lv in LEVEL_ZH])
    applied = quotas.applied(session, lang)
    return Report(text("report.coverage", place=place.name, year=year, month=month), headers, rows,
                  notes=[applied["text"]], policy=applied)


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


def care_homes(session: Session, *, actor: Actor, place_id: int | None) -> Report:
    """Seed 001 annex 2 (heads' names and phone numbers left out)."""
    _scope(session, actor, place_id)
    homes = session.scalars(select(CareHome).order_by(CareHome.seq, CareHome.id)).all()
    rows = []
    for h in homes:
        target = math.ceil(h.beds * 0.6)
        rows.append([h.seq, h.name, h.beds, h.residents, target, target - h.residents, h.staff])
    t = [sum(r[i] for r in rows) for i in (2, 3, 4, 5, 6)]
    rows.append(["合计", "", *t])
    return Report(text("report.care_homes"), ["序号", "名称", "实有床位数（张）", "现入住老人数（人）", "60%应住人数",
                                             "达到60%还应入住人数", "工作人员人数"], rows)


def agreements(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
               lang: str = "zh-CN") -> Report:
    """Care agreements with the verified care behind them this month, by mode: the basis on which
    the care subsidy is paid or withheld, judged by the quota policy it names, with the
    exceptions beside it."""
    place = _scope(session, actor, place_id)
    start, end = month_bounds(year, month, zone)
    first = date(year, month, 1)
    policy = quotas.policies(session)
    # the month's visits of the persons under the place only: a township's, not the whole
    # district's grouped and mostly thrown away (a township at a million persons: 1.3 s → 17 ms)
    theirs = Visit.person_id.in_(quotas.persons_under(place))
    done = quotas.mode_counts(start, end, by=(Visit.person_id, Visit.caregiver_id), where=theirs)
    flagged = (select(Visit.person_id, Visit.caregiver_id, func.count().label("n"))
               .where(started_in(start, end), Visit.status.in_(("exception", "rejected")), theirs)
               .group_by(Visit.person_id, Visit.caregiver_id).subquery())
    mine = lambda sub: (sub.c.person_id == CareAgreement.person_id) & (sub.c.caregiver_id == CareAgreement.caregiver_id)  # noqa: E731
    village = sa.orm.aliased(Place)
    data = session.execute(
        select(village.name, Person.name, Person.self_care_level, User.display_name, CareAgreement.relation,
               CareAgreement.start_on, CareAgreement.end_on,
               *(func.coalesce(done.c[g], 0) for g in MODE_GROUPS), func.coalesce(flagged.c.n, 0))
        .join(Person, Person.id == CareAgreement.person_id)
        .join(village, village.id == Person.village_id)
        .join(User, User.id == CareAgreement.caregiver_id)
        .outerjoin(done, mine(done))
        .outerjoin(flagged, mine(flagged))
        .where(village.path.startswith(place.path, autoescape=True), CareAgreement.start_on < end.date(),
               (CareAgreement.end_on.is_(None)) | (CareAgreement.end_on >= first))
        .order_by(village.name, Person.name, CareAgreement.id)
        .execution_options(yield_per=STREAM_ROWS))

    def rows():  # streamed: a district's agreements are read while the file is written
        for v, p, level, caregiver, relation, start_on, end_on, home, pv, remote, flags in data:
            q = policy[level]
            yield [v, p, LEVEL_ZH[level], caregiver, RELATION_LABELS[relation], start_on.isoformat(),
                   end_on.isoformat() if end_on else "", q.required(), home, pv, remote, q.counted(home, pv, remote),
                   flags, "达标" if q.met(home, pv, remote) else "未达标"]

    applied = quotas.applied(session, lang)
    return Report(text("report.agreements", place=place.name, year=year, month=month),
                  ["村/居委会", "特困人员", "自理情况", "照料服务人", "关系", "协议开始", "协议终止", "应探访次数",
                   "上门入户", "电话视频", "远程监测", "计入探访次数", "异常探访次数", "履行情况"], rows(),
                  notes=[applied["text"]], policy=applied)


GROUP_ZH = {"lives_alone": "独居", "empty_nest": "空巢", "left_behind": "留守", "disabled": "失能",
            "severe_disability": "重残", "any": "合计"}


def visit_rates(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
                lang: str = "zh-CN") -> Report:
    """Seed 002's 月探访率 of 独居、空巢、留守、失能、重残 by place (quotas.visit_rates), a row per child
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
                  notes=[policy["text"], policy["volunteer_text"], text("rates.groups", lang)], policy=policy)


def dashboard(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
              months: int = 12) -> dict:
    """The last 12 months under a place: coverage and alerts raised, for the staff dashboard."""
    place = _scope(session, actor, place_id)
    ym = months_to(year, month, months)
    # the register is counted once (who is on it now), the months' visited in one grouped query
    # (quotas.visited_by_month) and the alerts raised likewise: at a million persons the twelve
    # months' queries each took a district's persons and visits again (12.5 s in all)
    active = quotas.on_register_count(session, place)
    visited = quotas.visited_by_month(session, place=place, months=ym, zone=zone, policy=quotas.policies(session),
                                      volunteer_visits=quotas.schedule(session).volunteer_visits_count)
    bounds = [month_bounds(y, m, zone) for y, m in ym]
    in_month = quotas.month_of(Alert.created_at, bounds)
    raised = dict(session.execute(
        select(in_month, func.count()).join(Place, Place.id == Alert.place_id)
        .where(places.subtree_filter(place), Alert.created_at >= bounds[0][0], Alert.created_at < bounds[-1][1])
        .group_by(in_month)).all())
    out = [{"month": f"{y:04d}-{m:02d}", "active": active, "visited": visited[y, m], "alerts": raised.get(k, 0)}
           for k, (y, m) in enumerate(ym)]
    return {"place_id": place.id, "name": place.name, "months": out}


def overview(session: Session, *, actor: Actor, year: int, month: int, zone: ZoneInfo, now) -> dict:
    """The district admin's home (township staff get theirs too): this month's coverage by the
    places under theirs, the alerts not yet resolved by SLA state, and the exceptions waiting."""
    return {"coverage": quotas.coverage(session, actor=actor, place_id=None, year=year, month=month, zone=zone,
                                        trend_months=1),
            "alerts": alerts.sla_summary(session, actor=actor, now=now),
            "exceptions_waiting": visits.waiting_for_review(session, actor=actor)}
