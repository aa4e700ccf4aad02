"""A month's figures as staff and caregivers see them: coverage and 月探访率 by place, the persons
behind them, the persons whose caregiver fell short, a caregiver's own month, who to remind.

Every figure of a month comes from one place (``figures``): a closed month's record (MonthTotals,
PersonMonth and AgreementMonth, written by the month close); the live month of a district or a
township from the scheduler's rollup while it is fresh; any other month counted at once from its rows
(server/quotas/month.py) — the same rows the close writes, so the figures agree whichever way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Select, and_, case, func, select
from sqlmodel import Session

from server import clock
from server.alerts import rules
from server.alerts import service as alerts
from server.alerts.models import Alert
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.models import User
from server.care.models import CareAgreement
from server.messages import text
from server.people import roster
from server.people.models import VISIT_RATE_GROUPS, Absence, Person
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place
from server.quotas import month as months
from server.quotas.close import ROLLUP_FRESH
from server.quotas.models import (
    MODE_GROUPS,
    TOTAL_COUNTS,
    AgreementMonth,
    MonthAmendment,
    MonthClose,
    MonthTotals,
    PersonMonth,
    QuotaPolicy,
)
from server.quotas.month import LEVELS, Month, month_rule
# schedule and second_review_month: read by other rooms through this service
from server.quotas.policy import applied_rules, in_force, policies, schedule, second_review_month  # noqa: F401
from server.quotas.policy import versions_until as policy_versions_until
from server.timeutil import months_to
from server.visits.models import COUNTS_AS_VERIFIED, Visit

# --- what counts -----------------------------------------------------------------------------------


def started_in(start: datetime, end: datetime):
    return (Visit.started_at >= start) & (Visit.started_at < end)


def counts_toward_quota(policy: dict[str, QuotaPolicy], start: datetime | None = None, end: datetime | None = None,
                        *, level=Person.self_care_level):
    """A visit that counts toward a person's month: verified (or accepted), of a mode their level's
    policy counts — started in [start, end) when they are given. ``level`` is the column holding
    the person's self-care level."""
    rule = Visit.status.in_(COUNTS_AS_VERIFIED) & _counted_mode(policy, level)
    return rule if start is None else rule & started_in(start, end)


def _counted_mode(policy: dict[str, QuotaPolicy], level):
    """A visit of a mode its person's level counts (``level``: the column holding that level)."""
    return sa.or_(*((level == lv) & Visit.mode.in_(p.counting_modes()) for lv, p in policy.items()))


def awaits_review_for_quota(policy: dict[str, QuotaPolicy], start: datetime, end: datetime, *,
                            level=Person.self_care_level):
    """A visit started in [start, end) that would count toward the quota but waits for township
    review (待审核): what the caregiver's month counter names beside what counts."""
    return _counted_mode(policy, level) & (Visit.status == "exception") & started_in(start, end)


def expected_by(quota, day: int, length: int):
    """Visits a month's quota asks for by local day ``day`` of a month of ``length`` days, at an
    even pace (numbers, or SQL expressions)."""
    return quota * day // length


def behind(*, quota, counted, minimums: list[tuple], day: int, length: int, reminder_days_left: int, either):
    """The one rule for a caregiver to go now, for an agreement whose month is not met yet: the
    days left (after today) are down to the district's ``reminder_days_left``, or — when the quota
    asks for more than one — the 探访 counted fall behind the month's even pace, or a mode asked
    a minimum falls behind its own (``minimums``: (asked, done) a mode). Numbers judged in Python
    (``either`` = any), or columns in SQL (``either`` = an OR of the clauses)."""
    if length - day <= reminder_days_left:
        return either([True])
    return either([(quota > 1) & (counted < expected_by(quota, day, length)),
                   *(done < expected_by(asked, day, length) for asked, done in minimums)])


# --- a month's figures -------------------------------------------------------------------------------


@dataclass
class Figures:
    """A month's figures of a place and of its child places (MonthTotals' counts): ``state``
    closed (the month close's record), rollup (the live month, as the scheduler last counted it at
    ``as_of``) or live (counted at this request)."""

    month: str
    state: str
    total: dict
    children: dict = field(default_factory=dict)
    closed_at: datetime | None = None
    as_of: datetime | None = None
    villages: dict | None = None  # the villages' counts, when counted at the request


COUNTS = (*TOTAL_COUNTS, "alerts")  # a place's figures: the month's rows summed, and the alerts raised


def _zero() -> dict:
    return dict.fromkeys(COUNTS, 0)


def _add(into: dict, counts) -> None:
    for k in TOTAL_COUNTS:
        into[k] += counts[k]


_T = MonthTotals.__table__


def _stored(session: Session, place: Place, labels: list[str], *, closed: bool, children_for: set[str],
            child_counts: tuple[str, ...]) -> dict:
    """MonthTotals rows of ``place`` for the months ``labels``, and of its children for those of
    ``children_for`` (their ``child_counts``): month → (the place's counts, {child id: counts},
    computed_at). Read as plain rows, all at once: a district has a thousand and more townships."""
    own = select(_T.c.month, _T.c.computed_at, *(_T.c[k] for k in COUNTS)).where(
        _T.c.month.in_(labels), _T.c.closed == closed, _T.c.place_id == place.id)
    out: dict[str, tuple] = {month: (dict(zip(COUNTS, values)), {}, at)
                             for month, at, *values in session.execute(own).all()}
    if children_for:
        kids = select(_T.c.month, _T.c.place_id, *(_T.c[k] for k in child_counts)).where(
            _T.c.month.in_(sorted(children_for)), _T.c.closed == closed, _T.c.parent_id == place.id)
        for month, child, *values in session.execute(kids).all():
            if month not in out:
                out[month] = (_zero(), {}, None)
            out[month][1][child] = dict(zip(child_counts, values))
    return out


def _subtree(place: Place):
    """A clause over Person: living under ``place``."""
    return Person.village_id.in_(select(Place.id).where(places.subtree_filter(place)))


def _counted_now(session: Session, place: Place, m: Month) -> tuple[dict, dict, dict]:
    """A month's figures of ``place``, of its children and of its villages, counted from its rows at
    once — none without asking further when nobody was on the month's roster (a month before the
    first 纳入日期: one probe of the enrolment index; or nobody under the place), not a district's
    agreements grouped."""
    under = _subtree(place)
    total, children, villages = _zero(), {}, {}
    start, end = m.bounds
    # by the places' ids (a township's few dozen, through the alerts' place index), not a walk of the
    # month's alerts of every place joined to theirs
    total["alerts"] = session.scalar(
        select(func.count()).select_from(Alert)
        .where(Alert.place_id.in_(select(Place.id).where(places.subtree_filter(place))),
               Alert.created_at >= start, Alert.created_at < end))
    first = session.scalar(select(func.min(Person.enrolled_on)))
    if first is None or first > m.last or not session.scalar(
            select(sa.exists().where(roster.in_roster(m.first, m.last), under))):
        return total, children, villages
    rows = months.counted_villages(m, persons=under)
    for row in session.execute(rows).mappings():
        _add(total, row)
        villages[row["village_id"]] = {k: row[k] for k in TOTAL_COUNTS}
        child = {"district": row["parent_id"], "township": row["village_id"]}.get(place.level)
        if child is not None:
            _add(children.setdefault(child, _zero()), row)
    return total, children, villages


# Whose live month is read from the scheduler's rollup while it is fresh: a district's and a
# township's (a row a place, the same rows at both levels, so the two never disagree). A village's is
# counted at the request, as its persons are listed: its headline and its rows come from one count.
ROLLED_UP = ("district", "township")


def figures(session: Session, *, place: Place, rules: list[Month], now: datetime,
            children: tuple[str, ...] | None = COUNTS) -> list[Figures]:
    """The figures of ``place`` in each month of ``rules`` — and those named ``children`` of its
    child places in the last of them, the month a screen is about: a closed month's record; the
    live month of a district or a township from the rollup while it is fresh (ROLLUP_FRESH); every
    other month counted now."""
    labels = [m.label for m in rules]
    focus = {labels[-1]} if children and labels else set()
    wanted = children or ()
    closes = {c.month: c for c in session.scalars(select(MonthClose).where(MonthClose.month.in_(labels)))}
    closed = (_stored(session, place, [lb for lb in labels if lb in closes], closed=True, children_for=focus,
                      child_counts=wanted) if closes else {})
    live_label = f"{now.astimezone(rules[0].zone):%Y-%m}" if rules else None
    rolled = (_stored(session, place, [live_label], closed=False, children_for=focus, child_counts=wanted)
              if place.level in ROLLED_UP and live_label in labels and live_label not in closes else {})
    out = []
    for m in rules:
        if m.label in closes:
            total, kids, _ = closed.get(m.label, (_zero(), {}, None))
            out.append(Figures(m.label, "closed", total, kids, closed_at=closes[m.label].closed_at,
                               as_of=closes[m.label].closed_at))
            continue
        stored = rolled.get(m.label)
        if stored is not None and stored[2] is not None and now - stored[2] <= ROLLUP_FRESH:
            out.append(Figures(m.label, "rollup", stored[0], stored[1], as_of=stored[2]))
            continue
        total, kids, villages = _counted_now(session, place, m)
        out.append(Figures(m.label, "live", total, kids, as_of=now, villages=villages))
    return out


def by_village(session: Session, *, place: Place, m: Month, now: datetime) -> tuple[Figures, dict[int, dict]]:
    """A month's figures of every village under ``place`` (village id → counts), as ``figures``
    finds them (the record of a closed month, a fresh rollup of the live month, or counted
    now), with the month's Figures for what the table says of them."""
    f = figures(session, place=place, rules=[m], now=now, children=None)[0]
    if f.state == "live":
        return f, f.villages
    village = sa.orm.aliased(Place)
    rows = session.execute(select(_T.c.place_id, *(_T.c[k] for k in TOTAL_COUNTS))
                           .join(village, village.id == _T.c.place_id)
                           .where(_T.c.month == m.label, _T.c.level == "village", _T.c.closed == (f.state == "closed"),
                                  places.subtree_filter(place, of=village))).mappings()
    return f, {r["place_id"]: {k: r[k] for k in TOTAL_COUNTS} for r in rows}


def month_rules(session: Session, *, year: int, month: int, zone: ZoneInfo) -> Month:
    """The month with what it is judged by (a closed one by what its close recorded)."""
    return rules_of(session, [(year, month)], zone)[0]


def agreement_source(session: Session, *, place: Place, m: Month):
    """A month's agreement rows under ``place`` as a subquery (AgreementMonth's columns, with
    ``amended_at``), and its MonthClose: a closed month's record, or counted now (amended_at null)."""
    close = session.get(MonthClose, m.label)
    if close is not None:
        village = sa.orm.aliased(Place)
        return (select(AgreementMonth).join(village, village.id == AgreementMonth.village_id)
                .where(AgreementMonth.month == m.label, places.subtree_filter(place, of=village)).subquery(), close)
    rows = months.agreement_rows(m, persons=_subtree(place)).subquery()
    return select(rows, sa.cast(sa.null(), AgreementMonth.__table__.c.amended_at.type).label("amended_at")).subquery(), None


def _children(session: Session, place: Place) -> list[tuple]:
    """(id, name, level) of the places under ``place``, in id order, as plain rows."""
    return session.execute(select(Place.id, Place.name, Place.level).where(Place.parent_id == place.id)
                           .order_by(Place.id)).all()


SUMMARY_COUNTS = ("on_roster", "visited", *(f"{k}_{lv}" for lv in LEVELS for k in ("due", "met")), "excused")
GROUP_COUNTS = tuple(f"{g}_{k}" for g in (*VISIT_RATE_GROUPS, "any") for k in ("total", "visited"))
_GROUP_KEYS = tuple((g, f"{g}_total", f"{g}_visited") for g in (*VISIT_RATE_GROUPS, "any"))


def summary(counts: dict) -> dict:
    """Counts as coverage shows them: persons on the roster (``active``), of them visited
    (月探访率), and the agreements judged (``agreements``: met or not), met (``quota_met``,
    照料服务履约) and 不计 (``excused``)."""
    return {"active": counts["on_roster"], "visited": counts["visited"],
            "quota_met": counts["met_self_care"] + counts["met_partly_disabled"] + counts["met_fully_disabled"],
            "agreements": counts["due_self_care"] + counts["due_partly_disabled"] + counts["due_fully_disabled"],
            "excused": counts["excused"]}


def rules_of(session: Session, ym: list[tuple[int, int]], zone: ZoneInfo) -> list[Month]:
    """The months ``ym`` with what each is judged by (a closed one by what its close recorded)."""
    closes = {c.month: c for c in session.scalars(select(MonthClose).where(
        MonthClose.month.in_([f"{y:04d}-{m:02d}" for y, m in ym])))}
    volunteer = schedule(session).volunteer_visits_count
    versions = policy_versions_until(session, max(f"{y:04d}-{m:02d}" for y, m in ym))  # one query for them all
    out = []
    for y, m in ym:
        close = closes.get(f"{y:04d}-{m:02d}")
        out.append(Month(y, m, zone, in_force(versions, f"{y:04d}-{m:02d}"),
                         close.policy.get("volunteer_visits_count", volunteer) if close else volunteer))
    return out


def month_info(f: Figures, *, amendments: int = 0) -> dict:
    """What a screen says of a month's figures: closed (已结算, when), or counted when."""
    return {"month": f.month, "state": f.state, "closed_at": f.closed_at, "as_of": f.as_of, "amendments": amendments}


def amendments_count(session: Session, place: Place, label: str) -> int:
    """How many amendments a closed month has under ``place``."""
    return session.scalar(
        select(func.count()).select_from(MonthAmendment)
        .join(PersonMonth, (PersonMonth.person_id == MonthAmendment.person_id) & (PersonMonth.month == MonthAmendment.month))
        .join(Place, Place.id == PersonMonth.village_id)
        .where(MonthAmendment.month == label, places.subtree_filter(place)))


def coverage(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
             trend_months: int = 6, lang: str = "zh-CN", now: datetime | None = None) -> dict:
    """A month's coverage under a place, by its child places (villages of a township, townships of
    a district): the persons on the month's roster, of them visited (月探访率), the agreements judged
    and met (照料服务履约) — under the policy it names — with the months before it as a trend, and
    whether the month is closed (its record) or counted live, and when."""
    now = now or clock.now()
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    ym = months_to(year, month, trend_months)
    rules = rules_of(session, ym, zone)
    found = figures(session, place=place, rules=rules, now=now, children=SUMMARY_COUNTS)
    this, m = found[-1], rules[-1]
    zero = _zero()
    children = [{"place_id": cid, "name": name, **summary(this.children.get(cid, zero))}
                for cid, name, _ in _children(session, place)]
    amended = amendments_count(session, place, m.label) if this.state == "closed" else 0
    return {"place_id": place.id, "name": place.name, "level": place.level, **month_info(this, amendments=amended),
            "policy": applied_rules(m.policy, m.volunteer_visits, lang), "children": children,
            "total": summary(this.total),
            "trend": [{"month": f.month, "state": f.state, "active": f.total["on_roster"], "visited": f.total["visited"]}
                      for f in found]}


def visit_rates(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
                lang: str = "zh-CN", now: datetime | None = None) -> dict:
    """The month's 月探访率 of the groups seed 002 item 3 names (独居、空巢、留守、失能、重残、计划生育特殊家庭)
    under a place, by its child places: per group the persons on the month's roster in it who are
    60 or over in the month (特殊困难老年人), those visited and the rate in percent; ``any`` counts
    each of them once whatever their groups. Visited follows the quota
    policy's modes and the district's rule on volunteer visits, both named in ``policy``."""
    now = now or clock.now()
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    m = rules_of(session, [(year, month)], zone)[0]
    f = figures(session, place=place, rules=[m], now=now, children=GROUP_COUNTS)[0]

    def groups(counts: dict) -> dict:  # a district's thousand townships: its keys made once, not per place
        return {g: {"total": counts[t], "visited": counts[v],
                    "rate": round(100 * counts[v] / counts[t], 1) if counts[t] else None} for g, t, v in _GROUP_KEYS}

    zero = _zero()
    children = [{"place_id": cid, "name": name, "level": level, "groups": groups(f.children.get(cid, zero))}
                for cid, name, level in _children(session, place)]
    amended = amendments_count(session, place, m.label) if f.state == "closed" else 0
    return {"place_id": place.id, "name": place.name, "level": place.level, **month_info(f, amendments=amended),
            "groups": list(VISIT_RATE_GROUPS), "children": children, "total": groups(f.total),
            "policy": applied_rules(m.policy, m.volunteer_visits, lang)}


def months_of(session: Session, *, actor: Actor, place_id: int | None, now: datetime, zone: ZoneInfo,
              count: int = 13) -> dict:
    """The months a screen's month picker offers, newest first: this one (live) and the ones
    before it, each closed (已结算, when, with its amendments under the place) or not."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    local = now.astimezone(zone)
    labels = [f"{y:04d}-{m:02d}" for y, m in months_to(local.year, local.month, count)][::-1]
    closes = {c.month: c for c in session.scalars(select(MonthClose).where(MonthClose.month.in_(labels)))}
    amended = dict(session.execute(
        select(MonthAmendment.month, func.count())
        .join(PersonMonth, (PersonMonth.person_id == MonthAmendment.person_id) & (PersonMonth.month == MonthAmendment.month))
        .join(Place, Place.id == PersonMonth.village_id)
        .where(MonthAmendment.month.in_(labels), places.subtree_filter(place))
        .group_by(MonthAmendment.month)).all())
    return {"place_id": place.id, "name": place.name, "months": [
        {"month": lb, "state": "closed" if lb in closes else "live" if k == 0 else "open",
         "closed_at": closes[lb].closed_at if lb in closes else None, "amendments": amended.get(lb, 0)}
        for k, lb in enumerate(labels)]}


def amendments(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int) -> dict:
    """A closed month's amendments (更正) under a place, the latest first: whose month, when, by
    whom, why, and the figures before and after. Each is a read of the person's record, audited."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    label = f"{year:04d}-{month:02d}"
    village = sa.orm.aliased(Place)
    rows = session.execute(
        select(MonthAmendment, Person.name, village.name.label("village"), User.display_name.label("by_name"))
        .join(PersonMonth, (PersonMonth.person_id == MonthAmendment.person_id) & (PersonMonth.month == MonthAmendment.month))
        .join(village, village.id == PersonMonth.village_id)
        .join(Person, Person.id == MonthAmendment.person_id)
        .outerjoin(User, User.id == MonthAmendment.by)
        .where(MonthAmendment.month == label, places.subtree_filter(place, of=village))
        .order_by(MonthAmendment.at.desc(), MonthAmendment.id.desc())).all()
    out = [{"id": a.id, "person_id": a.person_id, "name": name, "village": v, "at": a.at, "by": by, "reason": a.reason,
            "ref": a.ref, "before": a.detail.get("before"), "after": a.detail.get("after")}
           for a, name, v, by in rows]
    audit.record_person_reads(session, actor=actor, person_ids=[a["person_id"] for a in out], action="month_amendments")
    close = session.get(MonthClose, label)
    return {"place_id": place.id, "name": place.name, "month": label, "closed_at": close.closed_at if close else None,
            "amendments": out}


# --- the persons behind the figures ----------------------------------------------------------------------


def _person_source(session: Session, place: Place, m: Month):
    """(persons, agreements, closed): a month's rows under ``place`` — a closed month's record, or
    counted now — as subqueries of the same columns."""
    close = session.get(MonthClose, m.label)
    if close is not None:
        return (select(PersonMonth).where(PersonMonth.month == m.label).subquery(),
                select(AgreementMonth).where(AgreementMonth.month == m.label).subquery(), close)
    under = _subtree(place)
    return (months.person_rows(m, persons=under).subquery(), months.agreement_rows(m, persons=under).subquery(), None)


def persons_coverage(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
                     unvisited_only: bool = True, now: datetime | None = None) -> dict:
    """The persons on the month's roster under a place, the unvisited first — or only them — with
    their village and phone, the 探访 counted by who made them (the caregiver, a cadre, someone else,
    volunteers naming them), whether they were visited (月探访率), their caregiver (name and phone,
    to call) with the caregiver's own counted 探访 against the quota and its 履约; a closed month's
    as its record says (amended rows marked). Each is a read of the person's record, audited."""
    now = now or clock.now()
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    m = rules_of(session, [(year, month)], zone)[0]
    persons, agreements, close = _person_source(session, place, m)
    village, township = sa.orm.aliased(Place), sa.orm.aliased(Place)
    # the caregiver's agreement of the month whose 履约 the row shows: the person's latest
    latest = (select(agreements.c.person_id, func.max(agreements.c.agreement_id).label("agreement_id"))
              .group_by(agreements.c.person_id).subquery())
    theirs = sa.orm.aliased(agreements)
    stmt = (select(persons, Person.name, Person.phone, village.name.label("village"), township.name.label("township"),
                   User.display_name.label("caregiver_name"), User.phone.label("caregiver_phone"),
                   theirs.c.counted.label("quota_visits"), theirs.c.quota.label("agreement_quota"),
                   theirs.c.fulfilment)
            .join(Person, Person.id == persons.c.person_id)
            .join(village, village.id == persons.c.village_id)
            .outerjoin(township, township.id == village.parent_id)
            .outerjoin(latest, latest.c.person_id == persons.c.person_id)
            .outerjoin(theirs, theirs.c.agreement_id == latest.c.agreement_id)
            .outerjoin(User, User.id == theirs.c.caregiver_id)
            .where(places.subtree_filter(place, of=village)))
    if unvisited_only:
        stmt = stmt.where(~persons.c.visited)
    out = []
    for r in session.execute(stmt.order_by(persons.c.visited, village.name, Person.name, Person.id)).mappings():
        counted = r["home"] + r["phone_video"] + r["remote"]
        out.append({"person_id": r["person_id"], "name": r["name"], "phone": r["phone"], "village_id": r["village_id"],
                    "village": r["village"], "township": r["township"], "self_care_level": r["self_care_level"],
                    "visits": counted, "by_caregiver": r["by_caregiver"], "by_cadre": r["by_cadre"],
                    "by_other": r["by_other"], "by_volunteer": r["by_volunteer"], "visited": bool(r["visited"]),
                    "days_away": r["days_away"],
                    "quota_visits": r["quota_visits"] or 0, "quota": r["agreement_quota"] or 0,
                    "fulfilment": r["fulfilment"], "quota_met": r["fulfilment"] == "met",
                    "caregiver_name": r["caregiver_name"], "caregiver_phone": r["caregiver_phone"],
                    "amended_at": r.get("amended_at")})
    audit.record_person_reads(session, actor=actor, person_ids=[p["person_id"] for p in out], action="coverage_persons")
    f = Figures(m.label, "closed" if close else "live", _zero(), closed_at=close.closed_at if close else None,
                as_of=close.closed_at if close else now)
    amended = amendments_count(session, place, m.label) if close else 0
    return {"place_id": place.id, "name": place.name, "level": place.level, **month_info(f, amendments=amended),
            "persons": out}


def missed_persons(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int) -> dict:
    """The persons under a place whose caregiver's 履约 the month close found not met in a closed
    month (their AgreementMonth rows, prorated where they were away): the list a township's
    quota_missed alert opens, each with the caregiver's counted 探访 against the quota and the
    caregiver to call. Each is a read of the person's record, audited."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    label = f"{year:04d}-{month:02d}"
    village, township = sa.orm.aliased(Place), sa.orm.aliased(Place)
    stmt = (select(AgreementMonth.person_id, Person.name, Person.phone, AgreementMonth.village_id,
                   village.name.label("village"), township.name.label("township"), AgreementMonth.self_care_level,
                   AgreementMonth.counted, AgreementMonth.quota, AgreementMonth.amended_at,
                   User.display_name.label("caregiver_name"), User.phone.label("caregiver_phone"))
            .join(Person, Person.id == AgreementMonth.person_id)
            .join(village, village.id == AgreementMonth.village_id)
            .outerjoin(township, township.id == village.parent_id)
            .outerjoin(User, User.id == AgreementMonth.caregiver_id)
            .where(AgreementMonth.month == label, AgreementMonth.fulfilment == "not_met",
                   places.subtree_filter(place, of=village))
            .order_by(village.name, Person.name, Person.id, AgreementMonth.agreement_id))
    out = [{"person_id": r.person_id, "name": r.name, "phone": r.phone, "village_id": r.village_id,
            "village": r.village, "township": r.township, "self_care_level": r.self_care_level,
            "quota_visits": r.counted, "quota": r.quota, "caregiver_name": r.caregiver_name,
            "caregiver_phone": r.caregiver_phone, "amended_at": r.amended_at} for r in session.execute(stmt)]
    audit.record_person_reads(session, actor=actor, person_ids=[p["person_id"] for p in out], action="missed_persons")
    close = session.get(MonthClose, label)
    return {"place_id": place.id, "name": place.name, "level": place.level, "month": label,
            "state": "closed" if close else "open", "closed_at": close.closed_at if close else None, "persons": out}


# --- a caregiver's month ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    person_id: int
    name: str
    village_id: int
    village_name: str
    self_care_level: str
    done: int
    quota: int
    expected_by_today: int
    last_visit_at: datetime | None
    days_since_last: int | None
    overdue: bool
    met: bool
    by_mode: dict  # mode group -> the caregiver's counted visits this month
    minimums: dict  # mode group -> the least the policy asks of it this month (only those it asks)
    pending: int = 0  # visits of a counted mode waiting for review (待审核), not counted yet
    fulfilment: str = "not_met"  # 照料服务履约 so far: met, not_met, or excused (away the whole month)
    away: dict | None = None  # a stay away from home today: {"kind", "until"}


def caregiver_progress(session: Session, *, actor: Actor, zone: ZoneInfo, now: datetime | None = None) -> list[Progress]:
    """The caregiver's persons this month, the most urgent first: their own counted 探访 against the
    quota prorated over the days at home (照料服务履约, the agreement's month as the close will judge
    it), whether to go now (``overdue``: the reminders' rule, or past the longest gap where a local
    rule sets one) — not for a person away today, who shows where they are instead."""
    now = now or clock.now()
    local = now.astimezone(zone)
    today = local.date()
    m = month_rule(session, year=local.year, month=local.month, zone=zone)
    start, end = m.bounds
    rows = months.agreement_rows(m, agreements=(CareAgreement.caregiver_id == actor.user.id)
                                 & (CareAgreement.status == "active")).subquery()
    last = (select(Visit.person_id, func.max(Visit.started_at).label("last"))
            .join(Person, Person.id == Visit.person_id)
            .where(Visit.person_id.in_(select(rows.c.person_id)), counts_toward_quota(m.policy))
            .group_by(Visit.person_id).subquery())
    waiting = (select(Visit.person_id, func.count().label("pending"))
               .join(Person, Person.id == Visit.person_id)
               .where(Visit.caregiver_id == actor.user.id, awaits_review_for_quota(m.policy, start, end))
               .group_by(Visit.person_id).subquery())
    away = (select(Absence.person_id, Absence.kind, Absence.end_on)
            .where(Absence.start_on <= today, Absence.end_on >= today).subquery())
    found = session.execute(
        select(rows, Person.name, Place.name.label("village_name"), last.c.last,
               func.coalesce(waiting.c.pending, 0).label("pending"), away.c.kind.label("away_kind"),
               away.c.end_on.label("away_until"))
        .join(Person, Person.id == rows.c.person_id)
        .join(Place, Place.id == rows.c.village_id)
        .outerjoin(last, last.c.person_id == rows.c.person_id)
        .outerjoin(waiting, waiting.c.person_id == rows.c.person_id)
        .outerjoin(away, away.c.person_id == rows.c.person_id)).mappings().all()
    days_left = schedule(session).reminder_days_left
    out = []
    for r in found:
        p = m.policy[r["self_care_level"]]
        by_mode = {g: r[g] for g in MODE_GROUPS}
        minimums = {g: months.minimum(p, g, r["days_due"], m.length) for g in MODE_GROUPS if getattr(p, f"min_{g}")}
        since = (now - r["last"]).days if r["last"] else None
        gone = {"kind": r["away_kind"], "until": r["away_until"]} if r["away_kind"] else None
        met = r["fulfilment"] != "not_met"
        go = not met and gone is None and (
            behind(quota=r["quota"], counted=r["counted"], minimums=[(n, by_mode[g]) for g, n in minimums.items()],
                   day=local.day, length=m.length, reminder_days_left=days_left, either=any)
            or (p.max_gap_days is not None and (since is None or since > p.max_gap_days)))
        out.append(Progress(r["person_id"], r["name"], r["village_id"], r["village_name"], r["self_care_level"],
                            r["counted"], r["quota"], expected_by(r["quota"], local.day, m.length), r["last"], since,
                            overdue=go, met=met, by_mode=by_mode, minimums=minimums, pending=r["pending"],
                            fulfilment=r["fulfilment"], away=gone))
    audit.record_person_reads(session, actor=actor, person_ids=[p.person_id for p in out], action="progress")
    return sorted(out, key=lambda p: (not p.overdue, p.away is not None, p.met, p.done - p.expected_by_today,
                                      p.done / max(p.quota, 1), p.person_id))


# --- who to remind -------------------------------------------------------------------------------------


STREAM_BATCH = 5000  # rows fetched at a time by the streams below: memory stays flat however many


@dataclass(frozen=True)
class Behind:
    caregiver_id: int
    name: str
    done: int
    quota: int


def behind_pace(session: Session, *, now: datetime, zone: ZoneInfo) -> Iterator[Behind]:
    """The persons whose caregiver should go now (``behind``: the days left are down to the
    district's setting, or behind the even pace of a quota of more than one, or of a mode's
    minimum), under an active agreement whose month is not met — judged as the close will judge it
    (month.agreement_rows: the caregiver's own counted 探访 against the prorated quota) — never
    for a person away from home today. In caregiver order, as a stream of Behind, judged in the
    database: only the persons behind come back."""
    local = now.astimezone(zone)
    m = month_rule(session, year=local.year, month=local.month, zone=zone)
    r = months.agreement_rows(m, agreements=CareAgreement.status == "active").subquery()
    days_left = schedule(session).reminder_days_left

    def minimums(p: QuotaPolicy):
        return [(months.minimum(p, g, r.c.days_due, m.length), r.c[g]) for g in MODE_GROUPS if getattr(p, f"min_{g}")]

    go = months.by_level(m.policy, r.c.self_care_level, lambda p: behind(
        quota=r.c.quota, counted=r.c.counted, minimums=minimums(p), day=local.day, length=m.length,
        reminder_days_left=days_left, either=lambda c: sa.or_(*c)))
    rows = session.execute(
        select(r.c.caregiver_id, Person.name, r.c.counted, r.c.quota)
        .join(Person, Person.id == r.c.person_id)
        .where(r.c.fulfilment == "not_met", go, ~roster.away_on(local.date(), r.c.person_id))
        .order_by(r.c.caregiver_id, r.c.person_id)
        .execution_options(yield_per=STREAM_BATCH))
    for caregiver_id, name, done, quota in rows:
        yield Behind(caregiver_id, name, done, quota)


# --- the gap watch -------------------------------------------------------------------------------------


def visit_gaps(session: Session, *, now: datetime, today: date) -> Select | None:
    """Persons on the roster ``today`` (local), under an active agreement and at home, whose last
    visit counting toward their month is older than the longest gap their level's policy (the
    version in force this month) allows at ``now`` — or who had none since an agreement begun
    that long ago. Levels whose policy sets no gap (the seeds' default) are not watched: the month
    close catches a month without a visit; when no level is watched, None. An absence from home
    (server/people/absences.py) suspends the watch.

    A select of ``person_id``, ``name``, ``township_id``, ``last_visit_at`` (None: never) and
    ``max_gap_days``, for the gap watch to raise its alerts from in one INSERT … SELECT. Bounded to
    the window it concerns: a person is found by the absence of a counting visit since the cutoff
    (the visits of that window, through the visit indexes, read once from the earliest cutoff of
    the watched levels, each level its own by a CASE), and only for those found is the last visit
    before it looked up — the cost follows the persons in a gap, not the history."""
    rules = policies(session, year=today.year, month=today.month)
    watched = {level: rule for level, rule in rules.items() if rule.max_gap_days is not None}
    if not watched:
        return None
    counting = counts_toward_quota(rules)
    village = sa.orm.aliased(Place)
    cutoffs = {level: now - timedelta(days=rule.max_gap_days) for level, rule in watched.items()}

    def of_level(values, type_):
        return case(*((Person.self_care_level == level, sa.literal(v, type_=type_)) for level, v in values.items()))

    cutoff = of_level(cutoffs, Visit.__table__.c.started_at.type)
    before = (Visit.person_id == Person.id) & (Visit.started_at < cutoff) & counting
    last = select(func.max(Visit.started_at)).where(before).correlate(Person).scalar_subquery()
    return (
        select(Person.id.label("person_id"), Person.name, village.parent_id.label("township_id"),
               last.label("last_visit_at"),
               of_level({level: rule.max_gap_days for level, rule in watched.items()}, sa.Integer()).label("max_gap_days"))
        .join(CareAgreement, and_(CareAgreement.person_id == Person.id, CareAgreement.status == "active"))
        .join(village, village.id == Person.village_id)
        .where(Person.self_care_level.in_(list(watched)), roster.on_roster(today), ~roster.away_on(today),
               ~sa.exists().where(Visit.person_id == Person.id, Visit.started_at >= min(cutoffs.values()),
                                  Visit.started_at >= cutoff, counting),
               (CareAgreement.start_on < of_level({lv: c.date() for lv, c in cutoffs.items()}, sa.Date()))
               | sa.exists().where(before)))



def watch_gaps(session: Session, *, settings: alerts.AlertSettings, now: datetime, today: date) -> int:
    """Raise the gap alerts due at ``now`` (local day ``today``), each person's their own, in one
    INSERT … SELECT from the gaps found in the database (visit_gaps; alerts.raise_select); each
    township's staff get one digest naming who, not a push per person. Returns how many are new."""
    gaps = visit_gaps(session, now=now, today=today)
    if gaps is None:
        return 0
    # OFFSET 0 keeps PostgreSQL from pulling the subquery up into the columns that name its last
    # visit: each person's is looked up once, not once for each of the six (a CTE would do it too,
    # but SQLite does not count a statement opening with WITH as a write)
    found = gaps.offset(0).subquery("gaps")
    raised = alerts.raise_select(session, rules.on_gaps(found, now=now), settings=settings, now=now)
    separator = text("reminder.visits.separator")
    alerts.notify_digest(session, kinds=("visit_gap",), now=now, kind="gap_digest", title=text("digest.gap.title"),
                         body=lambda n, names: text("digest.gap.body", count=n, names=separator.join(names)),
                         dedupe_key=f"gaps:{now:%Y-%m-%dT%H:%M}", url="/#/alerts")
    return raised
