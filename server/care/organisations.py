"""供养服务机构、社会组织 as caregivers (seed 002 item 5: 照料护理补贴 go 向委托照料人或承担照料服务职责的
供养服务机构、社会组织; seed 004 item 21: 政府购买服务 for 访视、照料). An organisation holds a care
agreement the way a caregiver does, one holder per person; its staff are caregiver logins created in
the app (``server.users.service.create_user`` with ``organisation_id``), each of whom sees the persons
of the organisation's active agreements and checks in for them (``checkin_tie``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import bindparam, select
from sqlmodel import Session

from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.care.models import CareAgreement, CareOrganisation, OrganisationMember
from server.errors import ServiceError
from server.people.models import Person
from server.places import policy
from server.places.models import Place

EDITABLE = ("name", "kind", "contact_name", "phone", "is_active")


def _scope(session: Session, user: User):
    """A select of the organisations ``user`` (staff) may see: a district admin all; township
    staff those of their township and those the district registered for every township."""
    stmt = select(CareOrganisation).order_by(CareOrganisation.name)
    if roles.is_district_admin(user):
        return stmt
    if not roles.is_township_staff(user):
        raise ServiceError(403, "forbidden_role")
    home = policy.home_place(session, user)
    above = [int(p) for p in home.path.strip("/").split("/") if p]
    return stmt.where(CareOrganisation.place_id.in_(above))


def visible_organisation(session: Session, *, actor: Actor, organisation_id: int) -> CareOrganisation:
    organisation = session.scalar(_scope(session, actor.user).where(CareOrganisation.id == organisation_id))
    if organisation is None:
        raise ServiceError(404, "organisation_not_found")
    return organisation


def list_organisations(session: Session, *, actor: Actor) -> list[dict]:
    """The organisations a staff member sees, each with how many staff logins and active agreements."""
    return with_counts(session, list(session.scalars(_scope(session, actor.user))))


def with_counts(session: Session, rows: list[CareOrganisation]) -> list[dict]:
    """Each organisation with how many staff logins and active agreements it has."""
    ids = [o.id for o in rows]
    staff = dict(session.execute(select(OrganisationMember.organisation_id, sa.func.count())
                                 .where(OrganisationMember.organisation_id.in_(ids))
                                 .group_by(OrganisationMember.organisation_id)).all()) if ids else {}
    held = dict(session.execute(select(CareAgreement.organisation_id, sa.func.count())
                                .where(CareAgreement.organisation_id.in_(ids), CareAgreement.status == "active")
                                .group_by(CareAgreement.organisation_id)).all()) if ids else {}
    return [{**o.model_dump(), "staff_count": staff.get(o.id, 0), "agreement_count": held.get(o.id, 0)}
            for o in rows]


def _place(session: Session, actor: Actor, place_id: int) -> Place:
    place = session.get(Place, place_id)
    if place is None:
        raise ServiceError(404, "place_not_found")
    if place.level not in ("township", "district"):
        raise ServiceError(422, "organisation_place", errors={"place_id": ["a township or the district"]})
    return policy.require_manages(session, actor.user, place)


def _unique_name(session: Session, name: str, organisation_id: int | None = None) -> None:
    taken = session.scalar(select(CareOrganisation.id).where(CareOrganisation.name == name))
    if taken is not None and taken != organisation_id:
        raise ServiceError(409, "organisation_exists")


def create_organisation(session: Session, *, actor: Actor, name: str, kind: str, place_id: int,
                        contact_name: str | None = None, phone: str | None = None) -> CareOrganisation:
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    _place(session, actor, place_id)
    _unique_name(session, name)
    organisation = CareOrganisation(name=name, kind=kind, place_id=place_id, contact_name=contact_name, phone=phone,
                                    created_by=actor.user.id)
    session.add(organisation)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="organisation", entity_id=organisation.id,
                 detail={"name": name, "kind": kind, "place_id": place_id})
    return organisation


def update_organisation(session: Session, *, actor: Actor, organisation_id: int, **changes) -> CareOrganisation:
    """Change an organisation's name, kind, contact or whether it is active (one that stops takes no
    new agreements; those it holds are ended one by one, each with its reason)."""
    organisation = visible_organisation(session, actor=actor, organisation_id=organisation_id)
    policy.require_manages(session, actor.user, session.get(Place, organisation.place_id))
    changed = {k: v for k, v in changes.items() if k in EDITABLE and getattr(organisation, k) != v}
    if "name" in changed:
        _unique_name(session, changed["name"], organisation.id)
    for key, value in changed.items():
        setattr(organisation, key, value)
    session.add(organisation)
    session.flush()
    if changed:
        audit.record(session, actor=actor, action="update", entity="organisation", entity_id=organisation.id,
                     detail=changed)
    return organisation


def staff_of(session: Session, *, actor: Actor, organisation_id: int) -> list[User]:
    organisation = visible_organisation(session, actor=actor, organisation_id=organisation_id)
    return list(session.scalars(select(User).join(OrganisationMember, OrganisationMember.user_id == User.id)
                                .where(OrganisationMember.organisation_id == organisation.id).order_by(User.id)))


def enrol(session: Session, *, actor: Actor, user: User, organisation_id: int) -> None:
    """Make a new caregiver login one of an organisation's staff (``create_user`` calls it, in
    the same transaction: a login is never left half made)."""
    organisation = visible_organisation(session, actor=actor, organisation_id=organisation_id)
    if not organisation.is_active:
        raise ServiceError(409, "organisation_inactive")
    if not roles.is_caregiver(user):
        raise ServiceError(422, "not_a_caregiver", errors={"organisation_id": ["only caregiver logins"]})
    session.add(OrganisationMember(user_id=user.id, organisation_id=organisation.id))
    session.flush()
    audit.record(session, actor=actor, action="enrol", entity="organisation", entity_id=organisation.id,
                 detail={"user_id": user.id})


def member_of(user_id) -> sa.ScalarSelect:
    """The organisation a caregiver login works for, as a scalar subquery (NULL for one of none, so
    a comparison with it is never true): the one answer to "whose staff is this login"."""
    return select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user_id).scalar_subquery()


def organisation_of(session: Session, user_id: int) -> int | None:
    return session.scalar(select(member_of(user_id)))


def names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(CareOrganisation.id, CareOrganisation.name)
                                .where(CareOrganisation.id.in_(ids))).all())


def checkin_tie(person: sa.Select) -> sa.Select:
    """The caregiver's check-in statement (``server.visits.service.checks_in_by``): the person's
    active agreement with this caregiver, or with the organisation the caregiver works for."""
    return (person.add_columns(CareAgreement.id.label("agreement_id"))
            .outerjoin(CareAgreement, (CareAgreement.person_id == Person.id)
                       & (CareAgreement.status == "active")
                       & ((CareAgreement.caregiver_id == bindparam("caregiver_id"))
                          | (CareAgreement.organisation_id == member_of(bindparam("caregiver_id"))))))


def sees_condition(person_id_column, user: User):
    """The condition on a person id of the persons under an active agreement of ``user``'s
    organisation (none for a caregiver who works for none)."""
    return sa.exists().where(CareAgreement.person_id == person_id_column, CareAgreement.status == "active",
                             CareAgreement.organisation_id == member_of(user.id))
