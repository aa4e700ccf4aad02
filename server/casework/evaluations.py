"""The door-to-door evaluation (逐人定期考核评价, seed 001 §二(一)2, on annex 3's form): who is due one,
how far the campaign has come in each village, and what came of the wish to move into a care home
(集中供养意愿)."""

from __future__ import annotations

import calendar
from datetime import date

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlmodel import Session

from server.assessments.models import Assessment
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.models import User
from server.care import service as care
from server.care.models import CareAgreement, CareResidence
from server.casework.policy import policy
from server.messages import text
from server.people.models import Person, PersonExit
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place
from server.places.service import township_rows
from server.reports import service as reports
from server.tables import Report


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has no such day)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _scope(session: Session, actor: Actor, place_id: int | None) -> Place:
    return managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)


def _on_roster_under(place: Place):
    """Persons supported at home under ``place`` (the ones the evaluation visits)."""
    return (Person.status == "active", Person.support_mode == "decentralised",
            Person.village_id.in_(select(Place.id).where(places.subtree_filter(place))))


def _last_assessed():
    return select(Assessment.person_id, func.max(Assessment.assessed_on).label("on")).group_by(
        Assessment.person_id).subquery()


def due(session: Session, *, actor: Actor, place_id: int | None, today: date) -> list[dict]:
    """Persons with no evaluation within the district's interval (12 months by default), the
    longest-waiting first, with what the form asks of their caregiver."""
    place = _scope(session, actor, place_id)
    cutoff = months_before(today, policy(session).evaluation_interval_months)
    last = _last_assessed()
    village = sa.orm.aliased(Place)
    rows = session.execute(
        select(Person, village.name, last.c.on, User.display_name, CareAgreement.relation)
        .join(village, village.id == Person.village_id)
        .outerjoin(last, last.c.person_id == Person.id)
        .outerjoin(CareAgreement, sa.and_(CareAgreement.person_id == Person.id, CareAgreement.status == "active"))
        .outerjoin(User, User.id == CareAgreement.caregiver_id)
        .where(*_on_roster_under(place), sa.or_(last.c.on.is_(None), last.c.on <= cutoff))
        .order_by(last.c.on.is_not(None), last.c.on, village.name, Person.name)).all()
    audit.record_person_reads(session, actor=actor, person_ids=[p.id for p, *_ in rows], action="list_evaluations_due")
    return [{"person_id": p.id, "name": p.name, "sex": p.sex, "birth_date": p.birth_date, "village_name": v,
             "self_care_level": p.self_care_level, "last_assessed_on": on, "caregiver_name": cg,
             "caregiver_relation": rel, "wishes_centralised": p.wishes_centralised}
            for p, v, on, cg, rel in rows]


EVALUATION_HEADERS = ["序号", "乡镇（街道）", "村/居委会", "分散供养人数", "已评估", "未评估", "评估率"]


@reports.makes_report("evaluations")
def progress(session: Session, *, actor: Actor, place_id: int | None, today: date, **_) -> Report:
    """The campaign village by village: persons at home, evaluated within the interval, the rate."""
    place = _scope(session, actor, place_id)
    cutoff = months_before(today, policy(session).evaluation_interval_months)
    last = _last_assessed()
    village, township = sa.orm.aliased(Place), sa.orm.aliased(Place)
    done = sa.func.sum(sa.case((last.c.on > cutoff, 1), else_=0))
    found = session.execute(
        select(township.name, village.name, func.count(Person.id), done)
        .join(village, village.id == Person.village_id)
        .join(township, township.id == village.parent_id)
        .outerjoin(last, last.c.person_id == Person.id)
        .where(*_on_roster_under(place))
        .group_by(township.name, village.name).order_by(township.name, village.name)).all()
    rows = []
    for n, (t, v, total, evaluated) in enumerate(found, start=1):
        evaluated = int(evaluated or 0)
        rows.append([n, t, v, total, evaluated, total - evaluated, f"{round(100 * evaluated / total)}%"])
    return Report(text("report.evaluations", place=place.name, months=policy(session).evaluation_interval_months),
                  EVALUATION_HEADERS, rows)


CENTRALISATION_HEADERS = ["序号", "乡镇（街道）", "有集中供养意愿", "已入住敬老院", "入住率"]


@reports.makes_report("centralisation")
def centralisation(session: Session, *, actor: Actor, place_id: int | None, **_) -> Report:
    """Per township: who wished to move into a care home, who moved, and the rate (seed 004 item 2:
    有集中供养意愿的特困人员集中供养率达到100%). Moved: centrally supported, moved in through the app (a
    residence, ended or not: a resident who died there had moved), or left the roster for a care home
    (the exit's 入住养老机构)."""
    place = _scope(session, actor, place_id)
    village = sa.orm.aliased(Place)
    moved = sa.or_(
        Person.support_mode == "centralised",
        sa.exists().where(CareResidence.person_id == Person.id),
        sa.exists().where(PersonExit.person_id == Person.id, PersonExit.reason == "care_home"))
    counts = dict(((tid, (w, m)) for tid, w, m in session.execute(
        select(village.parent_id, func.count(Person.id), func.sum(sa.case((moved, 1), else_=0)))
        .join(village, village.id == Person.village_id)
        .where(Person.wishes_centralised.is_(True))
        .group_by(village.parent_id)).all()))
    rows = []
    for n, t in enumerate(township_rows(session, place), start=1):
        wished, done = counts.get(t.id, (0, 0))
        done = int(done or 0)
        rows.append([n, t.name, wished, done, f"{round(100 * done / wished)}%" if wished else "—"])
    return Report(text("report.centralisation", place=place.name), CENTRALISATION_HEADERS, rows)


DISABLED = ("fully_disabled", "partly_disabled")
DISABLED_HEADERS = ["序号", "乡镇（街道）", "失能特困人员", "其中：集中供养", "分散供养", "集中供养比例", "目标"]


@reports.makes_report("disabled-centralised")
def disabled_centralised(session: Session, *, actor: Actor, place_id: int | None, today: date, **_) -> Report:
    """Per township, today: 失能 (fully or partly disabled) 特困 persons living in a care home against
    those supported at home, and the share against the district's target (seed 003 (二): 逐步提升失能
    特困人员集中供养比例达到80%, a setting)."""
    place = _scope(session, actor, place_id)
    target = care.home_policy(session).disabled_centralised_percent
    village = sa.orm.aliased(Place)
    in_home = sa.exists().where(CareResidence.person_id == Person.id, care.living_on(today))
    at_home = sa.and_(Person.status == "active", Person.support_mode == "decentralised")
    counts = {tid: (int(c or 0), int(d or 0)) for tid, c, d in session.execute(
        select(village.parent_id, func.sum(sa.case((in_home, 1), else_=0)), func.sum(sa.case((at_home, 1), else_=0)))
        .join(village, village.id == Person.village_id)
        .where(Person.assistance_category == "tekun", Person.self_care_level.in_(DISABLED), sa.or_(in_home, at_home))
        .group_by(village.parent_id)).all()}
    rows, total = [], [0, 0]
    for n, t in enumerate(township_rows(session, place), start=1):
        c, d = counts.get(t.id, (0, 0))
        rows.append([n, t.name, c + d, c, d, f"{round(100 * c / (c + d))}%" if c + d else "—", f"{target}%"])
        total = [total[0] + c, total[1] + d]
    c, d = total
    rows.append(["合计", "", c + d, c, d, f"{round(100 * c / (c + d))}%" if c + d else "—", f"{target}%"])
    return Report(text("report.disabled_centralised", place=place.name), DISABLED_HEADERS, rows,
                  notes=[text("report.disabled_centralised.rule", percent=target)])
