"""A month's two measures, each with one home, evaluated in the database over the month's rows:

- 月探访率 (seed 002 item 3, ``visited``): was the person looked in on this month by anyone whose
  探访 count under the district's policy — the caregiver, another caregiver, a 结对 cadre
  (上门走访、通讯探访、结对帮扶) or, where the district counts them, a volunteer activity naming them
  (邻里互助). A person is visited or not; the rate is the share visited of the month's roster.
- 照料服务履约 (seed 002 item 5, seed 000 item 7, ``fulfilment``): did the agreement's holder make
  their own counted 探访 against the quota prorated over the days the agreement ran while the
  person was on the roster and at home: met, not met, or 不计 (excused) when that is no day at all.
  It is what the care subsidy is paid on, a verdict per agreement and month. The holder's own
  探访 are its caregiver's and, for an agreement a 供养服务机构/社会组织 holds (seed 002 item 5, seed
  004 item 21), those of every current staff login of the organisation (``holders``), as each of
  them checks in for the person (care.organisations.checkin_tie).

``person_rows`` and ``agreement_rows`` build a month's rows with them — what the month close
writes (PersonMonth, AgreementMonth) and what the live month's figures, the caregiver's progress
and the reminders read — and ``village_totals`` sums rows of either kind by village (MonthTotals).
A month is judged by the policy version in force in it (quotas.policy.policies) and the roster of
its days (people.roster), never today's.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import case, func, select
from sqlalchemy.sql import FromClause
from sqlmodel import Session

from server.activities.models import ActivityPerson, VolunteerActivity
from server.care.models import CareAgreement, OrganisationMember
from server.db import earlier_day, larger, later_day
from server.people import roster
from server.people.models import (
    VISIT_RATE_GROUPS,
    VISIT_RATE_MIN_AGE,
    Absence,
    Person,
    PersonExit,
    in_visit_rate_group,
)
from server.places.models import Place
from server.quotas import policy as policies
from server.quotas.models import MODE_GROUPS, TOTAL_COUNTS, QuotaPolicy
from server.timeutil import month_bounds
from server.visits.models import COUNTS_AS_VERIFIED, Visit

LEVELS = ("self_care", "partly_disabled", "fully_disabled")
GROUPS = (*VISIT_RATE_GROUPS, "any")
# a visit waiting for review or rejected: beside an agreement's count, what is not counted
FLAGGED = ("exception", "rejected")


@dataclass(frozen=True)
class Month:
    """A local month and what it is judged by: the version of each level's policy in force in it,
    and whether a volunteer activity naming a person makes them visited (SchedulePolicy)."""

    year: int
    month: int
    zone: ZoneInfo
    policy: dict[str, QuotaPolicy]
    volunteer_visits: bool

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, self.length)

    @property
    def length(self) -> int:
        return monthrange(self.year, self.month)[1]

    @property
    def born_by(self) -> date:
        """The latest birth date of a person 60 or over in the month (VISIT_RATE_MIN_AGE): one who
        turns 60 on any day of it is an 老年人 of the month."""
        last = self.last
        try:
            return last.replace(year=last.year - VISIT_RATE_MIN_AGE)
        except ValueError:  # 29 February in a year that has none
            return last.replace(year=last.year - VISIT_RATE_MIN_AGE, day=28)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The UTC instants at which the month starts and the next one starts."""
        return month_bounds(self.year, self.month, self.zone)


def month_rule(session: Session, *, year: int, month: int, zone: ZoneInfo,
               volunteer_visits: bool | None = None) -> Month:
    """The month with the policy it is judged by: the versions in force in it, and the district's
    rule on volunteer visits (today's, unless a closed month's record says what it was)."""
    if volunteer_visits is None:
        volunteer_visits = policies.schedule(session).volunteer_visits_count
    return Month(year, month, zone, policies.policies(session, year=year, month=month), volunteer_visits)


# --- the two measures ---------------------------------------------------------------------------------


def visited(counted, volunteers, *, volunteer_visits: bool):
    """月探访率's one rule: a person is visited in a month when a 探访 of theirs counted (``counted``,
    by anyone: caregiver, another caregiver, a cadre) or — where the district's policy counts
    them (SchedulePolicy.volunteer_visits_count) — a volunteer activity named them
    (``volunteers``). SQL expressions in, a SQL condition out."""
    return (counted > 0) | (volunteers > 0) if volunteer_visits else counted > 0


def _bigger(a, b):
    return max(a, b) if isinstance(a, int) and isinstance(b, int) else larger(a, b)


def required(p: QuotaPolicy, days_due, length: int):
    """The 探访 the month asks of a level's policy over ``days_due`` days at home on the roster
    (roster.prorated): its 探访 a month, and no fewer than its per-mode minimums together."""
    mins = [roster.prorated(getattr(p, f"min_{g}"), days_due, length) for g in MODE_GROUPS if getattr(p, f"min_{g}")]
    asked = roster.prorated(p.visits_per_month, days_due, length)
    return _bigger(asked, sum(mins[1:], mins[0])) if mins else asked


def minimum(p: QuotaPolicy, group: str, days_due, length: int):
    """The least a level's policy asks of a mode group over ``days_due`` days (0 where it asks none)."""
    n = getattr(p, f"min_{group}")
    return roster.prorated(n, days_due, length) if n else 0


def fulfilment(policy: dict[str, QuotaPolicy], level, days_due, length: int, home, phone_video, remote):
    """照料服务履约's one rule, as SQL: the agreement holder's own counted 探访 of each mode group
    (``home``, ``phone_video``, ``remote``) against the policy of the person's ``level``, prorated
    over ``days_due`` (the days the agreement ran while the person was on the roster and at home):
    'excused' (不计) when that is no day, 'met' when the counted 探访 reach the prorated quota and each
    mode its prorated minimum, else 'not_met'."""
    def met(p: QuotaPolicy):
        conditions = [p.counted(home, phone_video, remote) >= roster.prorated(p.visits_per_month, days_due, length)]
        conditions += [count >= minimum(p, g, days_due, length)
                       for g, count in zip(MODE_GROUPS, (home, phone_video, remote)) if getattr(p, f"min_{g}")]
        return sa.and_(*conditions)

    return case((days_due <= 0, "excused"), (by_level(policy, level, met), "met"), else_="not_met")


def by_level(policy: dict[str, QuotaPolicy], level, judge, else_=None):
    """A SQL CASE over a self-care level (a column, or a literal): ``judge(level's policy)`` for each."""
    return case(*((level == lv, judge(p)) for lv, p in policy.items()), else_=else_)


def _counted_by_group(policy, level, counts: dict):
    """The counted 探访 of each mode group: a group's visits where the level's policy counts the group."""
    return {g: by_level(policy, level, lambda p, g=g: counts[g] if getattr(p, f"count_{g}") else 0, else_=0)
            for g in MODE_GROUPS}


def _in_group(group: str):
    return Visit.mode.in_(MODE_GROUPS[group])


def _overlaps(m: Month, agreement=CareAgreement):
    """An agreement that ran on one day of the month at least."""
    return (agreement.start_on <= m.last) & (func.coalesce(agreement.end_on, sa.literal(m.last, sa.Date()))
                                             >= sa.literal(m.first, sa.Date()))


def _in_month(m: Month):
    start, end = m.bounds
    return (Visit.started_at >= start) & (Visit.started_at < end)


def _away(m: Month, start, end, *, persons=None):
    """The days from ``start`` to ``end`` the person (Person.id) was away: the sum over their stays
    for the persons with a stay in the month (a small set, joined), 0 for everyone else without
    looking — and 0 when ``start`` is after ``end`` (no days to be away on)."""
    stays = (select(Absence.person_id).where(Absence.start_on <= m.last, Absence.end_on >= m.first)
             .group_by(Absence.person_id))
    if persons is not None:
        stays = stays.where(Absence.person_id.in_(select(Person.id).where(persons)))
    stays = stays.subquery()
    return stays, case((stays.c.person_id.is_(None) | (start > end), 0), else_=roster.days_away(Person.id, start, end))


def _scoped(stmt, column, persons):
    return stmt if persons is None else stmt.where(column.in_(select(Person.id).where(persons)))


def holds(agreement, caregiver_id, member_organisation_id):
    """Whether a visit by ``caregiver_id`` — a current staff login of ``member_organisation_id``
    (OrganisationMember.organisation_id, NULL for one of none) — is the ``agreement``'s holder's
    own: its caregiver's, or a staff member's of the organisation that holds it. A SQL condition."""
    return (agreement.caregiver_id == caregiver_id) | (agreement.organisation_id == member_organisation_id)


def holders(m: Month, *, persons=None) -> sa.Subquery:
    """(person_id, caregiver_id) of each login whose visits to the person are an agreement holder's
    own in the month: the caregiver of each agreement that ran in it and, for one an organisation
    holds, each current staff login of the organisation (OrganisationMember has no dates), once each."""
    overlaps = _overlaps(m)
    named = _scoped(select(CareAgreement.person_id, CareAgreement.caregiver_id).where(overlaps),
                    CareAgreement.person_id, persons)
    staff = _scoped(select(CareAgreement.person_id, OrganisationMember.user_id.label("caregiver_id"))
                    .join(OrganisationMember, OrganisationMember.organisation_id == CareAgreement.organisation_id)
                    .where(overlaps), CareAgreement.person_id, persons)
    return sa.union(named, staff).subquery()


def person_rows(m: Month, *, persons=None, level=Person.self_care_level, village=Person.village_id,
                risk_flags=Person.risk_flags, elderly=None) -> sa.Select:
    """A row per person on the roster of home care in the month (roster.in_roster), with what the
    month close writes of them (PersonMonth's columns): village, the caregiver of their latest
    agreement in the month, level and risk flags, the policy version, the days on the roster and
    away, the prorated quota, the counted 探访 by mode and by who made them (``by_caregiver``: an
    agreement holder's own, ``holders``), the volunteer activities naming them, and ``visited``
    (月探访率). ``persons``: a clause over Person narrowing whom (a place's subtree, one person);
    ``level``, ``village``, ``risk_flags``, ``elderly`` (60 or over in the month; by default from
    the birth date): what to judge them as (a closed month amended judges the person as they were
    then)."""
    start, end = m.bounds
    overlaps = _overlaps(m)
    # a holder of an agreement with the person in the month (its caregiver or a staff member of the
    # organisation holding it), to tell their visits from others'
    theirs = holders(m, persons=persons)
    own = theirs.c.caregiver_id.is_not(None) & Visit.pairing_id.is_(None)
    cadre = Visit.pairing_id.is_not(None)
    visits = _scoped(
        select(Visit.person_id,
               *(func.count(case((_in_group(g), 1))).label(f"all_{g}") for g in MODE_GROUPS),
               *(func.count(case((_in_group(g) & own, 1))).label(f"own_{g}") for g in MODE_GROUPS),
               *(func.count(case((_in_group(g) & cadre, 1))).label(f"cadre_{g}") for g in MODE_GROUPS))
        .outerjoin(theirs, (theirs.c.person_id == Visit.person_id) & (theirs.c.caregiver_id == Visit.caregiver_id))
        .where(_in_month(m), Visit.status.in_(COUNTS_AS_VERIFIED)),
        Visit.person_id, persons).group_by(Visit.person_id).subquery()
    volunteers = _scoped(
        select(ActivityPerson.person_id, func.count().label("n"))
        .join(VolunteerActivity, VolunteerActivity.id == ActivityPerson.activity_id)
        .where(VolunteerActivity.held_on >= m.first, VolunteerActivity.held_on <= m.last),
        ActivityPerson.person_id, persons).group_by(ActivityPerson.person_id).subquery()
    latest = _scoped(select(CareAgreement.person_id, func.max(CareAgreement.id).label("agreement_id")).where(overlaps),
                     CareAgreement.person_id, persons).group_by(CareAgreement.person_id).subquery()
    caregiver = sa.orm.aliased(CareAgreement)
    lo, hi = roster.roster_span(m.first, m.last, PersonExit.exited_on)
    stays, away = _away(m, lo, hi, persons=persons)
    on_roster = roster.days_from_to(lo, hi)

    def counts(prefix: str) -> dict:
        return {g: func.coalesce(visits.c[f"{prefix}_{g}"], 0) for g in MODE_GROUPS}

    def counted(prefix: str):
        return by_level(m.policy, level, lambda p: p.counted(*counts(prefix).values()), else_=0)

    base = (
        select(Person.id.label("person_id"), village.label("village_id"), caregiver.caregiver_id.label("caregiver_id"),
               level.label("self_care_level"), risk_flags.label("risk_flags"),
               (Person.birth_date <= sa.literal(m.born_by, sa.Date()) if elderly is None else elderly).label("elderly"),
               by_level(m.policy, level, lambda p: sa.literal(p.id, sa.Integer()) if p.id else None,
                        else_=sa.null()).cast(sa.Integer()).label("policy_id"),
               on_roster.label("days_on_roster"), away.label("days_away"),
               *(c.label(g) for g, c in _counted_by_group(m.policy, level, counts("all")).items()),
               counted("all").label("counted"), counted("own").label("by_caregiver"),
               counted("cadre").label("by_cadre"), func.coalesce(volunteers.c.n, 0).label("by_volunteer"))
        .select_from(Person)
        .outerjoin(PersonExit, PersonExit.person_id == Person.id)
        .outerjoin(visits, visits.c.person_id == Person.id)
        .outerjoin(volunteers, volunteers.c.person_id == Person.id)
        .outerjoin(latest, latest.c.person_id == Person.id)
        .outerjoin(caregiver, caregiver.id == latest.c.agreement_id)
        .outerjoin(stays, stays.c.person_id == Person.id)
        .where(roster.in_roster(m.first, m.last))
    )
    if persons is not None:
        base = base.where(persons)
    b = base.subquery("person_month")
    due = b.c.days_on_roster - b.c.days_away
    return select(
        b.c.person_id, b.c.village_id, b.c.caregiver_id, b.c.self_care_level, b.c.risk_flags, b.c.elderly,
        b.c.policy_id,
        b.c.days_on_roster, b.c.days_away,
        by_level(m.policy, b.c.self_care_level, lambda p: required(p, due, m.length), else_=0).label("quota"),
        b.c.home, b.c.phone_video, b.c.remote, b.c.by_caregiver, b.c.by_cadre,
        (b.c.counted - b.c.by_caregiver - b.c.by_cadre).label("by_other"), b.c.by_volunteer,
        visited(b.c.counted, b.c.by_volunteer, volunteer_visits=m.volunteer_visits).label("visited"))


PERSON_COLUMNS = ("person_id", "village_id", "caregiver_id", "self_care_level", "risk_flags", "elderly", "policy_id",
                  "days_on_roster", "days_away", "quota", "home", "phone_video", "remote", "by_caregiver", "by_cadre",
                  "by_other", "by_volunteer", "visited")


def agreement_rows(m: Month, *, persons=None, agreements=None, level=Person.self_care_level,
                   village=Person.village_id) -> sa.Select:
    """A row per care agreement that ran in the month, of a person on its roster, with what the
    month close writes of it (AgreementMonth's columns): the person, caregiver and village, the
    days due (the agreement's days in the month on the roster and at home), the prorated quota,
    the holder's own verified 探访 of each mode group (its caregiver's, or any current staff
    login's of the organisation holding it: ``holds``) and those the policy counts (``counted``),
    their visits waiting for review or rejected (``flagged``), and ``fulfilment`` (照料服务履约).
    ``persons``: a clause over Person, ``agreements`` one over CareAgreement, narrowing which;
    ``level``/``village`` as person_rows."""
    start, end = m.bounds
    held = sa.orm.aliased(CareAgreement)
    own = _scoped(
        select(held.id.label("agreement_id"),
               *(func.count(case((Visit.status.in_(COUNTS_AS_VERIFIED) & _in_group(g), 1))).label(g)
                 for g in MODE_GROUPS),
               func.count(case((Visit.status.in_(FLAGGED), 1))).label("flagged"))
        .select_from(Visit)
        .join(held, held.person_id == Visit.person_id)
        .outerjoin(OrganisationMember, OrganisationMember.user_id == Visit.caregiver_id)
        .where(_in_month(m), Visit.pairing_id.is_(None), _overlaps(m, held),
               holds(held, Visit.caregiver_id, OrganisationMember.organisation_id)),
        Visit.person_id, persons).group_by(held.id).subquery()
    lo, hi = roster.roster_span(m.first, m.last, PersonExit.exited_on)
    lo = later_day(lo, CareAgreement.start_on)
    hi = earlier_day(hi, func.coalesce(CareAgreement.end_on, sa.literal(m.last, sa.Date())))
    stays, away = _away(m, lo, hi, persons=persons)
    base = (
        select(CareAgreement.id.label("agreement_id"), CareAgreement.person_id, CareAgreement.caregiver_id,
               village.label("village_id"), level.label("self_care_level"), CareAgreement.start_on,
               # its end as the month saw it: none when it ran on past the month
               case((CareAgreement.end_on <= m.last, CareAgreement.end_on)).label("end_on"),
               (roster.days_from_to(lo, hi) - away).label("days_due"),
               *(func.coalesce(own.c[g], 0).label(g) for g in MODE_GROUPS),
               func.coalesce(own.c.flagged, 0).label("flagged"))
        .join(Person, Person.id == CareAgreement.person_id)
        .outerjoin(PersonExit, PersonExit.person_id == Person.id)
        .outerjoin(own, own.c.agreement_id == CareAgreement.id)
        .outerjoin(stays, stays.c.person_id == Person.id)
        .where(_overlaps(m), roster.in_roster(m.first, m.last))
    )
    if persons is not None:
        base = base.where(persons)
    if agreements is not None:
        base = base.where(agreements)
    b = base.subquery("agreement_month")
    due = b.c.days_due
    return select(
        b.c.agreement_id, b.c.person_id, b.c.caregiver_id, b.c.village_id, b.c.self_care_level, b.c.start_on,
        b.c.end_on, due,
        by_level(m.policy, b.c.self_care_level, lambda p: required(p, due, m.length), else_=0).label("quota"),
        b.c.home, b.c.phone_video, b.c.remote,
        by_level(m.policy, b.c.self_care_level, lambda p: p.counted(b.c.home, b.c.phone_video, b.c.remote),
                 else_=0).label("counted"),
        b.c.flagged,
        fulfilment(m.policy, b.c.self_care_level, due, m.length, b.c.home, b.c.phone_video, b.c.remote)
        .label("fulfilment"))


AGREEMENT_COLUMNS = ("agreement_id", "person_id", "caregiver_id", "village_id", "self_care_level", "start_on",
                     "end_on", "days_due", "quota", "home", "phone_video", "remote", "counted", "flagged", "fulfilment")


# --- sums by place ---------------------------------------------------------------------------------------


def counted_villages(m: Month, *, persons=None) -> sa.Select:
    """The month's figures by village counted from its rows now (village_totals over person_rows
    and agreement_rows): what the live month's rollup writes and a request counts. ``persons``: a
    clause over Person narrowing whom."""
    return village_totals(person_rows(m, persons=persons).subquery(), agreement_rows(m, persons=persons).subquery())


def village_totals(persons: FromClause, agreements: FromClause) -> sa.Select:
    """The month's figures by village (MonthTotals' counts), from rows of persons and of agreements
    (person_rows and agreement_rows as subqueries, or the PersonMonth and AgreementMonth tables of
    a closed month), with the village's ``parent_id`` (its township)."""
    p, a = persons.c, agreements.c
    counted = [func.count().label("on_roster"), func.count(case((p.visited, 1))).label("visited")]
    for g in GROUPS:
        # 特殊困难老年人 (seed 002 item 3): the groups count those 60 or over in the month only
        member = in_visit_rate_group(g, p.risk_flags, p.self_care_level) & p.elderly
        counted += [func.count(case((member, 1))).label(f"{g}_total"),
                    func.count(case((member & p.visited, 1))).label(f"{g}_visited")]
    by_person = select(p.village_id, *counted).group_by(p.village_id).subquery()
    judged = []
    for lv in LEVELS:
        judged += [func.count(case(((a.self_care_level == lv) & (a.fulfilment != "excused"), 1))).label(f"due_{lv}"),
                   func.count(case(((a.self_care_level == lv) & (a.fulfilment == "met"), 1))).label(f"met_{lv}")]
    judged.append(func.count(case((a.fulfilment == "excused", 1))).label("excused"))
    by_agreement = select(a.village_id, *judged).group_by(a.village_id).subquery()
    village = sa.orm.aliased(Place)
    return (select(by_person.c.village_id, village.parent_id,
                   *(func.coalesce(by_person.c[k] if k in by_person.c else by_agreement.c[k], 0).label(k)
                     for k in TOTAL_COUNTS))
            .join(village, village.id == by_person.c.village_id)
            .outerjoin(by_agreement, by_agreement.c.village_id == by_person.c.village_id))

