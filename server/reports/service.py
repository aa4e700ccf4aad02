"""What township and district staff report upward (seeds 001 and 002), for a month and a place.
Each report is a title, headers as the forms print them, and rows; routes render JSON, CSV or XLSX."""

from __future__ import annotations

import math
from dataclasses import dataclass
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
from server.care.models import CareAgreement, CareHome
from server.errors import ServiceError
from server.messages import text
from server.people.models import Person
from server.places import service as places
from server.places.models import Place
from server.quotas import service as quotas
from server.quotas.models import SchedulePolicy
from server.timeutil import month_bounds
from server.visits import service as visits
from server.visits.models import Visit

LEVEL_ZH = {"self_care": "全自理", "partly_disabled": "半失能", "fully_disabled": "全失能"}


@dataclass
class Report:
    title: str
    headers: list[str]
    rows: list[list]

    def as_dict(self) -> dict:
        return {"title": self.title, "headers": self.headers, "rows": self.rows}


def _scope(session: Session, actor: Actor, place_id: int | None) -> Place:
    return managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)


def _township_rows(session: Session, place: Place) -> list[Place]:
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
    for seq, t in enumerate(_township_rows(session, place), start=1):
        n, f, p = counts.get(t.id, (0, 0, 0))
        rows.append([seq, t.name, n, f, p])
        totals = [totals[0] + n, totals[1] + f, totals[2] + p]
    rows.append(["合计", "", *totals])
    return Report(text("report.annex1", place=place.name), ["序号", "乡镇（苏木、街道）", "分散供养人数", "其中：全失能", "其中：半失能"], rows)


def coverage(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo) -> Report:
    """Monthly visit coverage per township and village, and quota compliance by self-care level."""
    place = _scope(session, actor, place_id)
    start, end = month_bounds(year, month, zone)
    policy = quotas.policies(session)
    groups: dict[tuple[str, str], dict] = {}
    for r in session.execute(quotas.monthly_coverage(place=place, start=start, end=end)):
        g = groups.setdefault((r.township, r.village), {"active": 0, "visited": 0, **{lv: [0, 0] for lv in LEVEL_ZH}})
        g["active"] += 1
        g["visited"] += 1 if r.visits else 0
        g[r.self_care_level][0] += 1
        g[r.self_care_level][1] += 1 if r.quota_visits >= policy[r.self_care_level].visits_per_month else 0
    headers = ["乡镇", "村/居委会", "在册人数", "已走访人数", "走访覆盖率"] + \
        [f"{LEVEL_ZH[lv]}达标（{policy[lv].visits_per_month}次/月）" for lv in LEVEL_ZH]
    rows = []
    for (t_name, v_name), g in sorted(groups.items()):
        rows.append([t_name, v_name, g["active"], g["visited"], f"{g['visited'] / g['active']:.0%}"] +
                    [f"{g[lv][1]}/{g[lv][0]}" for lv in LEVEL_ZH])
    active = sum(g["active"] for g in groups.values())
    visited = sum(g["visited"] for g in groups.values())
    rows.append(["合计", "", active, visited, f"{visited / active:.0%}" if active else "-"] +
                [f"{sum(g[lv][1] for g in groups.values())}/{sum(g[lv][0] for g in groups.values())}" for lv in LEVEL_ZH])
    return Report(text("report.coverage", place=place.name, year=year, month=month), headers, rows)


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


def agreements(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo) -> Report:
    """Care agreements with the verified care behind them this month: the basis on which the care
    subsidy is paid or withheld, with the exceptions beside it."""
    place = _scope(session, actor, place_id)
    start, end = month_bounds(year, month, zone)
    first = date(year, month, 1)
    policy = quotas.policies(session)
    verified = quotas.counts_toward_quota(start, end)
    flagged = (Visit.started_at >= start) & (Visit.started_at < end) & Visit.status.in_(("exception", "rejected"))
    village = sa.orm.aliased(Place)
    data = session.execute(
        select(village.name, Person.name, Person.self_care_level, User.display_name, CareAgreement.relation,
               CareAgreement.start_on, CareAgreement.end_on,
               func.count(case((verified, Visit.id))), func.count(case((flagged, Visit.id))))
        .join(Person, Person.id == CareAgreement.person_id)
        .join(village, village.id == Person.village_id)
        .join(User, User.id == CareAgreement.caregiver_id)
        .outerjoin(Visit, (Visit.person_id == CareAgreement.person_id) & (Visit.caregiver_id == CareAgreement.caregiver_id))
        .where(village.path.startswith(place.path, autoescape=True), CareAgreement.start_on < end.date(),
               (CareAgreement.end_on.is_(None)) | (CareAgreement.end_on >= first))
        .group_by(CareAgreement.id, village.name, Person.name, Person.self_care_level, User.display_name,
                  CareAgreement.relation, CareAgreement.start_on, CareAgreement.end_on)
        .order_by(village.name, Person.name)
    ).all()
    rows = []
    for v, p, level, caregiver, relation, start_on, end_on, done, flags in data:
        quota = policy[level].visits_per_month
        rows.append([v, p, LEVEL_ZH[level], caregiver, relation, start_on.isoformat(),
                     end_on.isoformat() if end_on else "", quota, done, flags, "达标" if done >= quota else "未达标"])
    return Report(text("report.agreements", place=place.name, year=year, month=month),
                  ["村/居委会", "特困人员", "自理情况", "照料服务人", "关系", "协议开始", "协议终止", "应走访次数",
                   "核实上门走访次数", "异常走访次数", "履行情况"], rows)


def dashboard(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
              months: int = 12) -> dict:
    """The last 12 months under a place: coverage and alerts raised, for the staff dashboard."""
    place = _scope(session, actor, place_id)
    out = []
    y, m = year, month
    for _ in range(months):
        start, end = month_bounds(y, m, zone)
        active, covered = quotas.coverage_totals(session, place=place, start=start, end=end)
        raised = session.scalar(select(func.count()).select_from(Alert).join(Place, Place.id == Alert.place_id)
                                .where(places.subtree_filter(place), Alert.created_at >= start, Alert.created_at < end))
        out.append({"month": f"{y:04d}-{m:02d}", "active": active, "visited": covered, "alerts": raised})
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return {"place_id": place.id, "name": place.name, "months": out[::-1]}


def overview(session: Session, *, actor: Actor, year: int, month: int, zone: ZoneInfo, now) -> dict:
    """The district admin's home (township staff get theirs too): this month's coverage by the
    places under theirs, the alerts not yet resolved by SLA state, and the exceptions waiting."""
    return {"coverage": quotas.coverage(session, actor=actor, place_id=None, year=year, month=month, zone=zone,
                                        trend_months=1),
            "alerts": alerts.sla_summary(session, actor=actor, now=now),
            "exceptions_waiting": visits.waiting_for_review(session, actor=actor)}
