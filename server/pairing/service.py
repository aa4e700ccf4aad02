"""结对帮扶 (seed 003): units paired with townships, cadres with persons, and the "321" rule.

District admins make units, pair them with townships and give their cadres logins; township
staff pair the cadres of the units paired with their township with the persons of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlmodel import Session

from server.audit import service as audit
from server.auth import roles
from server.auth import service as auth
from server.auth.actor import Actor
from server.auth.models import User
from server.db import count
from server.errors import ServiceError, message
from server.messages import text
from server.pairing.models import CADRE_RANKS, RULE_321, Cadre, FestivalPolicy, Pairing, PairingUnit, UnitTownship
from server.people import service as people
from server.people.models import Person
from server.places.models import Place, subtree_filter
from server.places.policy import home_place, managed_place, township_of
from server.users import service as users
from server.visits import service as visits


@visits.checks_in_by(roles.CADRE)
def _cadre_checks_in(person_stmt: sa.Select) -> sa.Select:
    """A cadre checks in under their active pairing with the person (结对帮扶, seed 003)."""
    return (person_stmt.add_columns(Pairing.id.label("pairing_id"))
            .outerjoin(Pairing, (Pairing.person_id == Person.id) & (Pairing.status == "active")
                       & Pairing.cadre_id.in_(select(Cadre.id).where(Cadre.user_id == sa.bindparam("caregiver_id")))))


@people.sees_persons(roles.CADRE)
def _cadre_sees(session: Session, user: User):
    """结对帮扶 (seed 003): a cadre sees the persons paired with them, nobody else."""
    return sa.exists().where(Pairing.person_id == Person.id, Pairing.status == "active", Pairing.cadre_id == Cadre.id,
                             Cadre.user_id == user.id)


Ranges = dict[str, tuple[int, int]]


def rule_ranges(session: Session) -> Ranges:
    """The "321" range of each rank: the district's (FestivalPolicy.rule_321), else seed 003's."""
    row = session.get(FestivalPolicy, 1)
    saved = (row.rule_321 if row is not None else None) or {}
    return {rank: tuple(saved.get(rank, RULE_321[rank])) for rank in CADRE_RANKS}


def merged_rule_ranges(session: Session, ranges: dict[str, list[int]]) -> dict[str, list[int]]:
    """The ranges a district admin sets (a rank left out keeps its own), each 1–20 persons, its
    least no more than its most: the whole set to store in FestivalPolicy.rule_321."""
    merged = {rank: list(r) for rank, r in rule_ranges(session).items()}
    for rank, span in ranges.items():
        if rank not in CADRE_RANKS or len(span) != 2 or not 1 <= span[0] <= span[1] <= 20:
            raise ServiceError(422, "rule_321_invalid", errors={"rule_321": {rank: [message("rule_321_invalid")]}})
        merged[rank] = [int(span[0]), int(span[1])]
    return merged


def rule_321(rank: str, paired: int, ranges: Ranges = RULE_321) -> str | None:
    """Where ``paired`` persons stand under the "321" rule for ``rank`` (seed 003 工作要求: 区级领导
    2–3, 处级领导 1–2, 其他干部 1; ``ranges``: the district's, rule_ranges): None within the range,
    else "under" or "over"."""
    low, high = ranges[rank]
    if paired < low:
        return "under"
    if paired > high:
        return "over"
    return None


def rule_message(*, name: str, rank: str, paired: int, lang: str = "zh-CN", ranges: Ranges = RULE_321) -> str | None:
    state = rule_321(rank, paired, ranges)
    if state is None:
        return None
    low, high = ranges[rank]
    span = str(low) if low == high else f"{low}–{high}"
    return text(f"pairing.rule.{state}", lang, name=name, rank=text(f"rank.{rank}", lang), count=paired, range=span)


# --- units -------------------------------------------------------------------------------


def _district_admin(actor: Actor) -> None:
    if not roles.is_district_admin(actor.user):
        raise ServiceError(403, "forbidden_role")


def _staff(actor: Actor) -> None:
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")


def get_unit(session: Session, unit_id: int) -> PairingUnit:
    unit = session.get(PairingUnit, unit_id)
    if unit is None:
        raise ServiceError(404, "unit_not_found")
    return unit


def _township(session: Session, actor: Actor, township_id: int) -> Place:
    place = managed_place(session, actor.user, township_id)
    if place.level != "township":
        raise ServiceError(422, "township_required", errors={"township_id": ["must be a township"]})
    return place


def create_unit(session: Session, *, actor: Actor, name: str, leader_name: str | None = None,
                leader_phone: str | None = None, township_ids: list[int] | None = None) -> PairingUnit:
    """A 区级部门 (or the group of them one annex row names), with the leader to contact."""
    _district_admin(actor)
    if session.scalar(select(PairingUnit.id).where(PairingUnit.name == name)) is not None:
        raise ServiceError(409, "unit_name_taken")
    unit = PairingUnit(name=name, district_id=actor.user.place_id, leader_name=leader_name, leader_phone=leader_phone)
    session.add(unit)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="pairing_unit", entity_id=unit.id,
                 detail={"name": name})
    for township_id in township_ids or []:
        link_township(session, actor=actor, unit_id=unit.id, township_id=township_id)
    return unit


def link_township(session: Session, *, actor: Actor, unit_id: int, township_id: int) -> UnitTownship:
    """Pair a unit with a street office / township (街道吹哨、部门报到)."""
    _district_admin(actor)
    unit = get_unit(session, unit_id)
    township = _township(session, actor, township_id)
    if session.scalar(select(UnitTownship.id).where(UnitTownship.unit_id == unit.id,
                                                    UnitTownship.township_id == township.id)) is not None:
        raise ServiceError(409, "unit_township_exists")
    link = UnitTownship(unit_id=unit.id, township_id=township.id)
    session.add(link)
    session.flush()
    audit.record(session, actor=actor, action="pair_township", entity="pairing_unit", entity_id=unit.id,
                 detail={"township_id": township.id})
    return link


def unit_townships(session: Session, unit_ids: list[int]) -> dict[int, list[Place]]:
    out: dict[int, list[Place]] = {u: [] for u in unit_ids}
    if unit_ids:
        for unit_id, place in session.execute(
                select(UnitTownship.unit_id, Place).join(Place, Place.id == UnitTownship.township_id)
                .where(UnitTownship.unit_id.in_(unit_ids)).order_by(Place.id)):
            out[unit_id].append(place)
    return out


def _visible_unit_ids(session: Session, actor: Actor):
    """The units a staff member sees: every one (district), or those paired with their township."""
    _staff(actor)
    stmt = select(PairingUnit.id)
    if roles.is_district_admin(actor.user):
        return stmt
    home = home_place(session, actor.user)
    return stmt.join(UnitTownship, UnitTownship.unit_id == PairingUnit.id).where(UnitTownship.township_id == home.id)


def list_units(session: Session, *, actor: Actor) -> list[dict]:
    ids = list(session.scalars(_visible_unit_ids(session, actor).order_by(PairingUnit.id)))
    units = {u.id: u for u in session.scalars(select(PairingUnit).where(PairingUnit.id.in_(ids)))} if ids else {}
    towns = unit_townships(session, ids)
    cadres = dict(session.execute(select(Cadre.unit_id, func.count()).where(Cadre.unit_id.in_(ids))
                                  .group_by(Cadre.unit_id)).all()) if ids else {}
    return [{"id": i, "name": units[i].name, "leader_name": units[i].leader_name,
             "leader_phone": units[i].leader_phone, "cadres": cadres.get(i, 0),
             "townships": [{"id": t.id, "name": t.name} for t in towns[i]]} for i in ids]


# --- cadres ------------------------------------------------------------------------------


@dataclass
class NewCadre:
    cadre: Cadre
    user: User
    one_time_password: str


def create_cadre(session: Session, *, actor: Actor, hasher: PasswordHasher, unit_id: int, display_name: str,
                 phone: str, rank: str) -> NewCadre:
    """A cadre of a unit, with a login (their phone, a one-time password shown once)."""
    _district_admin(actor)
    unit = get_unit(session, unit_id)
    user = users.create_user(session, creator=actor.user, hasher=hasher, username=phone, password="",
                            password_hash="!", role=roles.CADRE, display_name=display_name, place_id=unit.district_id,
                            phone=phone)
    password = auth.issue_one_time_password(session, user=user, hasher=hasher)
    cadre = Cadre(user_id=user.id, unit_id=unit.id, rank=rank)
    session.add(cadre)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="cadre", entity_id=cadre.id,
                 detail={"unit_id": unit.id, "rank": rank, "user_id": user.id})
    return NewCadre(cadre, user, password)


def _active_counts(session: Session, cadre_ids: list[int]) -> dict[int, int]:
    if not cadre_ids:
        return {}
    return dict(session.execute(select(Pairing.cadre_id, func.count()).where(
        Pairing.cadre_id.in_(cadre_ids), Pairing.status == "active").group_by(Pairing.cadre_id)).all())


def list_cadres(session: Session, *, actor: Actor, unit_id: int | None = None) -> list[dict]:
    """The cadres of the units the actor sees, each with their pairs and where they stand on "321"."""
    stmt = (select(Cadre, User, PairingUnit).join(User, User.id == Cadre.user_id)
            .join(PairingUnit, PairingUnit.id == Cadre.unit_id)
            .where(Cadre.unit_id.in_(_visible_unit_ids(session, actor))).order_by(Cadre.id))
    if unit_id is not None:
        stmt = stmt.where(Cadre.unit_id == unit_id)
    rows = session.execute(stmt).all()
    counts = _active_counts(session, [c.id for c, _, _ in rows])
    ranges = rule_ranges(session)
    return [_cadre_view(c, u, unit, counts.get(c.id, 0), ranges) for c, u, unit in rows]


def _cadre_view(cadre: Cadre, user: User, unit: PairingUnit, paired: int, ranges: Ranges) -> dict:
    low, high = ranges[cadre.rank]
    return {"id": cadre.id, "user_id": user.id, "display_name": user.display_name, "phone": user.phone,
            "username": user.username, "unit_id": unit.id, "unit_name": unit.name, "rank": cadre.rank,
            "paired": paired, "range": [low, high], "rule": rule_321(cadre.rank, paired, ranges)}


def get_cadre(session: Session, cadre_id: int) -> Cadre:
    cadre = session.get(Cadre, cadre_id)
    if cadre is None:
        raise ServiceError(404, "cadre_not_found")
    return cadre


def cadre_of(session: Session, user: User) -> Cadre | None:
    return session.scalar(select(Cadre).where(Cadre.user_id == user.id))


# --- pairs -------------------------------------------------------------------------------


@dataclass
class Paired:
    pairing: Pairing
    warnings: list[str]  # the "321" rule, in the user's words: a pairing that breaks it is made, and said


def pair(session: Session, *, actor: Actor, cadre_id: int, person_id: int, today: date,
         lang: str = "zh-CN") -> Paired:
    """Pair a cadre with a person of the actor's township. Refused when the cadre's unit is not
    paired with the person's township; made, with a warning, when it breaks the "321" rule."""
    _staff(actor)
    cadre = get_cadre(session, cadre_id)
    person = people.managed_person(session, actor, person_id)
    refusal = refusal_for(session, unit_id=cadre.unit_id, person=person)
    if refusal is not None:
        raise refusal
    if session.scalar(select(Pairing.id).where(Pairing.cadre_id == cadre.id, Pairing.person_id == person.id,
                                               Pairing.status == "active")) is not None:
        raise ServiceError(409, "pairing_exists")
    pairing = Pairing(cadre_id=cadre.id, person_id=person.id, started_on=today, created_by=actor.user.id)
    session.add(pairing)
    session.flush()
    audit.record(session, actor=actor, action="pair", entity="pairing", entity_id=pairing.id, person_id=person.id,
                 detail={"cadre_id": cadre.id})
    return Paired(pairing, _warnings(session, cadre, lang))


def refusal_for(session: Session, *, unit_id: int, person: Person) -> ServiceError | None:
    """Why a cadre of ``unit_id`` may not be paired with ``person``: they are off the roster, or the
    unit is not paired with their township (部门报到 to the street that blew the whistle). None: they may."""
    if person.status != "active":
        return ServiceError(422, "pairing_person_inactive", errors={"person_id": ["not on the roster"]})
    township = township_of(session, session.get(Place, person.village_id))
    linked = session.scalar(select(UnitTownship.id).where(UnitTownship.unit_id == unit_id,
                                                          UnitTownship.township_id == township.id))
    if linked is None:
        return ServiceError(422, "pairing_unit_not_in_township", township=township.name,
                            errors={"cadre_id": ["the cadre's unit is not paired with this township"]})
    return None


def _warnings(session: Session, cadre: Cadre, lang: str) -> list[str]:
    user = session.get(User, cadre.user_id)
    message = rule_message(name=user.display_name, rank=cadre.rank,
                           paired=_active_counts(session, [cadre.id]).get(cadre.id, 0), lang=lang,
                           ranges=rule_ranges(session))
    return [message] if message else []


def end_pair(session: Session, *, actor: Actor, pairing_id: int, today: date, lang: str = "zh-CN") -> Paired:
    _staff(actor)
    pairing = session.get(Pairing, pairing_id)
    if pairing is None:
        raise ServiceError(404, "pairing_not_found")
    people.managed_person(session, actor, pairing.person_id)
    if pairing.status != "active":
        raise ServiceError(409, "pairing_ended")
    pairing.status, pairing.ended_on = "ended", today
    session.add(pairing)
    session.flush()
    audit.record(session, actor=actor, action="unpair", entity="pairing", entity_id=pairing.id,
                 person_id=pairing.person_id, detail={"cadre_id": pairing.cadre_id})
    return Paired(pairing, _warnings(session, get_cadre(session, pairing.cadre_id), lang))


def scope_place(session: Session, actor: Actor, place_id: int | None) -> Place:
    _staff(actor)
    return managed_place(session, actor.user, place_id if place_id is not None else actor.user.place_id)


def _persons_in(place: Place):
    return select(Person.id).join(Place, Place.id == Person.village_id).where(subtree_filter(place),
                                                                               Person.status == "active")


def list_pairs(session: Session, *, actor: Actor, place_id: int | None = None, cadre_id: int | None = None,
               person_id: int | None = None) -> list[dict]:
    """Active pairings of the persons in the actor's place (or the one they name)."""
    place = scope_place(session, actor, place_id)
    stmt = (select(Pairing, Person.name, Place.name, User.display_name, Cadre.rank)
            .join(Person, Person.id == Pairing.person_id).join(Place, Place.id == Person.village_id)
            .join(Cadre, Cadre.id == Pairing.cadre_id).join(User, User.id == Cadre.user_id)
            .where(Pairing.status == "active", subtree_filter(place)).order_by(Pairing.id))
    if cadre_id is not None:
        stmt = stmt.where(Pairing.cadre_id == cadre_id)
    if person_id is not None:
        stmt = stmt.where(Pairing.person_id == person_id)
    rows = session.execute(stmt).all()
    audit.record_person_reads(session, actor=actor, person_ids=[p.person_id for p, *_ in rows], action="list_pairs")
    return [{"id": p.id, "cadre_id": p.cadre_id, "cadre_name": cadre, "rank": rank, "person_id": p.person_id,
             "person_name": name, "village_name": village, "started_on": p.started_on, "status": p.status}
            for p, name, village, cadre, rank in rows]


def rule_report(session: Session, *, actor: Actor, place_id: int | None = None, lang: str = "zh-CN") -> dict:
    """Every cadre outside their "321" range (of the units the actor sees) and every active person
    of the place without a pair."""
    place = scope_place(session, actor, place_id)
    outside = [c for c in list_cadres(session, actor=actor) if c["rule"] is not None]
    ranges = rule_ranges(session)
    for c in outside:
        c["message"] = rule_message(name=c["display_name"], rank=c["rank"], paired=c["paired"], lang=lang, ranges=ranges)
    unpaired_stmt = (select(Person.id, Person.name, Place.name, Person.assistance_category)
                     .join(Place, Place.id == Person.village_id)
                     .where(subtree_filter(place), Person.status == "active",
                            ~sa.exists().where(Pairing.person_id == Person.id, Pairing.status == "active"))
                     .order_by(Person.village_id, Person.id))
    unpaired = [{"id": i, "name": n, "village_name": v, "assistance_category": c}
                for i, n, v, c in session.execute(unpaired_stmt)]
    audit.record_person_reads(session, actor=actor, person_ids=[u["id"] for u in unpaired], action="pairing_rule")
    return {"title": text("report.pairing_rule", lang, place=place.name), "cadres_outside": outside, "unpaired": unpaired,
            "unpaired_total": len(unpaired), "persons_total": count(session, _persons_in(place))}

