"""Care agreements: one active caregiver per person, ended rather than deleted."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from server import clock
from server.alerts import rules
from server.alerts import service as alerts
from server.alerts.models import Alert
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.care import documents, organisations
from server.care.models import (
    DEFAULT_DISABLED_CENTRALISED_PERCENT,
    DEFAULT_OCCUPANCY_TARGET_PERCENT,
    CareAgreement,
    CareHome,
    CareHomePolicy,
    CareResidence,
)
from server.db import among, insert_models, json_object
from server.errors import ServiceError
from server.messages import text
from server.paging import Page, select_page, split
from server.people import service as people
from server.people.models import Person
from server.places import policy
from server.places import service as place_service
from server.places.models import Place, subtree_filter


@people.sees_persons(roles.CAREGIVER)
def _caregiver_sees(session: Session, user: User):
    """A caregiver sees the persons of their active agreements, and those of their organisation's."""
    return exists().where(CareAgreement.person_id == Person.id, CareAgreement.caregiver_id == user.id,
                          CareAgreement.status == "active") | organisations.sees_condition(Person.id, user)


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
        return stmt.where((CareAgreement.caregiver_id == user.id)
                          | (CareAgreement.organisation_id == organisations.member_of(user.id)))
    if not roles.is_staff(user):
        raise ServiceError(403, "forbidden_role")
    persons = people.visible(session, user).with_only_columns(Person.id)
    return stmt.where(CareAgreement.person_id.in_(persons))


def list_agreements(session: Session, *, actor: Actor, person_id: int | None = None, caregiver_id: int | None = None,
                    status: str | None = None, place_id: int | None = None, filed: bool | None = None,
                    organisation_id: int | None = None, page: Page = Page()) -> tuple[list[CareAgreement], str | None]:
    stmt = _visible(session, actor.user)
    if person_id is not None:
        stmt = stmt.where(CareAgreement.person_id == person_id)
    if caregiver_id is not None:
        stmt = stmt.where(CareAgreement.caregiver_id == caregiver_id)
    if status:
        stmt = stmt.where(CareAgreement.status == status)
    if place_id is not None:
        # by the person's village, or every village of a township
        place = policy.managed_place(session, actor.user, place_id)
        stmt = stmt.where(CareAgreement.person_id.in_(
            select(Person.id).join(Place, Place.id == Person.village_id).where(subtree_filter(place))))
    if filed is not None:
        stmt = stmt.where(CareAgreement.filed_on.is_not(None) if filed else CareAgreement.filed_on.is_(None))
    if organisation_id is not None:
        stmt = stmt.where(CareAgreement.organisation_id == organisation_id)
    rows, after = split(list(session.scalars(select_page(stmt, page, order=[CareAgreement.id]))), page,
                        lambda a: (a.id,))
    audit.record_person_reads(session, actor=actor, person_ids=[a.person_id for a in rows], action="list_agreements")
    return rows, after


def caregiver_can_serve(session: Session, caregiver_id: int) -> bool:
    """The user is a caregiver whose login is active: one who may be under agreement."""
    caregiver = session.get(User, caregiver_id)
    return caregiver is not None and roles.is_caregiver(caregiver) and caregiver.is_active


def create_agreement(session: Session, *, actor: Actor, person_id: int, caregiver_id: int, relation: str,
                     signed_on: date, start_on: date, today: date, organisation_id: int | None = None,
                     committee_signatory: str | None = None, care_content: list[str] | None = None) -> CareAgreement:
    """Sign the 三方 agreement (seed 001 二(一)1): the township (the actor), the 居（村）委会 (its
    signatory), the caregiver — or an organisation, through its staff member named as 照料人 —
    with the care content from the catalogue (by default all the person's level is owed)."""
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
    if (organisation_id is not None) != (relation == "organisation"):
        raise ServiceError(422, "organisation_relation", errors={"relation": ["organisation iff organisation_id"]})
    if organisation_id is not None:
        organisation = organisations.visible_organisation(session, actor=actor, organisation_id=organisation_id)
        if not organisation.is_active:
            raise ServiceError(409, "organisation_inactive")
        if organisations.organisation_of(session, caregiver.id) != organisation.id:
            raise ServiceError(422, "not_organisation_staff", errors={"caregiver_id": ["not on the organisation's staff"]})
    content = documents.checked_content(care_content, person.self_care_level)
    if session.scalar(select(CareAgreement.id).where(CareAgreement.person_id == person.id, CareAgreement.status == "active")):
        raise ServiceError(409, "agreement_exists")
    agreement = CareAgreement(person_id=person.id, caregiver_id=caregiver.id, relation=relation, signed_on=signed_on,
                              start_on=start_on, created_by=actor.user.id, organisation_id=organisation_id,
                              committee_signatory=(committee_signatory or "").strip() or None, care_content=content)
    try:
        with session.begin_nested():
            session.add(agreement)
    except IntegrityError:
        # Another request signed an agreement for this person between our check and our insert.
        raise ServiceError(409, "agreement_exists") from None
    audit.record(session, actor=actor, action="create", entity="agreement", entity_id=agreement.id, person_id=person.id,
                 detail={"caregiver_id": caregiver.id, "organisation_id": organisation_id,
                         "committee_signatory": agreement.committee_signatory, "care_content": content})
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
    # the care content of the catalogue for each person's level (seed 001 二(一)1), as one by one
    levels = dict(session.execute(select(Person.id, Person.self_care_level)
                                  .where(among(session, Person.id, person_ids))).all())
    try:
        with session.begin_nested():
            ids = insert_models(session, CareAgreement, [
                {"person_id": a["person_id"], "caregiver_id": a["caregiver_id"], "relation": a["relation"],
                 "signed_on": a["signed_on"], "start_on": a["start_on"], "created_by": actor.user.id,
                 "care_content": documents.default_content(levels[a["person_id"]])}
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


# --- care homes (seed 001 annex 2, 二(二)4) and the persons living in them ---------------------------

HOME_NUMBERS = ("other_residents", "staff", "head_name", "phone")  # what a home's township staff keep


def home_policy(session: Session) -> CareHomePolicy:
    """The district's care-home targets: the row a district admin saved, or the seeds' defaults."""
    return session.get(CareHomePolicy, 1) or CareHomePolicy(id=1)


def present_policy(row: CareHomePolicy, lang: str = "zh-CN") -> dict:
    """The targets with their defaults and where the defaults come from."""
    return {"occupancy_target_percent": row.occupancy_target_percent,
            "default_percent": DEFAULT_OCCUPANCY_TARGET_PERCENT,
            "source": text("care_home.policy.source", lang),
            "disabled_centralised_percent": row.disabled_centralised_percent,
            "disabled_default_percent": DEFAULT_DISABLED_CENTRALISED_PERCENT,
            "disabled_source": text("care_home.policy.disabled_source", lang),
            "is_default": row.updated_by is None, "updated_at": row.updated_at if row.updated_by else None}


def update_policy(session: Session, *, actor: Actor, occupancy_target_percent: int,
                  disabled_centralised_percent: int | None = None) -> CareHomePolicy:
    """Set the occupancy target (and the share of 失能 特困 in centralised care aimed at): district admins."""
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")
    row = home_policy(session)
    row.occupancy_target_percent = occupancy_target_percent
    if disabled_centralised_percent is not None:
        row.disabled_centralised_percent = disabled_centralised_percent
    row.updated_by, row.updated_at = actor.user.id, clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="care_home_policy",
                 detail={"occupancy_target_percent": row.occupancy_target_percent,
                         "disabled_centralised_percent": row.disabled_centralised_percent})
    return row


def target_of(beds: int, percent: int) -> int:
    """应住人数: the target share of the beds, rounded up as annex 2 prints it (60% of 24 beds → 15)."""
    return -(-beds * percent // 100)


def living_on(day: date):
    """The residences of persons living in a care home on local ``day`` (``end_on`` is their last day there)."""
    return sa.and_(CareResidence.start_on <= day, sa.or_(CareResidence.end_on.is_(None), CareResidence.end_on >= day))


def roster_residents(session: Session, *, on: date, home_id: int | None = None) -> dict[int, int]:
    """Care home id → the persons of our roster living there on ``on`` (of one home, when given)."""
    one = [CareResidence.care_home_id == home_id] if home_id is not None else []
    return dict(session.execute(select(CareResidence.care_home_id, sa.func.count())
                                .where(living_on(on), *one).group_by(CareResidence.care_home_id)).all())


def annex_row(home_id: int, h, *, roster_residents: int, percent: int, place_name: str | None) -> dict:
    """A home's line of annex 2 from its fields (a CareHome now, or a CareHomeMonth as a closed month
    wrote it): residents are the roster's living there plus those not on the roster, the target
    the share ``percent`` of its beds."""
    residents = roster_residents + h.other_residents
    target = target_of(h.beds, percent)
    return {"id": home_id, "seq": h.seq, "name": h.name, "place_id": h.place_id, "place_name": place_name,
            "beds": h.beds, "residents": residents, "roster_residents": roster_residents,
            "other_residents": h.other_residents, "target_percent": percent, "target": target,
            "still_needed": target - residents, "occupancy": round(residents / h.beds, 3) if h.beds else None,
            "staff": h.staff, "head_name": h.head_name, "phone": h.phone}


def home_rows(session: Session, *, on: date, home_id: int | None = None) -> list[dict]:
    """Every care home (or the one ``home_id``) as annex 2 counts it on ``on``: beds, residents (the
    roster's living there that day plus those not on the roster), the target under the district's
    occupancy setting, how many more reach it, staff, 负责人 and 联系电话."""
    percent = home_policy(session).occupancy_target_percent
    ours = roster_residents(session, on=on, home_id=home_id)
    one = [CareHome.id == home_id] if home_id is not None else []
    homes = session.scalars(select(CareHome).where(*one).order_by(CareHome.seq, CareHome.id)).all()
    places = place_service.names(session, (h.place_id for h in homes))
    return [annex_row(h.id, h, roster_residents=ours.get(h.id, 0), percent=percent, place_name=places.get(h.place_id))
            for h in homes]


def care_homes(session: Session, *, actor: Actor, today: date) -> list[dict]:
    """The homes as today counts them, for staff (a care home is no one's personal record)."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    return home_rows(session, on=today)


def _home(session: Session, home_id: int) -> CareHome:
    home = session.get(CareHome, home_id)
    if home is None:
        raise ServiceError(404, "care_home_not_found")
    return home


def _checked(session: Session, home: CareHome, values: dict) -> None:
    if "place_id" in values:
        place = session.get(Place, values["place_id"])
        if place is None:
            raise ServiceError(404, "place_not_found")
        if place.level not in ("district", "township"):
            raise ServiceError(422, "care_home_place", errors={"place_id": ["a township or the district"]})
    if "name" in values and session.scalar(select(CareHome.id).where(CareHome.name == values["name"],
                                                                     CareHome.id != home.id)) is not None:
        raise ServiceError(409, "care_home_exists", errors={"name": ["already used"]})


def create_home(session: Session, *, actor: Actor, **values) -> CareHome:
    """A new care home (district admins): name, township, beds, staff, 负责人, 电话."""
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")
    home = CareHome(**{"other_residents": 0, **values})
    _checked(session, home, values)
    if home.seq is None:
        home.seq = (session.scalar(select(sa.func.max(CareHome.seq))) or 0) + 1
    return _store(session, actor=actor, home=home, action="create", values=values)


def update_home(session: Session, *, actor: Actor, home_id: int, today: date, **values) -> CareHome:
    """Edit a home. District admins edit everything; the staff of the home's township keep its
    numbers (HOME_NUMBERS): residents not on the roster, staff, 负责人, 电话. Fewer beds than the
    roster's residents living there today is refused."""
    home = _home(session, home_id)
    if not roles.is_district_admin(actor.user):
        if not roles.is_township_staff(actor.user):
            raise ServiceError(403, "forbidden_role")
        if not policy.manages_place(session, actor.user, session.get(Place, home.place_id)):
            raise ServiceError(403, "care_home_out_of_scope")
        if set(values) - set(HOME_NUMBERS):
            raise ServiceError(403, "care_home_district_only",
                               errors={k: ["district admins only"] for k in set(values) - set(HOME_NUMBERS)})
    _checked(session, home, values)
    if "beds" in values and values["beds"] < roster_residents(session, on=today, home_id=home.id).get(home.id, 0):
        raise ServiceError(409, "care_home_beds_below_residents", errors={"beds": ["fewer than its residents"]})
    return _store(session, actor=actor, home=home, action="update", values=values)


def _store(session: Session, *, actor: Actor, home: CareHome, action: str, values: dict) -> CareHome:
    try:
        with session.begin_nested():
            for k, v in values.items():
                setattr(home, k, v)
            session.add(home)
    except IntegrityError:
        # another admin saved a home of that name between our check and our write
        raise ServiceError(409, "care_home_exists", errors={"name": ["already used"]}) from None
    audit.record(session, actor=actor, action=action, entity="care_home", entity_id=home.id, detail=values)
    return home


def home_detail(session: Session, *, actor: Actor, home_id: int, today: date) -> dict:
    """A home with the persons of the roster living there today (those the actor may see; the read audited)."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    home = _home(session, home_id)
    [row] = home_rows(session, on=today, home_id=home.id)
    seen = people.visible(session, actor.user).with_only_columns(Person.id)
    found = session.execute(
        select(Person, CareResidence).join(CareResidence, CareResidence.person_id == Person.id)
        .where(CareResidence.care_home_id == home_id, living_on(today), Person.id.in_(seen))
        .order_by(CareResidence.start_on, Person.name)).all()
    audit.record_person_reads(session, actor=actor, person_ids=[p.id for p, _ in found], action="care_home_residents")
    return {**row, "persons": [{"person_id": p.id, "name": p.name, "sex": p.sex, "birth_date": p.birth_date,
                                "self_care_level": p.self_care_level, "since": r.start_on, "note": r.note}
                               for p, r in found]}


def residence_of(session: Session, person_id: int) -> CareResidence | None:
    """The person's stay in a care home not yet ended, if any."""
    return session.scalar(select(CareResidence).where(CareResidence.person_id == person_id,
                                                      CareResidence.end_on.is_(None)))


def end_residence(session: Session, *, person_id: int, on: date) -> None:
    """End the person's stay in a care home on local day ``on`` (their last day there: a death, a
    leaving); nothing when they live in none. The caller audits the event that ends it."""
    stay = residence_of(session, person_id)
    if stay is None:
        return
    stay.end_on = max(on, stay.start_on)
    session.add(stay)
    session.flush()


def wish_of(session: Session, *, actor: Actor, person_id: int) -> dict:
    """A person's 集中供养意愿 and the care home they live in (staff of their place; the read audited)."""
    person = people.managed_person(session, actor, person_id)
    stay = residence_of(session, person.id)
    audit.record(session, actor=actor, action="read_wish", entity="person", entity_id=person.id, person_id=person.id)
    return {"person_id": person.id, "wishes_centralised": person.wishes_centralised,
            "wishes_centralised_on": person.wishes_centralised_on,
            "care_home_id": stay.care_home_id if stay else None, "since": stay.start_on if stay else None}


def record_wish(session: Session, *, actor: Actor, person_id: int, wishes: bool, on: date, today: date,
                alert_settings) -> Person:
    """Staff record a person's 集中供养意愿 (seed 004 item 2: 有集中供养意愿的特困人员集中供养率达到100%).
    A wish opens the township's task to move them; a wish withdrawn closes that task with the reason."""
    person = people.managed_person(session, actor, person_id)
    if on > today:
        raise ServiceError(422, "date_in_future", errors={"on": ["cannot be in the future"]})
    person.wishes_centralised, person.wishes_centralised_on, person.updated_at = wishes, on, clock.now()
    session.add(person)
    audit.record(session, actor=actor, action="wish", entity="person", entity_id=person.id, person_id=person.id,
                 detail={"wishes_centralised": wishes, "on": on.isoformat()})
    if wishes and person.status == "active" and person.support_mode == "decentralised":
        rules.raise_findings(session, rules.on_wish(person_id=person.id, person_name=person.name, on=on.isoformat()),
                             person_id=person.id, village_id=person.village_id, settings=alert_settings)
    elif not wishes:
        for task in session.scalars(select(Alert).where(Alert.person_id == person.id, Alert.kind == rules.WISH_TASK,
                                                        Alert.status != "resolved")):
            alerts.resolve(session, actor=actor, alert_id=task.id, outcome="other", note=text("alert.note.wish_withdrawn"))
    session.flush()
    return person


def centralise(session: Session, *, actor: Actor, person_id: int, care_home_id: int, today: date,
               decided_on: date | None = None, note: str | None = None) -> Person:
    """Staff move a person into a care home (seed 001 §二(一)2; seed 004 item 2): from ``decided_on``
    they live there (a ``CareResidence``) under centralised support, the caregiver agreement ends,
    what is open about them is resolved as 转入敬老院 (the wish's task among it)."""
    person = people.managed_person(session, actor, person_id)
    if person.status != "active" or person.support_mode != "decentralised":
        raise ServiceError(409, "person_not_active")
    home = _home(session, care_home_id)
    decided_on = decided_on or today
    if decided_on > today:
        raise ServiceError(422, "date_in_future", errors={"decided_on": ["cannot be in the future"]})
    if roster_residents(session, on=decided_on, home_id=home.id).get(home.id, 0) + home.other_residents >= home.beds:
        raise ServiceError(409, "care_home_full", errors={"care_home_id": ["no bed free"]})
    for agreement in session.scalars(select(CareAgreement).where(CareAgreement.person_id == person.id,
                                                                 CareAgreement.status == "active")):
        end_agreement(session, actor=actor, agreement_id=agreement.id, today=today, end_on=max(decided_on, agreement.start_on),
                      end_reason=text("agreement.end.care_home"), raise_no_caregiver=False)
    person.status, person.support_mode, person.care_home_id = "centralised", "centralised", home.id
    person.updated_at = clock.now()
    session.add(person)
    try:
        with session.begin_nested():
            session.add(CareResidence(person_id=person.id, care_home_id=home.id, start_on=decided_on, note=note,
                                      created_by=actor.user.id))
    except IntegrityError:
        # another request moved the person between our check and our insert
        raise ServiceError(409, "person_not_active") from None
    for alert in session.scalars(select(Alert).where(Alert.person_id == person.id, Alert.status != "resolved")):
        # the move answers what is open about the person, but not a relief's 补充说明 still owed, nor a
        # complaint that needs a written finding when the decision gives none: those stay with staff
        if alert.detail.get("closed_by") or (alerts.note_required(alert, "moved_to_care_home") and not note):
            continue
        alerts.resolve(session, actor=actor, alert_id=alert.id, outcome="moved_to_care_home", note=note)
    audit.record(session, actor=actor, action="centralise", entity="person", entity_id=person.id, person_id=person.id,
                 detail={"care_home_id": home.id, "decided_on": decided_on.isoformat(), "note": note})
    session.flush()
    return person


def names_for(session: Session, agreements: list[CareAgreement]) -> tuple[dict[int, str], dict[int, str]]:
    """Person id → name; user id → name (a caregiver's, and the filer's)."""
    person_ids = {a.person_id for a in agreements}
    user_ids = {a.caregiver_id for a in agreements} | {a.filed_by for a in agreements if a.filed_by}
    persons = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(person_ids))).all()) if person_ids else {}
    users = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    return persons, users
