"""Reports from the field (issue 15 part 4): 主动发现 (seed 004 item 17 — grid workers, caregivers
and volunteers find people in need; 服务找人), a major change in a person's life, or a complaint
(seed 001 §四(四) 公众举报; §二(一) rights infringed, the subsidy not controlled by the person, a
caregiver not caring). Each becomes an alert to the township — its SLA, escalation and outcome
are the alert's — and whoever reported it hears the outcome.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from server.activities.service import volunteer_townships
from server.alerts import service as alerts
from server.alerts.models import Alert
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.care.models import CareAgreement
from server.casework.models import REPORT_SUBJECTS, FieldReport
from server.errors import ServiceError
from server.messages import text
from server.notify import service as notify
from server.people import service as people
from server.places.models import Place
from server.places.policy import home_place, manages_place, township_of

# A person may be in danger: the township hears at once, on the urgent SLA.
URGENT_SUBJECTS = ("needs_help", "death", "rights_infringed")


def _may_report_in(session: Session, actor: Actor, village: Place) -> bool:
    """Where a reporter may name someone not on the roster: staff in their area; a volunteer in
    their team's township; a caregiver in the township they live in."""
    user = actor.user
    if roles.is_staff(user):
        return manages_place(session, user, village)
    if roles.is_volunteer(user):
        townships = volunteer_townships(session, user)
    else:
        home = township_of(session, home_place(session, user))
        townships = [home.id] if home else []
    return any(village.path.startswith(session.get(Place, t).path) for t in townships)


def create(session: Session, *, actor: Actor, client_id: str, category: str, subject: str, description: str,
           settings: alerts.AlertSettings, person_id: int | None = None, person_name: str | None = None,
           village_id: int | None = None, now: datetime | None = None) -> tuple[FieldReport, bool]:
    """Store a report and raise its alert; returns (report, created). A resend of a stored report
    (same ``client_id``, same reporter and content) returns it unchanged."""
    existing = session.scalar(select(FieldReport).where(FieldReport.client_id == client_id))
    if existing is not None:
        if (existing.reporter_id, existing.category, existing.subject, existing.person_id, existing.description) != (
                actor.user.id, category, subject, person_id, description):
            raise ServiceError(422, "client_id_conflict", errors={"client_id": ["already used"]})
        return existing, False
    if subject not in REPORT_SUBJECTS[category]:
        raise ServiceError(422, "report_subject_mismatch", errors={"subject": [f"not a subject of {category}"]})
    caregiver_id = None
    if person_id is not None:
        person = people.visible_person(session, actor, person_id)
        village = session.get(Place, person.village_id)
        name = person.name
        if subject == "caregiver_not_caring":
            caregiver_id = session.scalar(select(CareAgreement.caregiver_id).where(
                CareAgreement.person_id == person.id, CareAgreement.status == "active"))
            if caregiver_id is None:
                raise ServiceError(422, "report_no_caregiver", errors={"person_id": ["no active care agreement"]})
    else:
        # only someone in need may be reported before they are on the roster
        if category != "needs_help" or not person_name or village_id is None:
            raise ServiceError(422, "report_person_required", errors={"person_id": ["required"]})
        village = session.get(Place, village_id)
        if village is None or village.level != "village":
            raise ServiceError(422, "report_village_required", errors={"village_id": ["a village"]})
        if not _may_report_in(session, actor, village):
            raise ServiceError(403, "place_out_of_scope")
        name = person_name
    report = FieldReport(client_id=client_id, reporter_id=actor.user.id, category=category, subject=subject,
                         person_id=person_id, person_name=None if person_id else person_name, village_id=village.id,
                         caregiver_id=caregiver_id, description=description, **({"created_at": now} if now else {}))
    session.add(report)
    session.flush()
    title = text(f"report.{subject}", name=name, village=village.name)
    about_caregiver = subject == "caregiver_not_caring"
    alert, _ = alerts.raise_alert(
        session, kind="field_report", township_id=village.parent_id, person_id=person_id, title=title,
        dedupe_key=f"report:{report.id}", settings=settings,
        severity="urgent" if subject in URGENT_SUBJECTS else "normal", now=now,
        detail={"summary": f"{title}：{description}", "report_id": report.id, "category": category, "subject": subject,
                "reported_by": actor.user.id, "village_id": village.id,
                # a complaint about a caregiver: the district sees it from the start, and it is
                # closed only with a written finding
                **({"caregiver_id": caregiver_id, "note_required": True, "district_visible": True}
                   if about_caregiver else {})})
    if about_caregiver:
        notify.notify(session, user_ids=alerts.district_admins(session), kind="complaint", title=title,
                      body=description, dedupe_key=f"alert:{alert.id}:district-complaint", url=f"/#/alerts/{alert.id}",
                      alert_id=alert.id, now=now)
    report.alert_id = alert.id
    session.add(report)
    audit.record(session, actor=actor, action="report", entity="field_report", entity_id=report.id, person_id=person_id,
                 detail={"category": category, "subject": subject})
    session.flush()
    return report, True


def mine(session: Session, *, actor: Actor, limit: int = 50) -> list[dict]:
    """The reporter's own reports, newest first, with how each stands: what they wrote, the
    task's status and its outcome — not the staff's notes."""
    rows = session.execute(
        select(FieldReport, Alert.title, Alert.status, Alert.outcome, Alert.resolved_at, Place.name)
        .join(Alert, Alert.id == FieldReport.alert_id)
        .join(Place, Place.id == FieldReport.village_id)
        .where(FieldReport.reporter_id == actor.user.id)
        .order_by(FieldReport.id.desc()).limit(limit)).all()
    return [{**r.model_dump(), "title": title, "status": status, "outcome": outcome, "resolved_at": resolved_at,
             "village_name": village} for r, title, status, outcome, resolved_at, village in rows]
