"""Care agreements: one active caregiver per person, ended rather than deleted."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from server import clock
from server.alerts import rules
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.care.models import CareAgreement, CareHome
from server.db import among, insert_models, json_object
from server.errors import ServiceError
from server.messages import text
from server.paging import Page, select_page, split
from server.people import service as people
from server.people.models import Person
from server.places import policy
from server.places.models import Place


@people.sees_persons(roles.CAREGIVER)
def _caregiver_sees(session: Session, user: User):
    """A caregiver sees the persons of their active agreements."""
    return exists().where(CareAgreement.person_id == Person.id, CareAgreement.caregiver_id == user.id,
                          CareAgreement.status == "active")


@people.tells_caregivers
def active_caregivers(session: Session, person_ids: list[int]) -> dict[int, dict]:
    """Person id → the caregiver of their active agreement (id, name, phone, relation, agreement)."""
    caregivers = {}
    rows = session.execute(
        select(CareAgreement.person_id, CareAgreement.id, CareAgreement.relation, User.id, User.display_name,
               User.phone)
        .join(User, User.id == CareAgreement.caregiver_id)
        .where(CareAgreement.person_id.in_(person_ids), CareAgreement.status == "active")
    )
    for person_id, agreement_id, relation, user_id, name, phone in rows:
        caregivers[person_id] = {"agreement_id": agreement_id, "id": user_id, "display_name": name,
                                 "relation": relation, "phone": phone}
    return caregivers


def _visible(session: Session, user: User):
    stmt = select(CareAgreement).order_by(CareAgreement.id)
    if roles.is_caregiver(user):
        return stmt.where(CareAgreement.caregiver_id == user.id)
    if not roles.is_staff(user):
        raise ServiceError(403, "forbidden_role")
    persons = people.visible(session, user).with_only_columns(Person.id)
    return stmt.where(CareAgreement.person_id.in_(persons))


def list_agreements(session: Session, *, actor: Actor, person_id: int | None = None, caregiver_id: int | None = None,
                    status: str | None = None, page: Page = Page()) -> tuple[list[CareAgreement], str | None]:
    stmt = _visible(session, actor.user)
    if person_id is not None:
        stmt = stmt.where(CareAgreement.person_id == person_id)
    if caregiver_id is not None:
        stmt = stmt.where(CareAgreement.caregiver_id == caregiver_id)
    if status:
        stmt = stmt.where(CareAgreement.status == status)
    rows, after = split(list(session.scalars(select_page(stmt, page, order=[CareAgreement.id]))), page,
                        lambda a: (a.id,))
    audit.record_person_reads(session, actor=actor, person_ids=[a.person_id for a in rows], action="list_agreements")
    return rows, after


def caregiver_can_serve(session: Session, caregiver_id: int) -> bool:
    """The user is a caregiver whose login is active: one who may be under agreement."""
    caregiver = session.get(User, caregiver_id)
    return caregiver is not None and roles.is_caregiver(caregiver) and caregiver.is_active


def create_agreement(session: Session, *, actor: Actor, person_id: int, caregiver_id: int, relation: str,
                     signed_on: date, start_on: date, today: date) -> CareAgreement:
    person = people.managed_person(session, actor, person_id)
    if person.status != "active" or person.support_mode != "decentralised":
        raise ServiceError(409, "person_not_active")
    caregiver = session.get(User, caregiver_id)
    if caregiver is None:
        raise ServiceError(404, "caregiver_not_found")
    if not caregiver_can_serve(session, caregiver_id):
        raise ServiceError(422, "not_a_caregiver", errors={"caregiver_id": ["not an active caregiver"]})
    if not policy.manages_place(session, actor.user, session.get(Place, caregiver.place_id)):
        raise ServiceError(403, "user_out_of_scope")
    if signed_on > today:
        raise ServiceError(422, "date_in_future", errors={"signed_on": ["cannot be in the future"]})
    if session.scalar(select(CareAgreement.id).where(CareAgreement.person_id == person.id, CareAgreement.status == "active")):
        raise ServiceError(409, "agreement_exists")
    agreement = CareAgreement(person_id=person.id, caregiver_id=caregiver.id, relation=relation, signed_on=signed_on,
                              start_on=start_on, created_by=actor.user.id)
    try:
        with session.begin_nested():
            session.add(agreement)
    except IntegrityError:
        # Another request signed an agreement for this person between our check and our insert.
        raise ServiceError(409, "agreement_exists") from None
    audit.record(session, actor=actor, action="create", entity="agreement", entity_id=agreement.id, person_id=person.id,
                 detail={"caregiver_id": caregiver.id})
    return agreement


def sign_agreements(session: Session, *, actor: Actor, today: date, agreements: list[dict]) -> list[int]:
    """``create_agreement`` for a batch (a roster import): each is {person_id, caregiver_id,
    relation, signed_on, start_on}; the same rules, checked for the batch at once, and one INSERT."""
    if not agreements:
        return []
    person_ids = [a["person_id"] for a in agreements]
    caregiver_ids = list({a["caregiver_id"] for a in agreements})
    # by place: how many were found, how many may not sign (the batch's 500 rows stay in the database)
    by_village = session.execute(
        select(Person.village_id, sa.func.count(), sa.func.sum(sa.case(
            (sa.and_(Person.status == "active", Person.support_mode == "decentralised"), 0), else_=1)))
        .where(among(session, Person.id, person_ids)).group_by(Person.village_id)).all()
    if sum(n for _, n, _ in by_village) != len(set(person_ids)):
        raise ServiceError(404, "person_not_found")
    by_home = session.execute(
        select(User.place_id, sa.func.count(), sa.func.sum(sa.case(
            (sa.and_(User.role == roles.CAREGIVER, User.is_active), 0), else_=1)))
        .where(among(session, User.id, caregiver_ids)).group_by(User.place_id)).all()
    if sum(n for _, n, _ in by_home) != len(caregiver_ids):
        raise ServiceError(404, "caregiver_not_found")
    if any(bad for _, _, bad in by_village):
        raise ServiceError(409, "person_not_active")
    if any(bad for _, _, bad in by_home):
        raise ServiceError(422, "not_a_caregiver", errors={"caregiver_id": ["not an active caregiver"]})
    villages = {v for v, _, _ in by_village}
    homes = {h for h, _, _ in by_home}
    for place in session.scalars(select(Place).where(Place.id.in_(villages | homes))):
        if not policy.manages_place(session, actor.user, place):
            raise ServiceError(403, "person_out_of_scope" if place.id in villages else "user_out_of_scope")
    if any(a["signed_on"] > today for a in agreements):
        raise ServiceError(422, "date_in_future", errors={"signed_on": ["cannot be in the future"]})
    if len(set(person_ids)) != len(person_ids) or session.scalar(select(CareAgreement.id).where(
            among(session, CareAgreement.person_id, person_ids), CareAgreement.status == "active").limit(1)):
        raise ServiceError(409, "agreement_exists")
    try:
        with session.begin_nested():
            ids = insert_models(session, CareAgreement, [
                {"person_id": a["person_id"], "caregiver_id": a["caregiver_id"], "relation": a["relation"],
                 "signed_on": a["signed_on"], "start_on": a["start_on"], "created_by": actor.user.id}
                for a in agreements], key="person_id")
    except IntegrityError:
        raise ServiceError(409, "agreement_exists") from None
    audit.record_selected(session, actor=actor, action="create", entity="agreement", rows=select(
        CareAgreement.id, CareAgreement.person_id, json_object(caregiver_id=CareAgreement.caregiver_id))
        .where(among(session, CareAgreement.id, ids)))
    return ids


def end_agreement(session: Session, *, actor: Actor, agreement_id: int, today: date, end_on: date | None = None,
                  end_reason: str | None = None, alert_settings=None, raise_no_caregiver: bool = True) -> CareAgreement:
    agreement = session.get(CareAgreement, agreement_id)
    if agreement is None:
        raise ServiceError(404, "agreement_not_found")
    people.managed_person(session, actor, agreement.person_id)
    if agreement.status == "ended":
        raise ServiceError(409, "agreement_ended")
    end_on = end_on or today
    if end_on < agreement.start_on:
        raise ServiceError(422, "end_before_start", errors={"end_on": ["before start_on"]})
    agreement.status = "ended"
    agreement.end_on = end_on
    agreement.end_reason = end_reason
    session.add(agreement)
    session.flush()
    audit.record(session, actor=actor, action="end", entity="agreement", entity_id=agreement.id,
                 person_id=agreement.person_id, detail={"end_on": end_on.isoformat(), "reason": end_reason})
    person = session.get(Person, agreement.person_id)
    if raise_no_caregiver and person.status == "active" and alert_settings is not None:
        rules.raise_findings(session, rules.on_no_caregiver(person_id=person.id, person_name=person.name,
                                                           since=end_on.isoformat()),
                             person_id=person.id, village_id=person.village_id, settings=alert_settings)
    return agreement


def care_homes(session: Session, *, actor: Actor) -> list[CareHome]:
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    return list(session.scalars(select(CareHome).order_by(CareHome.seq, CareHome.id)))


def centralise(session: Session, *, actor: Actor, person_id: int, care_home_id: int, today: date,
               decided_on: date | None = None, note: str | None = None) -> Person:
    """Staff decide to move a person into a care home (seed 001 §二(一)2): the person becomes
    centrally supported there, the caregiver agreement ends, the recommendations are resolved."""
    from server.alerts.models import Alert
    from server.alerts.service import note_required, resolve

    person = people.managed_person(session, actor, person_id)
    if person.status != "active" or person.support_mode != "decentralised":
        raise ServiceError(409, "person_not_active")
    home = session.get(CareHome, care_home_id)
    if home is None:
        raise ServiceError(404, "care_home_not_found")
    decided_on = decided_on or today
    for agreement in session.scalars(select(CareAgreement).where(CareAgreement.person_id == person.id,
                                                                 CareAgreement.status == "active")):
        end_agreement(session, actor=actor, agreement_id=agreement.id, today=today, end_on=max(decided_on, agreement.start_on),
                      end_reason=text("agreement.end.care_home"), raise_no_caregiver=False)
    person.status, person.support_mode, person.care_home_id = "centralised", "centralised", home.id
    person.updated_at = clock.now()
    home.residents += 1
    session.add_all([person, home])
    for alert in session.scalars(select(Alert).where(Alert.person_id == person.id, Alert.status != "resolved")):
        # the move answers what is open about the person, but not a relief's 补充说明 still owed, nor a
        # complaint that needs a written finding when the decision gives none: those stay with staff
        if alert.detail.get("closed_by") or (note_required(alert, "moved_to_care_home") and not note):
            continue
        resolve(session, actor=actor, alert_id=alert.id, outcome="moved_to_care_home", note=note)
    audit.record(session, actor=actor, action="centralise", entity="person", entity_id=person.id, person_id=person.id,
                 detail={"care_home_id": home.id, "decided_on": decided_on.isoformat(), "note": note})
    session.flush()
    return person


def names_for(session: Session, agreements: list[CareAgreement]) -> tuple[dict[int, str], dict[int, str]]:
    person_ids = {a.person_id for a in agreements}
    user_ids = {a.caregiver_id for a in agreements}
    persons = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(person_ids))).all()) if person_ids else {}
    users = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    return persons, users
