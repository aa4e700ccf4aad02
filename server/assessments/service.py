"""Assessments on seed 001 annex 3's form: history per person, the township's table for export."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from server import clock
from server.alerts import rules
from server.alerts.models import Alert
from server.alerts.service import AlertSettings, resolve
from server.assessments.models import Assessment
from server.audit import service as audit
from server.auth.actor import Actor
from server.errors import ServiceError
from server.messages import text
from server.people import service as people
from server.people.models import Person
from server.places import service as places
from server.places.models import Place
from server.places.policy import managed_place
from server.timeutil import age_on

# Annex 3's column headers, as printed.
ANNEX3_HEADERS = ["序号", "村/居委会", "姓名", "性别", "年龄", "监护人/护理人姓名", "监护人/护理人年龄",
                  "监护人/护理人与被监护人关系", "自理情况：失能、半失能、自理", "住房情况：自有、借住、幸福院",
                  "居住环境：整洁干净、一般、脏乱差", "生活质量：较好、一般、较差", "护理情况：较好、一般、较差",
                  "生病是否能得到及时救治", "特困供养费是否由本人支配", "是否存在侵占特困供养人员合法权益",
                  "评估结果：较好、较差、差", "备注"]
LABELS = {
    "self_care_level": {"self_care": "自理", "partly_disabled": "半失能", "fully_disabled": "失能"},
    "housing": {"own": "自有", "borrowed": "借住", "group_home": "幸福院"},
    "living_environment": {"clean": "整洁干净", "fair": "一般", "dirty": "脏乱差"},
    "quality": {"good": "较好", "fair": "一般", "poor": "较差"},
    "overall": {"good": "较好", "poor": "较差", "bad": "差"},
    "sex": {"M": "男", "F": "女"},
}


def _yn(value: bool) -> str:
    return "是" if value else "否"


def create(session: Session, *, actor: Actor, person_id: int, settings: AlertSettings, today: date,
           client_id: str | None = None, wishes_centralised: bool | None = None, **data) -> Assessment:
    """Record an assessment. One filled in the field carries the phone's ``client_id``: its resend
    from the outbox returns the stored one. ``wishes_centralised`` (集中供养意愿), when asked, is
    recorded on the person."""
    if client_id is not None:
        existing = session.scalar(select(Assessment).where(Assessment.client_id == client_id))
        if existing is not None:
            if (existing.person_id, existing.assessor_id) != (person_id, actor.user.id):
                raise ServiceError(422, "client_id_conflict", errors={"client_id": ["already used"]})
            return existing
    person = people.managed_person(session, actor, person_id)
    if data["assessed_on"] > today:
        raise ServiceError(422, "date_in_future", errors={"assessed_on": ["cannot be in the future"]})
    assessment = Assessment(person_id=person.id, assessor_id=actor.user.id, client_id=client_id, **data)
    session.add(assessment)
    session.flush()
    # the assessment sets the level on record, and is the reassessment any alert asked for
    person.self_care_level, person.updated_at = assessment.self_care_level, clock.now()
    if wishes_centralised is not None:
        person.wishes_centralised, person.wishes_centralised_on = wishes_centralised, assessment.assessed_on
    session.add(person)
    for due in session.scalars(select(Alert).where(Alert.person_id == person.id, Alert.kind == "reassessment_due",
                                                   Alert.status != "resolved")):
        resolve(session, actor=actor, alert_id=due.id, outcome="other",
                note=text("alert.note.assessment", id=assessment.id))
    rules.raise_findings(session, rules.on_assessment(assessment_id=assessment.id, person_name=person.name,
                                                      overall=assessment.overall,
                                                      rights_infringed=assessment.rights_infringed,
                                                      subsidy_self_controlled=assessment.subsidy_self_controlled,
                                                      care_quality=assessment.care_quality,
                                                      quality_of_life=assessment.quality_of_life,
                                                      living_environment=assessment.living_environment,
                                                      lives_alone="lives_alone" in (person.risk_flags or []),
                                                      wishes_centralised=wishes_centralised and person.status == "active",
                                                      person_id=person.id, assessed_on=assessment.assessed_on.isoformat()),
                         person_id=person.id, village_id=person.village_id, settings=settings)
    audit.record(session, actor=actor, action="create", entity="assessment", entity_id=assessment.id,
                 person_id=person.id, detail={"overall": assessment.overall})
    session.flush()
    return assessment


def history(session: Session, *, actor: Actor, person_id: int) -> list[Assessment]:
    person = people.managed_person(session, actor, person_id)
    audit.record(session, actor=actor, action="read_assessments", entity="person", entity_id=person.id,
                 person_id=person.id)
    return list(session.scalars(select(Assessment).where(Assessment.person_id == person_id)
                                .order_by(Assessment.assessed_on.desc(), Assessment.id.desc())))


def annex3_rows(session: Session, *, actor: Actor, place_id: int) -> tuple[str, list[list]]:
    """The latest assessment of every person under a place, as annex 3's rows."""
    place = managed_place(session, actor.user, place_id)
    latest = (select(Assessment.person_id, func.max(Assessment.id).label("id"))
              .group_by(Assessment.person_id).subquery())
    rows = session.execute(
        select(Assessment, Person, Place.name)
        .join(latest, latest.c.id == Assessment.id)
        .join(Person, Person.id == Assessment.person_id)
        .join(Place, Place.id == Person.village_id)
        .where(places.subtree_filter(place))
        .order_by(Place.name, Person.name)
    ).all()
    out = []
    for n, (a, p, village) in enumerate(rows, start=1):
        q = LABELS["quality"]
        out.append([n, village, p.name, LABELS["sex"][p.sex], age_on(p.birth_date, a.assessed_on), a.guardian_name or "",
                    a.guardian_age or "", a.guardian_relation or "", LABELS["self_care_level"][a.self_care_level],
                    LABELS["housing"][a.housing], LABELS["living_environment"][a.living_environment],
                    q[a.quality_of_life], q[a.care_quality], _yn(a.treated_promptly), _yn(a.subsidy_self_controlled),
                    _yn(a.rights_infringed), LABELS["overall"][a.overall], a.remarks or ""])
    audit.record_person_reads(session, actor=actor, person_ids=[p.id for _, p, _ in rows], action="export_annex3")
    return place.name, out


def levels_on(session: Session, person_ids: list[int], day: date) -> dict[int, str]:
    """Each person's self-care level on ``day``: their latest assessment's on or before it (a person
    never assessed by then is missing; the caller falls back on the level recorded now)."""
    rows = session.execute(select(Assessment.person_id, Assessment.self_care_level)
                           .where(Assessment.person_id.in_(person_ids), Assessment.assessed_on <= day)
                           .order_by(Assessment.assessed_on, Assessment.id))
    return dict(rows.all())  # the last of a person's rows wins: their latest
