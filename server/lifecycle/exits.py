"""Exits from the roster (进退有序, seed 004 item 4): death, a move away, a move into a care home,
or no longer eligible after the periodic review. A care-home resident (集中供养) leaves the same
way, but for a move into a care home: the exit ends their stay in the home (care.end_residence).

An exit ends the person's agreements on its day; from the next day the person is off the roster
(server/people/roster.py), so no quota, reminder or alert concerns them and their caregiver no
longer sees them; a check-in for a later day is refused. A death opens the follow-up the seed
names: 做好特困人员身故基本殡葬服务，丧葬费用按照6个月基本生活标准给予补贴 (seed 004 item 2) — a
task for the township's staff. The person's history stays readable to staff.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from server import clock
from server.alerts import service as alerts
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.care import service as care
from server.care.models import CareAgreement, CareResidence
from server.config import load_settings
from server.errors import ServiceError
from server.messages import text
from server.paging import Page, select_page, split
from server.people import service as people
from server.people.models import EXIT_REASONS, Person, PersonExit
from server.places.models import Place

# The follow-up tasks an exit opens: they concern a person off the roster and still climb to the
# district when nobody takes them up (the escalation skips every other alert of such a person).
FOLLOW_UP_KINDS = alerts.EXIT_FOLLOW_UPS
# How far back a caregiver is shown the persons who left their care.
CAREGIVER_NOTICE_DAYS = 90


def _defaults() -> tuple[ZoneInfo, alerts.AlertSettings]:
    config = load_settings({})
    return ZoneInfo(config["TIMEZONE"]), alerts.AlertSettings.from_config(config)


def record_exit(session: Session, *, actor: Actor, person_id: int, on: date, reason: str, note: str | None,
                now: datetime, zone: ZoneInfo | None = None,
                alert_settings: alerts.AlertSettings | None = None) -> PersonExit:
    """Record that a person left the roster on local day ``on`` for ``reason`` (EXIT_REASONS).
    Staff of the person's place only; ``on`` may not be after today. Routes pass the app's zone
    and alert settings; without them the configuration's defaults are used."""
    if zone is None or alert_settings is None:
        default_zone, default_alerts = _defaults()
        zone, alert_settings = zone or default_zone, alert_settings or default_alerts
    if not roles.is_staff(actor.user):
        people.find_person(session, person_id)
        raise ServiceError(403, "forbidden_role")
    person = people.managed_person(session, actor, person_id)
    if reason not in EXIT_REASONS:
        raise ServiceError(422, "validation", errors={"reason": [f"one of {', '.join(EXIT_REASONS)}"]})
    if on > clock.today(zone, now):
        raise ServiceError(422, "date_in_future", errors={"on": ["cannot be in the future"]})
    if session.scalar(select(PersonExit.id).where(PersonExit.person_id == person.id)) is not None:
        raise ServiceError(409, "person_exited")
    resident = person.status == "centralised"
    if not resident and (person.status != "active" or person.support_mode != "decentralised"):
        raise ServiceError(409, "person_not_active")
    if resident and reason == "care_home":
        raise ServiceError(422, "exit_resident_care_home", errors={"reason": ["already in a care home"]})
    home_id = person.care_home_id
    if resident:
        stay = care.residence_of(session, person.id)
        if stay is not None and on < stay.start_on:
            raise ServiceError(422, "exit_before_move_in", errors={"on": ["before the move into the care home"]},
                               on=stay.start_on.isoformat())
        care.end_residence(session, person_id=person.id, on=on)
    end_reason = text(f"agreement.end.exit.{reason}")
    for agreement in session.scalars(select(CareAgreement).where(CareAgreement.person_id == person.id,
                                                                 CareAgreement.status == "active")):
        care.end_agreement(session, actor=actor, agreement_id=agreement.id, today=on,
                           end_on=max(on, agreement.start_on), end_reason=end_reason, raise_no_caregiver=False)
    record = PersonExit(person_id=person.id, exited_on=on, reason=reason, note=note, recorded_by=actor.user.id,
                        recorded_at=now)
    session.add(record)
    person.status = "deceased" if reason == "deceased" else "exited"  # people.service.EXITED
    person.updated_at = now
    session.add(person)
    session.flush()
    audit.record(session, actor=actor, action="exit", entity="person", entity_id=person.id, person_id=person.id,
                 detail={"on": on.isoformat(), "reason": reason,
                         **({"care_home_id": home_id} if resident else {})})
    if reason == "deceased":
        township_id = session.get(Place, person.village_id).parent_id
        title = text("task.funeral", name=person.name)
        alerts.raise_alert(session, kind="funeral", township_id=township_id, person_id=person.id, title=title,
                           dedupe_key=f"funeral:{person.id}", settings=alert_settings, now=now,
                           detail={"task": "funeral", "summary": text("task.funeral.body", name=person.name,
                                                                       on=on.isoformat()),
                                   "exited_on": on.isoformat()})
    return record


def undo_exit(session: Session, *, actor: Actor, person_id: int, note: str, now: datetime) -> Person:
    """Undo an exit recorded in error (the wrong person, a death that was not): the person is on
    the roster again as before it, the agreements the exit ended are in force again (those whose
    caregiver can still log in), a resident's stay in the home it ended is open again, a 丧葬 task
    it opened is withdrawn with the reason, and the exit record gives way to an audit row that
    keeps what it said, who recorded it and why it was undone. Staff of the person's place only;
    ``note`` (why) is required."""
    if not roles.is_staff(actor.user):
        people.find_person(session, person_id)
        raise ServiceError(403, "forbidden_role")
    person = people.managed_person(session, actor, person_id)
    why = (note or "").strip()
    if not why:
        raise ServiceError(422, "exit_undo_reason_required", errors={"note": ["required"]})
    record = exit_of(session, person.id)
    if record is None:
        raise ServiceError(409, "person_not_exited")
    ended_by_exit = text(f"agreement.end.exit.{record.reason}")
    reopened = []
    for agreement in session.scalars(select(CareAgreement).where(
            CareAgreement.person_id == person.id, CareAgreement.status == "ended",
            CareAgreement.end_reason == ended_by_exit, CareAgreement.end_on >= record.exited_on)):
        if not care.caregiver_can_serve(session, agreement.caregiver_id):
            continue
        agreement.status, agreement.end_on, agreement.end_reason = "active", None, None
        session.add(agreement)
        reopened.append(agreement.id)
        audit.record(session, actor=actor, action="reopen", entity="agreement", entity_id=agreement.id,
                     person_id=person.id, detail={"why": why})
    if record.reason == "deceased":
        alerts.withdraw(session, actor=actor, dedupe_key=f"funeral:{person.id}", note=why, now=now)
    person.status = "active"
    if person.support_mode == "centralised":
        # a resident's exit ended their stay in the home (care.end_residence): that stay is open again
        person.status = "centralised"
        stay = session.scalar(select(CareResidence).where(CareResidence.person_id == person.id,
                                                          CareResidence.end_on == record.exited_on)
                              .order_by(CareResidence.id.desc()).limit(1))
        if stay is not None:
            stay.end_on = None
            person.care_home_id = stay.care_home_id
            session.add(stay)
    person.updated_at = now
    session.add(person)
    audit.record(session, actor=actor, action="exit_undone", entity="person", entity_id=person.id, person_id=person.id,
                 detail={"on": record.exited_on.isoformat(), "reason": record.reason, "note": record.note,
                         "recorded_by": record.recorded_by, "recorded_at": record.recorded_at.isoformat(),
                         "why": why, "agreements_reopened": reopened})
    session.delete(record)
    session.flush()
    return person


def exit_of(session: Session, person_id: int) -> PersonExit | None:
    """The person's exit, if they left the roster."""
    return session.scalar(select(PersonExit).where(PersonExit.person_id == person_id))


def list_exits(session: Session, *, actor: Actor, since: date | None = None,
               page: Page = Page()) -> tuple[list[tuple[PersonExit, Person]], str | None]:
    """Staff: the exits of the persons of their area, the latest first."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    visible = people.visible(session, actor.user).with_only_columns(Person.id)
    stmt = (select(PersonExit, Person).join(Person, Person.id == PersonExit.person_id)
            .where(PersonExit.person_id.in_(visible)))
    if since is not None:
        stmt = stmt.where(PersonExit.exited_on >= since)
    rows, after = split([(e, p) for e, p in session.execute(
        select_page(stmt, page, order=[PersonExit.exited_on, PersonExit.id], descending=True))], page,
        lambda row: (row[0].exited_on, row[0].id))
    audit.record_person_reads(session, actor=actor, person_ids=[p.id for _, p in rows], action="list_exits")
    return rows, after


def left_my_care(session: Session, *, actor: Actor, today: date) -> list[dict]:
    """A caregiver: the persons whose agreement with them an exit ended in the last
    CAREGIVER_NOTICE_DAYS days — the name, the day and why, nothing else of the record."""
    if not roles.is_caregiver(actor.user):
        raise ServiceError(403, "forbidden_role")
    rows = session.execute(
        select(Person.id, Person.name, PersonExit.exited_on, PersonExit.reason)
        .join(PersonExit, PersonExit.person_id == Person.id)
        .join(CareAgreement, CareAgreement.person_id == Person.id)
        .where(CareAgreement.caregiver_id == actor.user.id, CareAgreement.end_on == PersonExit.exited_on,
               PersonExit.exited_on >= today - timedelta(days=CAREGIVER_NOTICE_DAYS))
        .distinct().order_by(PersonExit.exited_on.desc())
    ).all()
    return [{"person_id": pid, "name": name, "exited_on": on, "reason": reason} for pid, name, on, reason in rows]


def accepts_visit_after_exit(session: Session, *, person_id: int, caregiver_id: int, visit_day: date) -> int | None:
    """For a check-in of a person with no active agreement with this caregiver: the agreement an
    exit ended, when the visit started on or before the day of the exit (a visit of the 4th sent on
    the 6th for an exit on the 4th is still theirs); None when there is none. Raises 409
    person_exited when the person exited and the visit came after."""
    row = session.execute(
        select(PersonExit.exited_on, CareAgreement.id)
        .join(CareAgreement, (CareAgreement.person_id == PersonExit.person_id)
              & (CareAgreement.caregiver_id == caregiver_id) & (CareAgreement.end_on == PersonExit.exited_on))
        .where(PersonExit.person_id == person_id)
    ).first()
    if row is None:
        return None
    exited_on, agreement_id = row
    if visit_day > exited_on:
        raise ServiceError(409, "person_exited_visit", on=exited_on.isoformat())
    return agreement_id
