"""Emergency relief (急难型临时救助, seed 004 item 11): 小金额先行救助 — recorded when an alert is
resolved with relief — 事后补充说明: a statement task, due after the district's number of days,
chased daily by the scheduler and climbing to the district when late (the alerts' ladder).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server import clock
from server.alerts import service as alerts
from server.alerts.events import alert_resolved
from server.alerts.models import Alert, AlertEvent
from server.audit import service as audit
from server.auth.actor import Actor
from server.casework.models import Relief
from server.casework.policy import policy
from server.errors import ServiceError
from server.messages import text
from server.notify import service as notify
from server.people.models import Person
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place, require_manages
from server.places.service import township_rows
from server.reports import service as reports
from server.tables import Report


NOTE_CHARS = AlertEvent.__table__.c.note.type.length  # 500 (issue 30 L1: 501–1000 answered 500)


@alert_resolved.connect
def _paid_on_resolving(session: Session, *, alert: Alert, actor: Actor, relief: dict | None, settings, zone, today,
                       **_) -> None:
    """An alert resolved with emergency relief (急难救助, seed 004 item 11): the relief is recorded."""
    if relief is not None:
        record(session, actor=actor, alert=alert, settings=settings, zone=zone, today=today, **relief)


def record(session: Session, *, actor: Actor, alert: Alert, amount: Decimal, granted_on: date,
           settings: alerts.AlertSettings, zone: ZoneInfo, today: date) -> Relief:
    """The relief paid on resolving ``alert``, and its 补充说明 task to the township."""
    if granted_on > today:
        raise ServiceError(422, "date_in_future", errors={"relief": {"granted_on": ["cannot be in the future"]}})
    due = granted_on + timedelta(days=policy(session).relief_statement_days)
    relief = Relief(alert_id=alert.id, person_id=alert.person_id, township_id=alert.place_id, amount=amount,
                    granted_on=granted_on, statement_due=due, created_by=actor.user.id)
    session.add(relief)
    session.flush()
    name = session.get(Person, alert.person_id).name if alert.person_id else alert.title
    # due at the end of the due day, the township's day
    due_at = datetime(due.year, due.month, due.day, tzinfo=zone) + timedelta(days=1)
    task, _ = alerts.raise_alert(session, kind="relief_statement", township_id=alert.place_id, person_id=alert.person_id,
                                 title=text("alert.relief_statement", name=name, due=due.isoformat()),
                                 dedupe_key=f"relief:{relief.id}", settings=settings, due_at=due_at,
                                 detail={"relief_id": relief.id, "closed_by": "relief_statement",
                                         "amount": str(amount), "due": due.isoformat()})
    relief.task_alert_id = task.id
    session.add(relief)
    audit.record(session, actor=actor, action="create", entity="relief", entity_id=relief.id, person_id=alert.person_id,
                 detail={"amount": str(amount), "granted_on": granted_on.isoformat()})
    session.flush()
    return relief


def file_statement(session: Session, *, actor: Actor, relief_id: int, statement: str) -> Relief:
    """事后补充说明: the statement closes the relief's task."""
    relief = session.get(Relief, relief_id)
    if relief is None:
        raise ServiceError(404, "relief_not_found")
    require_manages(session, actor.user, session.get(Place, relief.township_id))
    if relief.statement_at is not None:
        raise ServiceError(409, "relief_statement_filed")
    relief.statement, relief.statement_at, relief.statement_by = statement, clock.now(), actor.user.id
    session.add(relief)
    if relief.task_alert_id is not None:
        # the task's note holds 500 characters; the statement (1000) is whole on the relief
        note = statement if len(statement) <= NOTE_CHARS else statement[:NOTE_CHARS - 1] + "…"
        alerts.resolve(session, actor=actor, alert_id=relief.task_alert_id, outcome="other", note=note,
                       _closing_task=True)
    audit.record(session, actor=actor, action="statement", entity="relief", entity_id=relief.id,
                 person_id=relief.person_id)
    session.flush()
    return relief


def list_reliefs(session: Session, *, actor: Actor, place_id: int | None = None, pending: bool = False) -> list[dict]:
    """Reliefs under a place, newest first, with the person's name; ``pending``: statement not filed."""
    place = managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)
    stmt = (select(Relief, Person.name, Place.name)
            .join(Place, Place.id == Relief.township_id)
            .outerjoin(Person, Person.id == Relief.person_id)
            .where(places.subtree_filter(place)))
    if pending:
        stmt = stmt.where(Relief.statement_at.is_(None))
    rows = session.execute(stmt.order_by(Relief.granted_on.desc(), Relief.id.desc())).all()
    return [{**r.model_dump(), "person_name": name, "township_name": township} for r, name, township in rows]


def view(session: Session, relief: Relief) -> dict:
    person = session.get(Person, relief.person_id) if relief.person_id else None
    return {**relief.model_dump(), "person_name": person.name if person else None,
            "township_name": session.get(Place, relief.township_id).name}


RELIEF_HEADERS = ["序号", "乡镇（街道）", "姓名", "救助金额（元）", "救助日期", "补充说明截止日期", "补充说明", "补充说明日期"]


@reports.makes_report("relief")
def monthly_report(session: Session, *, actor: Actor, place_id: int | None, year: int, month: int,
                   zone: ZoneInfo, today: date, **_) -> Report:
    """临时救助月报: each relief granted in the month under a place, township by township, and a total
    per township (count, amount, statements still owed)."""
    place = managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)
    townships = township_rows(session, place)
    first = date(year, month, 1)
    last = (datetime.combine(first, datetime.min.time()) + timedelta(days=32)).replace(day=1).date()
    found = session.execute(
        select(Relief, Person.name).outerjoin(Person, Person.id == Relief.person_id)
        .where(Relief.township_id.in_([t.id for t in townships]), Relief.granted_on >= first, Relief.granted_on < last)
        .order_by(Relief.granted_on, Relief.id)).all()
    rows, n = [], 0
    for t in townships:
        mine = [(r, name) for r, name in found if r.township_id == t.id]
        for r, name in mine:
            n += 1
            state = (r.statement_at.astimezone(zone).date().isoformat() if r.statement_at
                     else text("relief.overdue") if r.statement_due < today else text("relief.pending"))
            rows.append([n, t.name, name or "", float(r.amount), r.granted_on.isoformat(), r.statement_due.isoformat(),
                         r.statement or "", state])
        owed = sum(1 for r, _ in mine if r.statement_at is None)
        rows.append(["", text("relief.subtotal", township=t.name), text("relief.count", n=len(mine)),
                     float(sum((r.amount for r, _ in mine), Decimal(0))), "", "", text("relief.owed", n=owed), ""])
    audit.record_person_reads(session, actor=actor, person_ids=[r.person_id for r, _ in found if r.person_id],
                              action="report_relief")
    return Report(text("report.relief", place=place.name, year=year, month=month), RELIEF_HEADERS, rows)


def chase_statements(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """Daily: township staff are reminded of every 补充说明 still owed (overdue ones climb through the
    escalation job, by their task's deadline). One message a day per township."""
    today = clock.today(zone, now)
    owed = session.execute(select(Relief.township_id, sa.func.count(), sa.func.min(Relief.statement_due))
                           .where(Relief.statement_at.is_(None)).group_by(Relief.township_id)).all()
    sent = 0
    for township_id, n, earliest in owed:
        sent += len(notify.notify(session, user_ids=alerts.staff_of(session, township_id), kind="relief_reminder",
                                  title=text("reminder.relief.title"),
                                  body=text("reminder.relief.body", n=n, due=earliest.isoformat()),
                                  dedupe_key=f"relief-chase:{township_id}:{today.isoformat()}", url="/#/relief",
                                  now=now))
    return {"townships": len(owed), "reminded": sent}
