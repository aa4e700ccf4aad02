"""The month close, its amendments, and the live month's rollup.

The close writes the month down once (MonthClose): a PersonMonth row for every person on the
month's roster, an AgreementMonth row for every agreement that ran in it (server/quotas/month.py),
and the figures of every place from them (MonthTotals) — what every report, screen and export of
the month reads from then on — and tells it (``month_written``: the care homes' record is written
on it, server/care/record.py). It raises one quota_missed alert per township with agreements not
met (照料服务履约), and sends each township's staff a digest.

A closed month changes only by an amendment (更正): a review decided after the close, a stay
away recorded late, a late visit accepted, a volunteer activity logged late. The month is closed
again for that person only, as they were judged then (their village, level and groups), the rows
marked amended, a MonthAmendment saying who, when, why and what changed, in the audit trail too.

The live month's figures are refreshed by the scheduler every few minutes (``rollup``): a
district's coverage and dashboard read a row a place instead of judging a million persons at each
request; the screens say when the figures were counted.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from blinker import Namespace
from sqlalchemy import func, select
from sqlmodel import Session

from server.alerts import service as alerts
from server.alerts.models import Alert, AlertEvent
from server.audit import service as audit
from server.auth.actor import Actor
from server.db import analyze_after, without_jit
from server.messages import text, text_sql
from server.notify import service as notify
from server.people.models import Person
from server.places.models import Place
from server.quotas import policy as policies
from server.quotas.models import (
    TOTAL_COUNTS,
    AgreementMonth,
    MonthAmendment,
    MonthClose,
    MonthTotals,
    PersonMonth,
)
from server.quotas.month import (
    AGREEMENT_COLUMNS,
    PERSON_COLUMNS,
    Month,
    agreement_rows,
    counted_villages,
    month_rule,
    person_rows,
    village_totals,
)
from server.timeutil import month_before

# The live month's rollup runs this often (server/jobs.py); its figures are taken as current for
# three runs, so a district's screens fall back to counting at once only when the scheduler stopped.
ROLLUP_MINUTES = 5
ROLLUP_FRESH = timedelta(minutes=3 * ROLLUP_MINUTES)

# The month close wrote month ``year``-``month`` (its PersonMonth rows and MonthClose): what other
# rooms keep of a closed month they write on it (the care homes' record, server/reports/events.py).
# Sent with the session as sender and keyword arguments ``year``, ``month`` and ``now``, within
# the transaction.
month_written = Namespace().signal("month-written")

_TOTALS = MonthTotals.__table__
_LEVEL_UP = (("village", "township"), ("township", "district"))


def is_closed(session: Session, label: str) -> MonthClose | None:
    return session.get(MonthClose, label)


# --- figures by place ------------------------------------------------------------------------------------


def _write_totals(session: Session, *, m: Month, closed: bool, at: datetime, villages: sa.Select,
                  townships: sa.Select | None = None, districts: sa.Select | None = None) -> None:
    """Write month ``m``'s MonthTotals of the villages ``villages`` (a village_totals select), then
    of the places above them summed from their children's rows: ``townships``/``districts``
    (selects of ids) narrow which (every one of the month's, by default). Each row counts too the
    alerts raised in the month about its place, its own and its children's."""
    v = villages.subquery()
    columns = ["month", "place_id", "parent_id", "level", "closed", "computed_at", *TOTAL_COUNTS, "alerts"]
    start, end = m.bounds
    raised = (select(Alert.place_id, func.count().label("n"))
              .where(Alert.created_at >= start, Alert.created_at < end).group_by(Alert.place_id).subquery())
    stamp = (sa.literal(m.label), sa.literal(closed), sa.literal(at, type_=_TOTALS.c.computed_at.type))
    session.execute(sa.insert(MonthTotals).from_select(columns, select(
        stamp[0], v.c.village_id, v.c.parent_id, sa.literal("village"), stamp[1], stamp[2],
        *(v.c[k] for k in TOTAL_COUNTS), func.coalesce(raised.c.n, 0))
        .outerjoin(raised, raised.c.place_id == v.c.village_id)))
    for (child_level, level), parents in zip(_LEVEL_UP, (townships, districts)):
        child, place = sa.orm.aliased(MonthTotals), sa.orm.aliased(Place)
        sums = (select(stamp[0], place.id, place.parent_id, sa.literal(level), stamp[1], stamp[2],
                       *(func.sum(getattr(child, k)) for k in TOTAL_COUNTS),
                       func.sum(child.alerts) + func.coalesce(func.max(raised.c.n), 0))
                .join(place, place.id == child.parent_id)
                .outerjoin(raised, raised.c.place_id == place.id)
                .where(child.month == m.label, child.level == child_level))
        if parents is not None:
            sums = sums.where(child.parent_id.in_(parents))
        session.execute(sa.insert(MonthTotals).from_select(columns, sums.group_by(place.id, place.parent_id)))


def _rebuild_totals(session: Session, *, m: Month, village_ids: list[int], at: datetime) -> None:
    """A closed month's MonthTotals of the townships of ``village_ids`` (every village of theirs)
    and of their district, again from its PersonMonth and AgreementMonth rows (after an amendment)."""
    townships = select(Place.parent_id).where(Place.id.in_(village_ids))
    districts = select(Place.parent_id).where(Place.id.in_(townships))
    villages = select(Place.id).where(Place.parent_id.in_(townships))
    session.execute(sa.delete(MonthTotals).where(
        MonthTotals.month == m.label,
        MonthTotals.place_id.in_(villages) | MonthTotals.place_id.in_(townships) | MonthTotals.place_id.in_(districts)))
    persons = select(PersonMonth).where(PersonMonth.month == m.label, PersonMonth.village_id.in_(villages)).subquery()
    agreements = select(AgreementMonth).where(AgreementMonth.month == m.label,
                                              AgreementMonth.village_id.in_(villages)).subquery()
    _write_totals(session, m=m, closed=True, at=at, villages=village_totals(persons, agreements),
                  townships=townships, districts=districts)


# --- the close ------------------------------------------------------------------------------------------


def _snapshot(m: Month) -> dict:
    """The rules a month was judged by, for its MonthClose."""
    return {"volunteer_visits_count": m.volunteer_visits,
            "levels": {level: {"version_id": p.id, **{f: getattr(p, f) for f in policies.POLICY_FIELDS}}
                       for level, p in m.policy.items()}}


def write_month(session: Session, m: Month, *, now: datetime) -> tuple[int, int]:
    """The record of month ``m``: its PersonMonth and AgreementMonth rows in two INSERT … SELECT, its
    figures by place (in place of the rollup's) and its MonthClose. Returns (persons, agreements)."""
    without_jit(session)
    label = sa.literal(m.label)
    rows = person_rows(m).subquery()
    persons = session.connection().execute(sa.insert(PersonMonth).from_select(
        ["month", *PERSON_COLUMNS], select(label, *(rows.c[k] for k in PERSON_COLUMNS)))
        .execution_options(preserve_rowcount=True)).rowcount
    rows = agreement_rows(m).subquery()
    agreements = session.connection().execute(sa.insert(AgreementMonth).from_select(
        ["month", *AGREEMENT_COLUMNS], select(label, *(rows.c[k] for k in AGREEMENT_COLUMNS)))
        .execution_options(preserve_rowcount=True)).rowcount
    analyze_after(session, persons + agreements, PersonMonth.__table__, AgreementMonth.__table__)
    session.execute(sa.delete(MonthTotals).where(MonthTotals.month == m.label))
    _write_totals(session, m=m, closed=True, at=now, villages=village_totals(
        select(PersonMonth).where(PersonMonth.month == m.label).subquery(),
        select(AgreementMonth).where(AgreementMonth.month == m.label).subquery()))
    session.add(MonthClose(month=m.label, closed_at=now, policy=_snapshot(m), persons=persons, agreements=agreements))
    session.flush()
    month_written.send(session, year=m.year, month=m.month, now=now)
    return persons, agreements


def close_month(session: Session, *, year: int, month: int, zone: ZoneInfo, alert_settings: alerts.AlertSettings,
                now: datetime) -> dict:
    """Close the month (write_month); a quota_missed alert to each township with agreements not met,
    and a digest to its staff (once per township and month). A month already closed is left as it is."""
    m = month_rule(session, year=year, month=month, zone=zone)
    persons = agreements = 0
    if is_closed(session, m.label) is None:
        persons, agreements = write_month(session, m, now=now)
    raised = raise_quota_missed(session, month_label=m.label, at=now, settings=alert_settings)
    township = sa.orm.aliased(MonthTotals)
    for township_id, on_roster, visited, met, due in session.execute(
            select(township.place_id, township.on_roster, township.visited,
                   sum(getattr(township, f"met_{lv}") for lv in policies.SELF_CARE_LEVELS),
                   sum(getattr(township, f"due_{lv}") for lv in policies.SELF_CARE_LEVELS))
            .where(township.month == m.label, township.level == "township")):
        notify.notify(session, user_ids=alerts.staff_of(session, township_id), kind="month_digest",
                      title=text("digest.month.title", month=m.label),
                      body=text("digest.month.body", total=on_roster, visited=visited, met=met, missed=due - met),
                      dedupe_key=f"digest:{m.label}", url="/#/coverage", now=now)
    return {"persons": persons, "agreements": agreements, "quota_missed": raised}


# A screen shows a year of months (the dashboard twelve, the month picker thirteen with the live one):
# the month close sees that every one of them before the month it closes is closed too.
CATCH_UP_MONTHS = 11


def close_missed(session: Session, *, before: tuple[int, int], zone: ZoneInfo, now: datetime) -> list[str]:
    """The CATCH_UP_MONTHS months before ``before`` (year, month) never closed — an installation
    begun mid-year with a roster enrolled long before, a scheduler down for months — closed now as
    they are known now, oldest first, without alerts or digests: history nobody can act on any more.
    Without it each such month would be counted from a district's million rows at every request of
    a screen that shows it. Returns the months closed."""
    wanted = [before]
    for _ in range(CATCH_UP_MONTHS):
        wanted.append(month_before(*wanted[-1]))
    labels = [f"{y:04d}-{m:02d}" for y, m in wanted[1:]]
    done = set(session.scalars(select(MonthClose.month).where(MonthClose.month.in_(labels))))
    closed = []
    for y, m in reversed(wanted[1:]):
        label = f"{y:04d}-{m:02d}"
        if label not in done:
            write_month(session, month_rule(session, year=y, month=m, zone=zone), now=now)
            closed.append(label)
    return closed


def raise_quota_missed(session: Session, *, month_label: str, at: datetime, settings: alerts.AlertSettings) -> int:
    """One quota_missed alert to each township with agreements whose 履约 in the month (YYYY-MM)
    was not met — "2026-11 有37人走访未达标", the persons one tap away (the month's list of the
    township, /api/coverage/missed) — not an alert and a push per person; once per township and
    month by its dedupe key, in one INSERT … SELECT grouped by township. Each starts its timeline
    with its raising, as alerts.raise_alert's do. Returns the alerts raised."""
    village = sa.orm.aliased(Place)
    dedupe_key = sa.literal(f"quota:{month_label}:") + sa.cast(village.parent_id, sa.String)
    columns = Alert.__table__.c
    missed = (
        select(sa.literal("quota_missed"), sa.literal("normal"), village.parent_id, sa.literal("township"),
               sa.literal("open"),
               text_sql("alert.quota_missed", month=sa.literal(month_label),
                        count=func.count(sa.distinct(AgreementMonth.person_id))),
               dedupe_key, sa.literal(at, type_=columns.created_at.type),
               sa.literal(at + timedelta(minutes=settings.sla_minutes["normal"]), type_=columns.sla_due_at.type),
               sa.literal({"month": month_label}, type_=columns.detail.type))
        .select_from(AgreementMonth).join(village, village.id == AgreementMonth.village_id)
        .where(AgreementMonth.month == month_label, AgreementMonth.fulfilment == "not_met",
               ~sa.exists().where(Alert.dedupe_key == dedupe_key))
        .group_by(village.parent_id)
    )
    raised = session.connection().execute(sa.insert(Alert).from_select(
        ["kind", "severity", "place_id", "level", "status", "title", "dedupe_key", "created_at", "sla_due_at",
         "detail"], missed).execution_options(preserve_rowcount=True)).rowcount
    session.connection().execute(sa.insert(AlertEvent).from_select(
        ["alert_id", "at", "kind"],
        select(Alert.id, sa.literal(at, type_=AlertEvent.__table__.c.at.type), sa.literal("raised"))
        .where(Alert.kind == "quota_missed", Alert.dedupe_key.startswith(f"quota:{month_label}:"),
               ~sa.exists().where(AlertEvent.alert_id == Alert.id))))
    return raised


# --- amendments -----------------------------------------------------------------------------------------


_COMPARED_PERSON = [c for c in PERSON_COLUMNS if c not in ("person_id",)]
_COMPARED_AGREEMENT = [c for c in AGREEMENT_COLUMNS if c not in ("agreement_id",)]


def _plain(row: dict, columns) -> dict:
    """A row's figures as the amendment keeps them (JSON: dates as text)."""
    return {c: (bool(row[c]) if c in ("visited", "elderly")
                else row[c].isoformat() if isinstance(row[c], date) else row[c])
            for c in columns}


def amend(session: Session, *, person_id: int, label: str, zone: ZoneInfo, reason: str, ref: int | None,
          actor: Actor | None, now: datetime) -> MonthAmendment | None:
    """Close a closed month (YYYY-MM) again for one person, as they were judged then, after
    ``reason`` (MonthAmendment's reasons; ``ref`` the visit, stay or activity). Nothing happens
    when the month is not closed, the person was not on its roster, or nothing changes; else the
    rows are replaced and marked amended, and the MonthAmendment and an audit row say who, when,
    why and what changed. Returns the amendment, if any."""
    closed = is_closed(session, label)
    if closed is None:
        return None
    before = session.scalar(select(PersonMonth).where(PersonMonth.month == label, PersonMonth.person_id == person_id))
    if before is None:
        return None
    year, month = (int(part) for part in label.split("-"))
    m = month_rule(session, year=year, month=month, zone=zone,
                   volunteer_visits=closed.policy.get("volunteer_visits_count", True))
    as_then = {"persons": Person.id == person_id, "level": sa.literal(before.self_care_level),
               "village": sa.literal(before.village_id, sa.Integer())}
    after = session.execute(person_rows(m, risk_flags=sa.literal(before.risk_flags, sa.JSON()),
                                        elderly=sa.literal(before.elderly, sa.Boolean()), **as_then)).mappings().first()
    if after is None:  # no longer on the month's roster by what is known now: the record stands
        return None
    old_agreements = {a.agreement_id: a for a in session.scalars(
        select(AgreementMonth).where(AgreementMonth.month == label, AgreementMonth.person_id == person_id))}
    new_agreements = {a["agreement_id"]: a for a in session.execute(agreement_rows(m, **as_then)).mappings()}
    was = {"person": _plain(before.model_dump(), _COMPARED_PERSON),
           "agreements": {str(k): _plain(a.model_dump(), _COMPARED_AGREEMENT) for k, a in old_agreements.items()}}
    now_is = {"person": _plain(dict(after), _COMPARED_PERSON),
              "agreements": {str(k): _plain(dict(a), _COMPARED_AGREEMENT) for k, a in new_agreements.items()}}
    if was == now_is:
        return None
    session.execute(sa.delete(AgreementMonth).where(AgreementMonth.month == label, AgreementMonth.person_id == person_id))
    session.execute(sa.delete(PersonMonth).where(PersonMonth.month == label, PersonMonth.person_id == person_id))
    session.add(PersonMonth(month=label, amended_at=now, **dict(after)))
    session.add_all([AgreementMonth(month=label, amended_at=now, **dict(a)) for a in new_agreements.values()])
    session.flush()
    _rebuild_totals(session, m=m, village_ids=[before.village_id], at=now)
    amendment = MonthAmendment(month=label, person_id=person_id, at=now, by=actor.user.id if actor else None,
                               reason=reason, ref=ref, detail={"before": was, "after": now_is})
    session.add(amendment)
    session.flush()
    audit.record(session, actor=actor, action="amend", entity="month", entity_id=amendment.id, person_id=person_id,
                 detail={"month": label, "reason": reason, "ref": ref})
    return amendment


def amend_months(session: Session, *, person_ids, first: date, last: date, zone: ZoneInfo, reason: str,
                 ref: int | None, actor: Actor | None, now: datetime) -> list[MonthAmendment]:
    """``amend`` each person for every closed month from the one of ``first`` to the one of ``last``
    (local days)."""
    labels = [c for c in session.scalars(select(MonthClose.month).where(
        MonthClose.month >= f"{first:%Y-%m}", MonthClose.month <= f"{last:%Y-%m}"))]
    done = []
    for label in labels:
        for person_id in person_ids:
            amendment = amend(session, person_id=person_id, label=label, zone=zone, reason=reason, ref=ref,
                              actor=actor, now=now)
            if amendment is not None:
                done.append(amendment)
    return done


# --- the live month --------------------------------------------------------------------------------------


def rollup(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """The live month's figures of every place, counted again (MonthTotals, not closed): one
    INSERT … SELECT of the villages' sums and one per level above, in place of the last run's."""
    local = now.astimezone(zone)
    m = month_rule(session, year=local.year, month=local.month, zone=zone)
    if is_closed(session, m.label) is not None:
        return {"month": m.label, "skipped": "closed"}
    without_jit(session)
    session.execute(sa.delete(MonthTotals).where(MonthTotals.month == m.label, ~MonthTotals.closed))
    _write_totals(session, m=m, closed=False, at=now,
                  villages=counted_villages(m))
    places = session.scalar(select(func.count()).select_from(MonthTotals).where(MonthTotals.month == m.label))
    return {"month": m.label, "places": places}

