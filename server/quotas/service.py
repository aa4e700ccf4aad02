"""Visit quotas, and progress against them: a caregiver's persons, a township's villages."""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Select, and_, case, func, select
from sqlmodel import Session

from server import clock
from server.activities.models import ActivityPerson, VolunteerActivity
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.models import User
from server.auth.policy import managed_place
from server.care.models import CareAgreement
from server.errors import LANGUAGES, ServiceError, message
from server.messages import text
from server.people import roster
from server.people.models import (
    SELF_CARE_LEVELS,
    VISIT_RATE_GROUPS,
    Person,
    visit_rate_groups,
)
from server.places import service as places
from server.places.models import Place
from server.quotas.models import (
    DEFAULT_POLICY,
    MODE_GROUPS,
    MonthlyCompliance,
    QuotaPolicy,
    SchedulePolicy,
)
from server.timeutil import month_bounds, months_to
from server.visits.catalogue import OBSERVATIONS
from server.visits.models import COUNTS_AS_VERIFIED, Visit


def policies(session: Session) -> dict[str, QuotaPolicy]:
    """The quota policy of each self-care level: the stored rows, the seeds' default for a level
    without one."""
    found = {p.self_care_level: p for p in session.scalars(select(QuotaPolicy))}
    for level in SELF_CARE_LEVELS:
        found.setdefault(level, QuotaPolicy(self_care_level=level, **DEFAULT_POLICY))
    return found


POLICY_FIELDS = tuple(DEFAULT_POLICY)


def update(session: Session, *, actor: Actor, level: str, **values) -> QuotaPolicy:
    """A district admin sets a level's policy; every mode that has a minimum must count, and some
    mode must count."""
    policy = session.get(QuotaPolicy, level) or QuotaPolicy(self_care_level=level, **DEFAULT_POLICY)
    merged = {field: values.get(field, getattr(policy, field)) for field in POLICY_FIELDS}
    errors = {f"min_{g}": [message("quota_min_not_counted")]
              for g in MODE_GROUPS if merged[f"min_{g}"] and not merged[f"count_{g}"]}
    if errors:
        raise ServiceError(422, "quota_min_not_counted", errors=errors)
    if not any(merged[f"count_{g}"] for g in MODE_GROUPS):
        raise ServiceError(422, "quota_no_mode", errors={f"count_{g}": [message("quota_no_mode")] for g in MODE_GROUPS})
    for field, value in merged.items():
        setattr(policy, field, value)
    policy.updated_by, policy.updated_at = actor.user.id, clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="quota", detail={"level": level, **merged})
    return policy


def reset(session: Session, *, actor: Actor, level: str) -> QuotaPolicy:
    """Back to the seeds' default for a level (the row forgets who changed it)."""
    policy = session.get(QuotaPolicy, level) or QuotaPolicy(self_care_level=level, **DEFAULT_POLICY)
    for field, value in DEFAULT_POLICY.items():
        setattr(policy, field, value)
    policy.updated_by, policy.updated_at = None, clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="quota", detail={"level": level, "reset": True})
    return policy


def describe(policy: QuotaPolicy, lang: str = "zh-CN") -> str:
    """A level's policy in words, as reports print it beside 达标: "每月至少探访1次（上门入户、电话视频、
    远程监测均计入）"."""
    sep = text("quota.separator", lang)
    modes = sep.join(text(f"quota.mode.{g}", lang) for g in MODE_GROUPS if getattr(policy, f"count_{g}"))
    out = text("quota.describe", lang, n=policy.visits_per_month, modes=modes)
    mins = [text("quota.describe.min", lang, mode=text(f"quota.mode.{g}", lang), n=getattr(policy, f"min_{g}"))
            for g in MODE_GROUPS if getattr(policy, f"min_{g}")]
    if mins:
        out += text("quota.describe.mins", lang, mins=sep.join(mins))
    if policy.max_gap_days:
        out += text("quota.describe.gap", lang, days=policy.max_gap_days)
    return out


def policy_rows(session: Session, lang: str = "zh-CN") -> list[dict]:
    """Each level's policy with its rule in words and whether it is the seeds' default."""
    found = policies(session)
    return [{"self_care_level": level, **{f: getattr(found[level], f) for f in POLICY_FIELDS},
             "text": describe(found[level], lang), "default": is_default(found[level]),
             "updated_at": found[level].updated_at} for level in SELF_CARE_LEVELS]


def is_default(policy: QuotaPolicy) -> bool:
    """Whether a level's policy is the seeds' default, whoever last saved it."""
    return all(getattr(policy, field) == value for field, value in DEFAULT_POLICY.items())


def applied(session: Session, lang: str = "zh-CN") -> dict:
    """The policy a report applied, for its JSON and the line under its table: each level's rule
    in words, and whether it is the seeds' default or a local rule."""
    rows = policy_rows(session, lang)
    words = text("quota.applied.separator", lang).join(
        text("quota.applied.level", lang, level=OBSERVATIONS["self_care_level"][r["self_care_level"]][LANGUAGES.index(lang)],
             rule=r["text"]) for r in rows)
    source = "quota.applied.default" if all(r["default"] for r in rows) else "quota.applied.local"
    levels = {r["self_care_level"]: {k: v for k, v in r.items() if k not in ("self_care_level", "updated_at")}
              for r in rows}
    return {"levels": levels, "text": text(source, lang, rules=words)}


def schedule(session: Session) -> SchedulePolicy:
    return session.get(SchedulePolicy, 1) or SchedulePolicy(id=1)


def update_schedule(session: Session, *, actor: Actor, **values) -> SchedulePolicy:
    policy = schedule(session)
    for key, value in values.items():
        setattr(policy, key, value)
    policy.updated_at = clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="schedule", detail=values)
    return policy


def expected_by(quota: int, local: datetime) -> int:
    """Visits a month's quota asks for by this local day, at an even pace."""
    return math.floor(quota * local.day / monthrange(local.year, local.month)[1])


# --- what counts -----------------------------------------------------------------------------------


def started_in(start: datetime, end: datetime):
    return (Visit.started_at >= start) & (Visit.started_at < end)


def counts_toward_quota(policy: dict[str, QuotaPolicy], start: datetime | None = None, end: datetime | None = None,
                        *, level=Person.self_care_level):
    """The one rule for a visit that counts toward a person's month: verified (or accepted), of a
    mode their level's policy counts — started in [start, end) when they are given (a month, as
    month_bounds gives it). ``level`` is the column holding the person's self-care level."""
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


def verified_in(start: datetime, end: datetime):
    """A verified visit of any mode started in [start, end): what makes a person "visited" in coverage."""
    return Visit.status.in_(COUNTS_AS_VERIFIED) & started_in(start, end)


def _in_group(group: str):
    return Visit.mode.in_(MODE_GROUPS[group])


def mode_counts(start: datetime, end: datetime, *, by=(Visit.person_id,), where=None):
    """Verified visits started in [start, end) grouped by ``by``: ``visits`` (any mode) and one
    column per mode group (``home``, ``phone_video``, ``remote``), as a subquery."""
    cols = [func.count(case((_in_group(g), Visit.id))).label(g) for g in MODE_GROUPS]
    stmt = select(*by, func.count().label("visits"), *cols).where(verified_in(start, end))
    if where is not None:
        stmt = stmt.where(where)
    return stmt.group_by(*by).subquery()


def by_level(policy: dict[str, QuotaPolicy], level, judge):
    """A SQL CASE over the person's self-care level: ``judge(level_policy)`` for each level."""
    return case(*((level == lv, judge(p)) for lv, p in policy.items()), else_=None)


def quota_sql(policy: dict[str, QuotaPolicy], level, counts):
    """(counted, met) as SQL over a mode_counts subquery's columns, by the person's level: the
    QuotaPolicy rule evaluated in the database."""
    home, pv, remote = (func.coalesce(counts.c[g], 0) for g in MODE_GROUPS)
    counted = by_level(policy, level, lambda p: p.counted(home, pv, remote))
    met = by_level(policy, level, lambda p: p.met(home, pv, remote))
    return func.coalesce(counted, 0), func.coalesce(met, False)


def visited_in_month(policy: dict[str, QuotaPolicy], start: datetime, end: datetime, *, zone: ZoneInfo,
                     volunteer_visits: bool, person=Person.id, level=Person.self_care_level, counted=None):
    """The one rule for a person visited in a month — the 月探访率 of seed 002 and coverage's
    "visited": a visit counting toward their month (counts_toward_quota), or, where the district's
    policy counts them (SchedulePolicy.volunteer_visits_count), a volunteer activity held in the
    month that names them. A SQL condition over ``person`` and ``level``.

    ``counted``: the person's counted visits of that month when the query has them already
    (quota_sql over mode_counts of [start, end)); more than none of them is the same first
    condition, without looking for the visit again (a million probes for a district's coverage)."""
    by_caregiver = (counted > 0 if counted is not None else
                    sa.exists().where(Visit.person_id == person, counts_toward_quota(policy, start, end, level=level)))
    if not volunteer_visits:
        return by_caregiver
    first, nxt = start.astimezone(zone).date(), end.astimezone(zone).date()
    by_volunteer = sa.exists().where(
        ActivityPerson.person_id == person, ActivityPerson.activity_id == VolunteerActivity.id,
        VolunteerActivity.held_on >= first, VolunteerActivity.held_on < nxt)
    return by_caregiver | by_volunteer


def on_register_under(stmt: Select, place: Place) -> Select:
    """``stmt`` (over Person) joined to the person's village (``Place``) and kept to the home-care
    register under ``place``: active, under decentralised support. Whom coverage counts."""
    return (stmt.join(Place, Place.id == Person.village_id)
            .where(places.subtree_filter(place), Person.status == "active", Person.support_mode == "decentralised"))


def persons_under(place: Place) -> Select:
    """The ids of the persons living under ``place``: to keep a grouping of visits to theirs (a
    village's twenty, not the whole month's visits of every place grouped and mostly thrown away)."""
    lives_under = sa.orm.aliased(Place)
    return (select(Person.id).join(lives_under, lives_under.id == Person.village_id)
            .where(places.subtree_filter(place, of=lives_under)))


def monthly_coverage(*, place: Place, start: datetime, end: datetime, policy: dict[str, QuotaPolicy],
                     zone: ZoneInfo, volunteer_visits: bool) -> Select:
    """The one coverage query: a row per person under ``place`` on the home-care register (active,
    decentralised) for the month [start, end), with their village (id, name, path), township
    (id, name), self-care level, risk flags, ``visits`` (verified, any mode), the verified visits of each
    mode group (``home``, ``phone_video``, ``remote``), ``quota_visits`` (those the ``policy``
    counts), ``met`` (the month's quota met, QuotaPolicy.met) and ``visited`` (visited_in_month).
    Run it for the rows, or aggregate over it as a subquery."""
    per_person = mode_counts(start, end, where=Visit.person_id.in_(persons_under(place)))
    counted, met = quota_sql(policy, Person.self_care_level, per_person)
    visited = visited_in_month(policy, start, end, zone=zone, volunteer_visits=volunteer_visits, counted=counted)
    township = sa.orm.aliased(Place)
    rows = select(Person.id.label("person_id"), Person.self_care_level, Person.risk_flags, Place.id.label("village_id"),
                  Place.name.label("village"), Place.path, Place.parent_id.label("township_id"),
                  township.name.label("township"),
                  func.coalesce(per_person.c.visits, 0).label("visits"),
                  *(func.coalesce(per_person.c[g], 0).label(g) for g in MODE_GROUPS),
                  counted.label("quota_visits"), met.label("met"), case((visited, True), else_=False).label("visited"))
    return (on_register_under(rows, place)
            .outerjoin(township, township.id == Place.parent_id)
            .outerjoin(per_person, per_person.c.person_id == Person.id))


def coverage_query(session: Session, *, place: Place, year: int, month: int, zone: ZoneInfo) -> Select:
    """monthly_coverage for a local month under the policies in force."""
    start, end = month_bounds(year, month, zone)
    return monthly_coverage(place=place, start=start, end=end, policy=policies(session), zone=zone,
                            volunteer_visits=schedule(session).volunteer_visits_count)


def month_of(column, bounds: list[tuple]):
    """The index in ``bounds`` (a month's [start, end) each, instants or local days) of the month
    ``column`` falls in, as SQL (NULL outside them all): to group several months in one query."""
    return case(*(((column >= b) & (column < e), k) for k, (b, e) in enumerate(bounds)))


def visited_by_month(session: Session, *, place: Place, months: list[tuple[int, int]], zone: ZoneInfo,
                     policy: dict[str, QuotaPolicy], volunteer_visits: bool) -> dict[tuple[int, int], int]:
    """For each local month of ``months``, how many persons on the register under ``place`` were
    visited in it, by visited_in_month's rule (a visit counting toward that month, or, where the
    district's policy counts them, a volunteer activity of that month naming them): one grouped
    query over the months' visits, each visit placed in its month by a CASE over the months' bounds.
    A query a month read the visits under the place once per month and built the statement anew
    each time (a district's twelve-month dashboard at a million persons: 12 of them). ``policy``
    and ``volunteer_visits`` as monthly_coverage takes them."""
    bounds = [month_bounds(y, m, zone) for y, m in months]
    first, last = min(b for b, _ in bounds), max(e for _, e in bounds)
    month = month_of(Visit.started_at, bounds).label("month")
    # a (person, month) for each visit that counts toward its month (the rule's first half), of the
    # persons on the register under the place; the union below, or DISTINCT, leaves each pair once.
    # The visits are those of the persons under the place (persons_under, as monthly_coverage's):
    # SQLite reads no subtree of places through an index, and joined alone it walked every visit of
    # the months first (a township at 100,000 persons: 428 ms, against 33 ms)
    visited = on_register_under(select(Visit.person_id, month).join(Person, Person.id == Visit.person_id),
                                place).where(counts_toward_quota(policy, first, last),
                                             Visit.person_id.in_(persons_under(place)))
    if volunteer_visits:
        days = [(b.astimezone(zone).date(), e.astimezone(zone).date()) for b, e in bounds]
        by_volunteer = (select(Person.id.label("person_id"), month_of(VolunteerActivity.held_on, days).label("month"))
                        .join(ActivityPerson, ActivityPerson.person_id == Person.id)
                        .join(VolunteerActivity, VolunteerActivity.id == ActivityPerson.activity_id))
        visited = sa.union(visited, on_register_under(by_volunteer, place).where(
            VolunteerActivity.held_on >= min(b for b, _ in days), VolunteerActivity.held_on < max(e for _, e in days)))
    else:
        visited = visited.distinct()
    persons = visited.subquery()
    found = dict(session.execute(select(persons.c.month, func.count()).group_by(persons.c.month)).all())
    return {ym: found.get(k, 0) for k, ym in enumerate(months)}


def on_register_count(session: Session, place: Place) -> int:
    """How many persons are on the home-care register under ``place`` (on_register_under)."""
    return session.scalar(on_register_under(select(func.count()).select_from(Person), place))


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
    by_mode: dict  # mode group -> verified visits this month
    minimums: dict  # mode group -> the least the policy asks of it (only those it asks)
    pending: int = 0  # visits of a counted mode waiting for review (待审核), not counted yet


def caregiver_progress(session: Session, *, actor: Actor, zone: ZoneInfo, now: datetime | None = None) -> list[Progress]:
    """The caregiver's persons this month, the most urgent first: overdue (never visited, or past
    the longest gap where the policy sets one), then furthest behind the month's pace."""
    now = now or clock.now()
    local = now.astimezone(zone)
    start, end = month_bounds(local.year, local.month, zone)
    quotas = policies(session)
    counts = mode_counts(start, end)
    last = (select(Visit.person_id, func.max(Visit.started_at).label("last"))
            .join(Person, Person.id == Visit.person_id)
            .where(counts_toward_quota(quotas)).group_by(Visit.person_id).subquery())
    waiting = (select(Visit.person_id, func.count().label("pending"))
               .join(Person, Person.id == Visit.person_id)
               .where(awaits_review_for_quota(quotas, start, end)).group_by(Visit.person_id).subquery())
    rows = session.execute(
        select(Person.id, Person.name, Person.village_id, Place.name, Person.self_care_level, last.c.last,
               func.coalesce(waiting.c.pending, 0), *(func.coalesce(counts.c[g], 0) for g in MODE_GROUPS))
        .join(CareAgreement, (CareAgreement.person_id == Person.id) & (CareAgreement.status == "active"))
        .join(Place, Place.id == Person.village_id)
        .outerjoin(counts, counts.c.person_id == Person.id)
        .outerjoin(last, last.c.person_id == Person.id)
        .outerjoin(waiting, waiting.c.person_id == Person.id)
        .where(CareAgreement.caregiver_id == actor.user.id, Person.status == "active")
    ).all()
    due = roster.days_due(session, year=local.year, month=local.month, person_ids=[r[0] for r in rows])
    length = monthrange(local.year, local.month)[1]
    out = []
    for pid, name, village_id, village_name, level, last_at, pending, *by in rows:
        q = quotas[level] if pid not in due else roster.prorated_policy(quotas[level], due[pid], length)
        by_mode = dict(zip(MODE_GROUPS, by))
        since = (now - last_at).days if last_at else None
        required = q.required()
        out.append(Progress(pid, name, village_id, village_name, level, q.counted(*by), required,
                            expected_by(required, local), last_at, since,
                            overdue=since is None or (q.max_gap_days is not None and since > q.max_gap_days),
                            met=q.met(*by), by_mode=by_mode,
                            minimums={g: getattr(q, f"min_{g}") for g in MODE_GROUPS if getattr(q, f"min_{g}")},
                            pending=pending))
    audit.record_person_reads(session, actor=actor, person_ids=[p.person_id for p in out], action="progress")
    return sorted(out, key=lambda p: (not p.overdue, p.met, p.done - p.expected_by_today, p.done / max(p.quota, 1),
                                      p.person_id))


def coverage(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
             trend_months: int = 6, lang: str = "zh-CN") -> dict:
    """This month's coverage under a place, by its child places (villages of a township,
    townships of a district): active people under decentralised support, those with at least
    one verified visit, and those whose quota is met (under the policy it names); with a monthly trend."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    children = {c.id: c for c in places.children(session, parent_id=place.id)}
    rows = {cid: {"place_id": cid, "name": c.name, "active": 0, "visited": 0, "quota_met": 0} for cid, c in children.items()}
    # one grouped query: the persons counted by the child place they live under (the township of
    # their village under a district, their village under a township), in the database
    # (the policies read once, for the month and its trend)
    policy, volunteer_visits = policies(session), schedule(session).volunteer_visits_count
    start, end = month_bounds(year, month, zone)
    per_person = monthly_coverage(place=place, start=start, end=end, policy=policy, zone=zone,
                                  volunteer_visits=volunteer_visits).subquery()
    child = {"district": per_person.c.township_id, "township": per_person.c.village_id}.get(place.level)
    counted = select(child if child is not None else sa.null(), func.count(),
                     func.count(case((per_person.c.visited, 1))), func.count(case((per_person.c.met, 1))))
    total = {"active": 0, "visited": 0, "quota_met": 0}
    for cid, active, visited, met in session.execute(counted if child is None else counted.group_by(child)):
        for t in [total] + ([rows[cid]] if cid in rows else []):
            t["active"] += active
            t["visited"] += visited
            t["quota_met"] += met
    # the month itself was counted above; the months before it, in one query (visited_by_month)
    months = months_to(year, month, trend_months)
    before = visited_by_month(session, place=place, months=months[:-1], zone=zone, policy=policy,
                              volunteer_visits=volunteer_visits) if trend_months > 1 else {}
    visited = {**before, (year, month): total["visited"]}
    trend = [{"month": f"{y:04d}-{m:02d}", "active": total["active"], "visited": visited[y, m]} for y, m in months]
    return {"place_id": place.id, "name": place.name, "month": f"{year:04d}-{month:02d}",
            "policy": applied(session, lang), "children": sorted(rows.values(), key=lambda r: r["place_id"]), "total": total, "trend": trend}


# --- 月探访率 by group (seed 002) -------------------------------------------------------------------


def visit_rates(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
                lang: str = "zh-CN") -> dict:
    """The month's 月探访率 of the groups seed 002 names (独居、空巢、留守、失能、重残) under a place, by its
    child places (townships of a district, villages of a township): per group the persons on the
    home-care register in it, those visited (visited_in_month) and the rate in percent; ``any``
    counts each person once whatever their groups. Visited follows the quota policy's modes and the
    district's rule on volunteer visits, both named in ``policy``."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    children = {c.id: c for c in places.children(session, parent_id=place.id)}
    keys = (*VISIT_RATE_GROUPS, "any")

    def empty() -> dict:
        return {g: {"total": 0, "visited": 0} for g in keys}

    rows = {cid: {"place_id": cid, "name": c.name, "level": c.level, "groups": empty()} for cid, c in children.items()}
    total = empty()
    for r in session.execute(coverage_query(session, place=place, year=year, month=month, zone=zone)):
        groups = visit_rate_groups(r.risk_flags, r.self_care_level)
        if not groups:
            continue
        cid = places.child_on_path(r.path, place)
        for counts in [total] + ([rows[cid]["groups"]] if cid in rows else []):
            for g in (*groups, "any"):
                counts[g]["total"] += 1
                counts[g]["visited"] += 1 if r.visited else 0
    for counts in [total, *(row["groups"] for row in rows.values())]:
        for c in counts.values():
            c["rate"] = round(100 * c["visited"] / c["total"], 1) if c["total"] else None
    volunteers = schedule(session).volunteer_visits_count
    return {"place_id": place.id, "name": place.name, "level": place.level, "month": f"{year:04d}-{month:02d}",
            "groups": list(VISIT_RATE_GROUPS), "children": sorted(rows.values(), key=lambda r: r["place_id"]),
            "total": total,
            "policy": {**applied(session, lang), "volunteer_visits_count": volunteers,
                       "volunteer_text": text("rates.volunteers.yes" if volunteers else "rates.volunteers.no", lang)}}


# --- who is behind -----------------------------------------------------------------------------------


STREAM_BATCH = 5000  # rows fetched at a time by the streams below: memory stays flat however many


@dataclass(frozen=True)
class Behind:
    caregiver_id: int
    name: str
    done: int
    quota: int


def behind_pace(session: Session, *, now: datetime, zone: ZoneInfo) -> Iterator[Behind]:
    """Persons under an active agreement whose visits this month (by anyone) fall short of the
    month's even pace by ``now`` — or of a mode's minimum by the month's last day — with their
    caregiver, in caregiver order, as a stream of Behind.

    Judged in the database over the month's visits alone (mode_counts is bounded to the month),
    so only the persons behind come back. A person an absence or an exit touches this month is due
    a prorated month (roster.prorated_policy), never more than the whole one: the database keeps
    them by the whole month's pace and each is judged again here by their own."""
    local = now.astimezone(zone)
    start, end = month_bounds(local.year, local.month, zone)
    counts = mode_counts(start, end)
    by_group = [func.coalesce(counts.c[g], 0) for g in MODE_GROUPS]
    policy = policies(session)

    def short(p: QuotaPolicy, by, either):
        """Behind the pace of ``p`` with ``by`` visits of each mode group: numbers judged in Python
        (``either`` = any), or columns judged in SQL (``either`` = an OR of the clauses)."""
        return either([p.counted(*by) < expected_by(p.required(), local),
                       *(n < expected_by(getattr(p, f"min_{g}"), local) for g, n in zip(MODE_GROUPS, by))])

    behind = by_level(policy, Person.self_care_level, lambda p: short(p, by_group, lambda c: sa.or_(*c)))
    counted, _ = quota_sql(policy, Person.self_care_level, counts)
    rows = session.execute(
        select(CareAgreement.caregiver_id, Person.id, Person.name, Person.self_care_level, counted, *by_group)
        .join(Person, Person.id == CareAgreement.person_id)
        .outerjoin(counts, counts.c.person_id == Person.id)
        .where(CareAgreement.status == "active", roster.on_roster(local.date()), behind)
        .order_by(CareAgreement.caregiver_id, Person.id)
        .execution_options(yield_per=STREAM_BATCH))
    due = roster.days_due(session, year=local.year, month=local.month)
    length = monthrange(local.year, local.month)[1]
    required = {level: p.required() for level, p in policy.items()}
    for caregiver_id, pid, name, level, done, *by in rows:
        if pid not in due:
            yield Behind(caregiver_id, name, done, required[level])
            continue
        q = roster.prorated_policy(policy[level], due[pid], length)
        if short(q, by, any):
            yield Behind(caregiver_id, name, q.counted(*by), q.required())


def visit_gaps(session: Session, *, now: datetime, today: date) -> Select | None:
    """Persons on the roster ``today`` (local), under an active agreement and at home, whose last
    visit counting toward their month is older than the longest gap their level's policy allows
    at ``now`` — or who had none since an agreement begun that long ago. Levels whose policy sets
    no gap (the seeds' default) are not watched: the month close catches a month without a
    visit; when no level is watched, None. An absence from home (server/people/absences.py)
    suspends the watch.

    A select of ``person_id``, ``name``, ``township_id``, ``last_visit_at`` (None: never) and
    ``max_gap_days``, for the gap watch to raise its alerts from in one INSERT … SELECT. Bounded to
    the window it concerns: a person is found by the absence of a counting visit since the cutoff
    (the visits of that window, through the visit indexes, read once from the earliest cutoff of
    the watched levels, each level its own by a CASE), and only for those found is the last visit
    before it looked up — the cost follows the persons in a gap, not the history."""
    rules = policies(session)
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


# --- who has not been visited ------------------------------------------------------------------------


def persons_coverage(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int, zone: ZoneInfo,
                     unvisited_only: bool = True) -> dict:
    """The persons on the register under a place in a month (monthly_coverage's rows), the
    unvisited first — or only them — with their village, phone and active caregiver (name and
    phone), so staff can call. Each is a read of the person's record, audited."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    rows = coverage_query(session, place=place, year=year, month=month, zone=zone).subquery()
    stmt = (select(rows, Person.name, Person.phone, User.display_name.label("caregiver_name"),
                   User.phone.label("caregiver_phone"))
            .join(Person, Person.id == rows.c.person_id)
            .outerjoin(CareAgreement, (CareAgreement.person_id == Person.id) & (CareAgreement.status == "active"))
            .outerjoin(User, User.id == CareAgreement.caregiver_id))
    if unvisited_only:
        stmt = stmt.where(rows.c.visited.is_(False))
    quotas = policies(session)
    out = []
    for r in session.execute(stmt.order_by(rows.c.visited, rows.c.village, Person.name, Person.id)):
        out.append({"person_id": r.person_id, "name": r.name, "phone": r.phone, "village_id": r.village_id,
                    "village": r.village, "township": r.township, "self_care_level": r.self_care_level,
                    "visits": r.visits, "quota_visits": r.quota_visits,
                    "quota": quotas[r.self_care_level].required(), "quota_met": bool(r.met), "visited": bool(r.visited),
                    "caregiver_name": r.caregiver_name, "caregiver_phone": r.caregiver_phone})
    audit.record_person_reads(session, actor=actor, person_ids=[p["person_id"] for p in out], action="coverage_persons")
    return {"place_id": place.id, "name": place.name, "level": place.level, "month": f"{year:04d}-{month:02d}",
            "persons": out}


def missed_persons(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int) -> dict:
    """The persons under a place whose quota the month close found short in a closed month (their
    MonthlyCompliance rows, prorated where they were away): the list a township's quota_missed
    alert opens, each with the visits counted against the quota and their caregiver to call.
    Each is a read of the person's record, audited."""
    user = actor.user
    place = managed_place(session, user, place_id if place_id is not None else user.place_id)
    label = f"{year:04d}-{month:02d}"
    village, township = sa.orm.aliased(Place), sa.orm.aliased(Place)
    stmt = (select(MonthlyCompliance.person_id, Person.name, Person.phone, MonthlyCompliance.village_id,
                   village.name.label("village"), township.name.label("township"), MonthlyCompliance.self_care_level,
                   MonthlyCompliance.verified_home_visits, MonthlyCompliance.quota,
                   User.display_name.label("caregiver_name"), User.phone.label("caregiver_phone"))
            .join(Person, Person.id == MonthlyCompliance.person_id)
            .join(village, village.id == MonthlyCompliance.village_id)
            .outerjoin(township, township.id == village.parent_id)
            .outerjoin(User, User.id == MonthlyCompliance.caregiver_id)
            .where(MonthlyCompliance.month == label, ~MonthlyCompliance.met, places.subtree_filter(place, village))
            .order_by(village.name, Person.name, Person.id))
    out = [{"person_id": r.person_id, "name": r.name, "phone": r.phone, "village_id": r.village_id,
            "village": r.village, "township": r.township, "self_care_level": r.self_care_level,
            "quota_visits": r.verified_home_visits, "quota": r.quota, "caregiver_name": r.caregiver_name,
            "caregiver_phone": r.caregiver_phone} for r in session.execute(stmt)]
    audit.record_person_reads(session, actor=actor, person_ids=[p["person_id"] for p in out], action="missed_persons")
    return {"place_id": place.id, "name": place.name, "level": place.level, "month": label, "persons": out}
