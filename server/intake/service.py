"""Intake, step by step (seed 001 §二(一)3; seed 004 item 20): see server/intake/models.py.

Each step is dated by the staff member who does it (never later than today, never before the step
it follows) and written to the audit trail. Township staff act in their township, district admins
everywhere; nobody else. An error leaves nothing stored: the request's transaction rolls back.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server import clock
from server.alerts.service import AlertSettings
from server.assessments import service as assessments
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.care import service as care
from server.care.models import CareHome
from server.casework.models import FieldReport
from server.errors import ServiceError
from server.intake.models import IntakeApplication, IntakeObjection, IntakePolicy
from server.paging import Page, select_page, split
from server.people import idnumber
from server.people import service as people
from server.people.models import Person
from server.places import service as places
from server.places.models import Place
from server.places.policy import home_place, require_manages, township_of

ENTITY = "intake_application"
OPEN = ("investigating", "deciding", "publicising", "objected")


def policy(session: Session) -> IntakePolicy:
    return session.get(IntakePolicy, 1) or IntakePolicy(id=1)


def update_policy(session: Session, *, actor: Actor, publicity_days: int) -> IntakePolicy:
    """District admins set the 公示 period; an application already posted keeps its own."""
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")
    row = policy(session)
    row.publicity_days, row.updated_by, row.updated_at = publicity_days, actor.user.id, clock.now()
    session.add(row)
    audit.record(session, actor=actor, action="update", entity="intake_policy", detail={"publicity_days": publicity_days})
    session.flush()
    return row


def _staff(actor: Actor) -> None:
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")


def _dated(field: str, day: date, *, today: date, after: date | None = None) -> None:
    """A step's day: not in the future, not before the step it follows."""
    if day > today:
        raise ServiceError(422, "date_in_future", errors={field: ["cannot be in the future"]})
    if after is not None and day < after:
        raise ServiceError(422, "intake_date_before_step", errors={field: [f"before {after.isoformat()}"]},
                           day=after.isoformat())


def _application(session: Session, actor: Actor, application_id: int) -> IntakeApplication:
    _staff(actor)
    app = session.get(IntakeApplication, application_id)
    if app is None:
        raise ServiceError(404, "intake_not_found")
    require_manages(session, actor.user, session.get(Place, app.village_id))
    return app


def _at(app: IntakeApplication, *statuses: str) -> None:
    if app.status not in statuses:
        raise ServiceError(409, "intake_wrong_step", errors={"status": [app.status]})


def _changed(session: Session, actor: Actor, app: IntakeApplication, action: str, detail: dict) -> None:
    app.updated_at = clock.now()
    session.add(app)
    session.flush()
    audit.record(session, actor=actor, action=action, entity=ENTITY, entity_id=app.id, person_id=app.person_id,
                 detail=detail)


def _on_roster(session: Session, id_number: str) -> None:
    if session.scalar(select(Person.id).where(Person.id_number == id_number)) is not None:
        raise ServiceError(409, "intake_on_roster", errors={"id_number": ["already on the roster"]})


def step_of(app: IntakeApplication, today: date) -> str:
    """The step as a user sees it: a posted application whose 公示 is over waits to be placed."""
    if app.status == "publicising" and app.publicity_until is not None and today > app.publicity_until:
        return "placing"
    return app.status


def at_step(step: str, today: date):
    """step_of as SQL: the applications a user sees at ``step`` on ``today``."""
    if step == "placing":
        return (IntakeApplication.status == "publicising") & (IntakeApplication.publicity_until < today)
    if step == "publicising":
        return (IntakeApplication.status == "publicising") & (IntakeApplication.publicity_until >= today)
    return IntakeApplication.status == step


# ---- opening ---------------------------------------------------------------------------------

def open_reports(session: Session, *, actor: Actor) -> list[dict]:
    """Reports from the field of someone in need not on the roster (主动发现, seed 004 item 17) in
    the actor's area that no application has been opened from yet, newest first."""
    _staff(actor)
    taken = select(IntakeApplication.field_report_id).where(IntakeApplication.field_report_id.is_not(None))
    stmt = (select(FieldReport, Place).join(Place, Place.id == FieldReport.village_id)
            .where(FieldReport.category == "needs_help", FieldReport.person_id.is_(None),
                   FieldReport.id.not_in(taken))
            .order_by(FieldReport.id.desc()).limit(100))
    if not roles.is_district_admin(actor.user):
        stmt = stmt.where(places.subtree_filter(home_place(session, actor.user)))
    return [{"id": r.id, "person_name": r.person_name, "village_id": v.id, "village_name": v.name,
             "description": r.description, "created_at": r.created_at} for r, v in session.execute(stmt).all()]


def open_application(session: Session, *, actor: Actor, today: date, zone: ZoneInfo, name: str, id_number: str,
                     village_id: int, opened_on: date, address: str | None = None, phone: str | None = None,
                     note: str | None = None, field_report_id: int | None = None) -> IntakeApplication:
    """Open an application: from a report from the field, or at the office (a person applies)."""
    _staff(actor)
    village = places.get(session, village_id)
    if village.level != "village":
        raise ServiceError(422, "village_required", errors={"village_id": ["must be a village"]})
    require_manages(session, actor.user, village)
    after = None
    if field_report_id is not None:
        report = session.get(FieldReport, field_report_id)
        if report is None or report.category != "needs_help" or report.person_id is not None:
            raise ServiceError(422, "intake_report_not_applicant", errors={"field_report_id": ["not someone in need "
                                                                                               "off the roster"]})
        require_manages(session, actor.user, session.get(Place, report.village_id))
        if session.scalar(select(IntakeApplication.id).where(IntakeApplication.field_report_id == report.id)):
            raise ServiceError(409, "intake_report_taken")
        after = clock.today(zone, report.created_at)
    _dated("opened_on", opened_on, today=today, after=after)
    _on_roster(session, id_number)
    if session.scalar(select(IntakeApplication.id).where(IntakeApplication.id_number == id_number,
                                                          IntakeApplication.status.in_(OPEN))):
        raise ServiceError(409, "intake_duplicate", errors={"id_number": ["an application is open"]})
    app = IntakeApplication(township_id=township_of(session, village).id, village_id=village.id,
                            field_report_id=field_report_id, name=name, id_number=id_number, address=address,
                            phone=phone, note=note, opened_on=opened_on, opened_by=actor.user.id)
    session.add(app)
    session.flush()
    audit.record(session, actor=actor, action="open", entity=ENTITY, entity_id=app.id,
                 detail={"opened_on": opened_on.isoformat(), "field_report_id": field_report_id})
    return app


# ---- 入户调查 ---------------------------------------------------------------------------------

def investigate(session: Session, *, actor: Actor, today: date, application_id: int, assessment: dict) -> IntakeApplication:
    """Record the 入户调查 with annex 3's assessment (seed 001 §二(一)3: 在入户调查过程中…进行评估);
    done again before the decision, it replaces the last one."""
    app = _application(session, actor, application_id)
    _at(app, "investigating", "deciding")
    day = assessment["assessed_on"]
    _dated("assessed_on", day, today=today, after=app.opened_on)
    app.investigated_on, app.investigated_by = day, actor.user.id
    app.assessment = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in assessment.items()
                      if k not in ("client_id", "person_id")}
    app.status = "deciding"
    _changed(session, actor, app, "investigate", {"assessed_on": day.isoformat(), "overall": assessment["overall"]})
    return app


# ---- the decision (审核确认) ------------------------------------------------------------------

def decide(session: Session, *, actor: Actor, today: date, application_id: int, decision: str, decided_on: date,
           reason: str, publicity_from: date | None = None) -> IntakeApplication:
    """The township decides. Approved, the application is posted (张榜公示, seed 004 item 20) from
    ``publicity_from`` (the decision's day unless given) for the district's number of days."""
    app = _application(session, actor, application_id)
    if app.status == "investigating":
        raise ServiceError(409, "intake_assessment_missing")
    _at(app, "deciding")
    _dated("decided_on", decided_on, today=today, after=app.investigated_on)
    app.decision, app.decided_on, app.decided_by, app.decision_reason = decision, decided_on, actor.user.id, reason
    detail = {"decision": decision, "decided_on": decided_on.isoformat()}
    if decision == "refused":
        app.status = "refused"
    else:
        days = policy(session).publicity_days
        if days is None:
            raise ServiceError(409, "intake_publicity_unset")
        start = publicity_from or decided_on
        _dated("publicity_from", start, today=today, after=decided_on)
        app.publicity_from, app.publicity_days = start, days
        app.publicity_until = start + timedelta(days=days - 1)
        app.status = "publicising"
        detail |= {"publicity_from": start.isoformat(), "publicity_days": days}
    _changed(session, actor, app, "decide", detail)
    return app


# ---- objections during the 公示 ---------------------------------------------------------------

def raise_objection(session: Session, *, actor: Actor, today: date, application_id: int, raised_on: date,
                    content: str, objector: str | None = None) -> IntakeApplication:
    """An objection (接受群众监督) stops the listing: no placement until staff decide it."""
    app = _application(session, actor, application_id)
    _at(app, "publicising")
    _dated("raised_on", raised_on, today=today, after=app.publicity_from)
    objection = IntakeObjection(application_id=app.id, raised_on=raised_on, objector=objector, content=content,
                                recorded_by=actor.user.id)
    session.add(objection)
    app.status = "objected"
    session.flush()
    _changed(session, actor, app, "objection", {"objection_id": objection.id, "raised_on": raised_on.isoformat()})
    return app


def decide_objection(session: Session, *, actor: Actor, today: date, application_id: int, decided_on: date,
                     outcome: str, finding: str) -> IntakeApplication:
    """Dismissed: the listing resumes for the days it had left when the objection came. Upheld:
    the application is refused, the finding its reason."""
    app = _application(session, actor, application_id)
    _at(app, "objected")
    objection = session.scalar(select(IntakeObjection).where(IntakeObjection.application_id == app.id,
                                                             IntakeObjection.outcome.is_(None)))
    _dated("decided_on", decided_on, today=today, after=objection.raised_on)
    objection.outcome, objection.decided_on, objection.decided_by, objection.finding = (
        outcome, decided_on, actor.user.id, finding)
    session.add(objection)
    if outcome == "upheld":
        app.status = "refused"
    else:
        left = max(0, (app.publicity_until - objection.raised_on).days + 1)
        app.publicity_until = max(app.publicity_until, decided_on + timedelta(days=left))
        app.status = "publicising"
    _changed(session, actor, app, "objection_decided", {"objection_id": objection.id, "outcome": outcome,
                                                        "decided_on": decided_on.isoformat()})
    return app


# ---- on the roster ---------------------------------------------------------------------------

def place(session: Session, *, actor: Actor, today: date, application_id: int, placement: str, placed_on: date,
          alert_settings: AlertSettings, care_home_id: int | None = None) -> IntakeApplication:
    """Put the applicant on the roster once the 公示 is over: the person (纳入日期 = the decision's
    day), their first annex 3 assessment (the 入户调查's), and — in a care home — the move there.
    At home, a care agreement is the next thing to sign. Someone the 入户调查 found 不适合分散供养
    (overall 差) goes to a care home (seed 001 §二(一)3: 审批后及时纳入到敬老院集中供养)."""
    app = _application(session, actor, application_id)
    _at(app, "publicising")
    if step_of(app, today) != "placing":
        raise ServiceError(409, "intake_publicity_running", until=app.publicity_until.isoformat())
    _dated("placed_on", placed_on, today=today, after=app.publicity_until + timedelta(days=1))
    found = dict(app.assessment)
    if placement == "home" and found["overall"] == "bad":
        raise ServiceError(409, "intake_needs_care_home", errors={"placement": ["overall 差: a care home"]})
    if placement == "care_home" and care_home_id is None:
        # the home itself (found, a bed free) is care.centralise's to check, below: an error there
        # rolls the whole placement back
        raise ServiceError(422, "validation", errors={"care_home_id": ["required for a care home"]})
    _on_roster(session, app.id_number)
    person = people.create_person(
        session, actor=actor, today=today, name=app.name, sex=idnumber.sex(app.id_number),
        birth_date=idnumber.birth_date(app.id_number), id_number=app.id_number,
        self_care_level=found["self_care_level"], village_id=app.village_id, address=app.address, phone=app.phone,
        enrolled_on=app.decided_on)
    found["assessed_on"] = app.investigated_on
    assessments.create(session, actor=actor, person_id=person.id, settings=alert_settings, today=today, **found)
    if placement == "care_home":
        care.centralise(session, actor=actor, person_id=person.id, care_home_id=care_home_id, today=today,
                        decided_on=placed_on)
    app.placement, app.placed_on, app.placed_by, app.care_home_id = placement, placed_on, actor.user.id, care_home_id
    app.person_id, app.status = person.id, "enrolled"
    _changed(session, actor, app, "place", {"placement": placement, "placed_on": placed_on.isoformat(),
                                            "care_home_id": care_home_id})
    return app


# ---- reading ---------------------------------------------------------------------------------

def view(session: Session, app: IntakeApplication, *, today: date) -> dict:
    village = session.get(Place, app.village_id)
    objections = session.scalars(select(IntakeObjection).where(IntakeObjection.application_id == app.id)
                                 .order_by(IntakeObjection.id)).all()
    home = session.get(CareHome, app.care_home_id) if app.care_home_id else None
    return {**app.model_dump(exclude={"id_number"}), "id_number_masked": idnumber.mask(app.id_number),
            "sex": idnumber.sex(app.id_number), "birth_date": idnumber.birth_date(app.id_number),
            "village_name": village.name, "step": step_of(app, today),
            "care_home_name": home.name if home else None,
            "objections": [o.model_dump() for o in objections]}


def get_application(session: Session, *, actor: Actor, application_id: int, today: date) -> dict:
    app = _application(session, actor, application_id)
    audit.record(session, actor=actor, action="read", entity=ENTITY, entity_id=app.id, person_id=app.person_id)
    return view(session, app, today=today)


def list_applications(session: Session, *, actor: Actor, today: date, page: Page,
                      step: str | None = None) -> tuple[list[dict], str | None]:
    """The actor's area's applications, the open ones first, newest first, a page at a time;
    ``step``: one step's. Returns the page and the next page's cursor."""
    _staff(actor)
    still_open = sa.case((IntakeApplication.status.in_(("enrolled", "refused")), 0), else_=1)
    stmt = (select(IntakeApplication, Place.name, still_open.label("still_open"))
            .join(Place, Place.id == IntakeApplication.village_id))
    if not roles.is_district_admin(actor.user):
        stmt = stmt.where(places.subtree_filter(home_place(session, actor.user)))
    if step is not None:
        stmt = stmt.where(at_step(step, today))
    found, after = split(session.execute(select_page(stmt, page, order=[still_open, IntakeApplication.id],
                                                     descending=True)).all(), page,
                         lambda r: (r.still_open, r[0].id))
    rows = [{"id": app.id, "name": app.name, "id_number_masked": idnumber.mask(app.id_number),
             "village_name": village, "step": step_of(app, today), "opened_on": app.opened_on,
             "publicity_until": app.publicity_until, "person_id": app.person_id}
            for app, village, _ in found]
    # an applicant's name is theirs as much as a person's on the roster: each list that shows one is in the trail
    audit.record_many(session, actor=actor, entries=[
        {"action": "list", "entity": ENTITY, "entity_id": r["id"], "person_id": r["person_id"]} for r in rows])
    return rows, after
