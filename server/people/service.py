"""Persons under support: who may see whom, and the record's own rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from server import clock, db
from server.audit import service as audit
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.db import count, on_postgresql
from server.errors import ServiceError
from server.paging import Page, select_page, split
from server.people import idnumber
from server.people.models import Person, PersonExit
from server.places import service as places
from server.places.models import Place
from server.places.policy import manages_place, require_manages

# the statuses only an exit sets (server/lifecycle/exits.py)
EXITED = {"deceased", "exited"}


# Who a caregiver, a cadre or a volunteer sees, and who cares for whom, are told by the rooms that
# tie them to persons — care (agreements), pairing (pairs), activities (teams) — each registering its
# answer here (the composition root imports them); the people room knows none of them.
_FIELD_SCOPES: dict[str, Callable[[Session, User], ColumnElement[bool]]] = {}
_caregiver_readers: list[Callable[[Session, list[int]], dict[int, dict]]] = []


def sees_persons(role: str):
    """Registers ``scope(session, user)``: the condition on Person of the persons a user of
    ``role`` (a field role) may see at all. A role nobody registered sees nobody."""
    def register(scope: Callable[[Session, User], ColumnElement[bool]]):
        _FIELD_SCOPES[role] = scope
        return scope
    return register


def tells_caregivers(reader: Callable[[Session, list[int]], dict[int, dict]]):
    """Registers ``reader(session, person_ids)``: person id → the caregiver of their active
    agreement (``active_caregivers``)."""
    _caregiver_readers.append(reader)
    return reader


def visible(session: Session, user: User):
    """A select of the persons ``user`` may see at all."""
    stmt = select(Person)
    if roles.is_district_admin(user):
        return stmt
    if roles.is_township_staff(user):
        home = session.get(Place, user.place_id)
        return stmt.join(Place, Place.id == Person.village_id).where(places.subtree_filter(home))
    scope = _FIELD_SCOPES.get(user.role)
    return stmt.where(scope(session, user) if scope else sa.false())


def can_see(session: Session, user: User, person: Person) -> bool:
    stmt = visible(session, user).where(Person.id == person.id)
    return count(session, stmt) > 0


def can_manage(session: Session, user: User, person: Person) -> bool:
    return manages_place(session, user, session.get(Place, person.village_id))


# --- guards: every "may this actor touch that person?" is answered by one of these --------

def find_person(session: Session, person_id: int) -> Person:
    """The person ``person_id``; 404 person_not_found."""
    person = session.get(Person, person_id)
    if person is None:
        raise ServiceError(404, "person_not_found")
    return person


def managed_person(session: Session, actor: Actor, person_id: int) -> Person:
    """The person, when the actor manages their village (staff); 404 person_not_found,
    403 person_out_of_scope."""
    person = find_person(session, person_id)
    if not can_manage(session, actor.user, person):
        raise ServiceError(403, "person_out_of_scope")
    return person


def visible_person(session: Session, actor: Actor, person_id: int) -> Person:
    """The person, when the actor may see them at all (``visible``); 404 person_not_found,
    403 person_out_of_scope."""
    person = find_person(session, person_id)
    if not can_see(session, actor.user, person):
        raise ServiceError(403, "person_out_of_scope")
    return person


# From this many characters on, a query of digits (and an ID's X) is a whole phone number or an ID
# number typed from its start (its region, then the birth date): the ID is matched from its start.
WHOLE_NUMBER = 11
# SQLite's full-text index of the three (migration 0025_person_search_sqlite): trigrams, so a query
# of three characters or more; its hidden column of the table's own name is what MATCH is put to.
PERSON_SEARCH = sa.table(db.PERSON_SEARCH, sa.column("rowid", sa.Integer), sa.column(db.PERSON_SEARCH))
TRIGRAM = 3


def search(session: Session, stmt: sa.Select, q: str) -> tuple[sa.Select, sa.ColumnElement]:
    """``stmt`` (a select of persons) narrowed to those ``q`` finds, and the column its pages go in
    order of (the person's id, or what equals it).

    Search: a fragment of the name, the ID number or the phone, case-insensitive (an ID's X). A
    query of WHOLE_NUMBER digits or more finds the ID numbers that begin with it, by the unique
    index's range: every ID of a district shares its region's digits, and their trigram lists,
    each as long as the register, cost a search for a phone number 80 ms at a million persons where
    the range costs one index probe. The fragments are found by a trigram index: on PostgreSQL
    ``ILIKE '%q%'``, served by pg_trgm's indexes on the three (migration 0022_person_search); on
    SQLite the full-text table's MATCH of the phrase, or, for a query shorter than a trigram (which
    no trigram index serves), ``lower() LIKE`` over the rows."""
    whole = len(q) >= WHOLE_NUMBER and re.fullmatch(r"[0-9]+X?", q.upper())
    # the IDs from q up to q followed by the highest character an ID holds
    id_from_start = Person.id_number.between(q.upper(), q.upper() + "X") if whole else None
    if on_postgresql(session) or len(q) < TRIGRAM:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        name, phone, id_number = (column.ilike(pattern, escape="\\")
                                  for column in (Person.name, Person.phone, Person.id_number))
        return stmt.where(sa.or_(name, phone, id_from_start if whole else id_number)), Person.id
    phrase = '"' + q.replace('"', '""') + '"'  # the fragment as one FTS5 string, its quotes doubled
    if whole:
        found = select(PERSON_SEARCH.c.rowid).where(PERSON_SEARCH.c.person_search.match("{name phone} : " + phrase))
        return stmt.where(sa.or_(Person.id.in_(found), id_from_start)), Person.id
    # Joined, not ``id IN (…)``: the full-text table hands its matches over in rowid order, so a
    # page stops at its fifty-first; an IN list is every match first (40 ms at 100,000 persons for
    # the start of an ID, which the whole district shares).
    return (stmt.join(PERSON_SEARCH, PERSON_SEARCH.c.rowid == Person.id)
            .where(PERSON_SEARCH.c.person_search.match(phrase)), PERSON_SEARCH.c.rowid)


def list_persons(
    session: Session,
    *,
    actor: Actor,
    place_id: int | None = None,
    self_care_level: str | None = None,
    status: str | None = None,
    q: str | None = None,
    page: Page = Page(),
) -> tuple[list[Person], str | None]:
    stmt = visible(session, actor.user)
    if place_id is not None:
        place = places.get(session, place_id)
        if roles.is_staff(actor.user):
            require_manages(session, actor.user, place)
        inner = select(Place.id).where(places.subtree_filter(place))
        stmt = stmt.where(Person.village_id.in_(inner))
    if self_care_level:
        stmt = stmt.where(Person.self_care_level == self_care_level)
    if status:
        stmt = stmt.where(Person.status == status)
    order = Person.id
    if q:
        stmt, order = search(session, stmt, q)
    rows, after = split(list(session.scalars(select_page(stmt, page, order=[order]))), page, lambda p: (p.id,))
    audit.record_person_reads(session, actor=actor, person_ids=[p.id for p in rows], action="list")
    return rows, after


def get_person(session: Session, *, actor: Actor, person_id: int) -> Person:
    person = visible_person(session, actor, person_id)
    audit.record(session, actor=actor, action="read", entity="person", entity_id=person.id, person_id=person.id)
    return person


def _check_identity(id_number: str, birth_date: date | None, sex: str | None, today: date) -> None:
    if birth_date is not None and birth_date > today:
        raise ServiceError(422, "date_in_future", errors={"birth_date": ["cannot be in the future"]})
    if birth_date is not None and idnumber.birth_date(id_number) != birth_date:
        raise ServiceError(422, "id_birth_mismatch", errors={"birth_date": ["does not match the ID number"]})
    if sex is not None and idnumber.sex(id_number) != sex:
        raise ServiceError(422, "id_sex_mismatch", errors={"sex": ["does not match the ID number"]})


def _check_village(session: Session, actor: Actor, village_id: int) -> Place:
    village = places.get(session, village_id)
    if village.level != "village":
        raise ServiceError(422, "village_required", errors={"village_id": ["must be a village"]})
    return require_manages(session, actor.user, village)


def _check_unique_id(session: Session, id_number: str, exclude: int | None = None) -> None:
    stmt = select(Person.id).where(Person.id_number == id_number)
    if exclude is not None:
        stmt = stmt.where(Person.id != exclude)
    if session.scalar(stmt) is not None:
        raise ServiceError(409, "id_number_taken")


def _check_enrolled(enrolled_on: date | None, today: date, exited_on: date | None = None) -> None:
    if enrolled_on is not None and enrolled_on > today:
        raise ServiceError(422, "enrolled_in_future", errors={"enrolled_on": ["cannot be in the future"]})
    if enrolled_on is not None and exited_on is not None and enrolled_on > exited_on:
        raise ServiceError(422, "enrolled_after_exit", errors={"enrolled_on": ["after the exit"]})


def create_person(session: Session, *, actor: Actor, today: date, **data) -> Person:
    """Staff register a person; 纳入日期 (``enrolled_on``) is today unless given, never later."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    _check_village(session, actor, data["village_id"])
    _check_identity(data["id_number"], data.get("birth_date"), data.get("sex"), today)
    _check_enrolled(data.get("enrolled_on"), today)
    data["enrolled_on"] = data.get("enrolled_on") or today
    _check_unique_id(session, data["id_number"])
    if data.get("home_lat") is not None:
        data.setdefault("home_location_state", "confirmed")
    person = Person(**data)
    session.add(person)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="person", entity_id=person.id, person_id=person.id)
    return person


def create_persons(session: Session, *, actor: Actor, today: date, rows: list[dict]) -> list[int]:
    """``create_person`` for a batch (a roster import): the same rules, checked for the batch at
    once, and one INSERT of all the rows; their ids in the order of ``rows``."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    if not rows:
        return []
    for village_id in sorted({r["village_id"] for r in rows}):
        _check_village(session, actor, village_id)
    numbers = [r["id_number"] for r in rows]
    if len(set(numbers)) != len(numbers):
        raise ServiceError(409, "id_number_taken")
    for r in rows:
        _check_identity(r["id_number"], r.get("birth_date"), r.get("sex"), today)
        _check_enrolled(r.get("enrolled_on"), today)
    if session.scalar(select(Person.id).where(db.among(session, Person.id_number, numbers)).limit(1)) is not None:
        raise ServiceError(409, "id_number_taken")
    ids = db.insert_models(session, Person, [{**r, "enrolled_on": r.get("enrolled_on") or today} for r in rows],
                           key="id_number")
    audit.record_selected(session, actor=actor, action="create", entity="person",
                          rows=select(Person.id, Person.id.label("person_id")).where(db.among(session, Person.id, ids)))
    return ids


def update_persons(session: Session, *, actor: Actor, today: date, changes: dict[int, dict]) -> None:
    """``update_person`` for a batch ({person id: {field: new value}}): the same rules, checked
    for the batch at once, and one UPDATE per set of changed fields."""
    if not roles.is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    if not changes:
        return
    persons = {p.id: p for p in session.scalars(select(Person).where(db.among(session, Person.id, list(changes))))}
    if len(persons) != len(changes):
        raise ServiceError(404, "person_not_found")
    scope = {p.village_id for p in persons.values()} | {c["village_id"] for c in changes.values() if "village_id" in c}
    for village_id in sorted(scope):
        _check_village(session, actor, village_id)
    exits = dict(session.execute(select(PersonExit.person_id, PersonExit.exited_on)
                                 .where(db.among(session, PersonExit.person_id, list(changes)))).all())
    groups: dict[tuple[str, ...], list[dict]] = {}
    entries = []
    for pid, change in changes.items():
        person = persons[pid]
        if "status" in change and change["status"] != person.status and EXITED & {change["status"], person.status}:
            raise ServiceError(409, "status_by_exit", errors={"status": ["record an exit instead"]})
        if "enrolled_on" in change:
            _check_enrolled(change["enrolled_on"], today, exits.get(pid))
        if "id_number" in change:
            raise ServiceError(422, "validation", errors={"id_number": ["an ID number is changed one person at a time"]})
        _check_identity(person.id_number, change.get("birth_date", person.birth_date), change.get("sex", person.sex),
                        today)
        keys = tuple(sorted(change))
        groups.setdefault(keys, []).append({"_id": pid, **{f"_{k}": change[k] for k in keys}})
        entries.append({"action": "update", "entity": "person", "entity_id": pid, "person_id": pid,
                        "detail": {"fields": sorted(k for k in keys if _plain(getattr(person, k)) != _plain(change[k]))}})
    now = clock.now()
    table = Person.__table__
    for keys, params in groups.items():
        stmt = (table.update().where(table.c.id == sa.bindparam("_id"))
                .values({**{k: sa.bindparam(f"_{k}") for k in keys}, "updated_at": now}))
        session.connection().execute(stmt, params)
    for person in persons.values():
        session.expire(person)
    audit.record_many(session, actor=actor, entries=entries)


def update_person(session: Session, *, actor: Actor, person_id: int, changes: dict, today: date) -> Person:
    if not roles.is_staff(actor.user):
        find_person(session, person_id)  # a person that is not there is 404 for anyone
        raise ServiceError(403, "forbidden_role")
    person = managed_person(session, actor, person_id)
    if "status" in changes and changes["status"] != person.status and (
            EXITED & {changes["status"], person.status}):
        # leaving the roster ends agreements and opens follow-ups: that is server/lifecycle/exits.py's
        raise ServiceError(409, "status_by_exit", errors={"status": ["record an exit instead"]})
    if "status" in changes and changes["status"] != person.status and "centralised" in {changes["status"], person.status}:
        # a move into a care home starts a stay there (care.centralise): never a bare status edit
        raise ServiceError(409, "status_by_move", errors={"status": ["move the person through the care-home move"]})
    if "village_id" in changes:
        _check_village(session, actor, changes["village_id"])
    if "enrolled_on" in changes:
        _check_enrolled(changes["enrolled_on"], today, session.scalar(
            select(PersonExit.exited_on).where(PersonExit.person_id == person.id)))
    id_number = changes.get("id_number", person.id_number)
    _check_identity(id_number, changes.get("birth_date", person.birth_date), changes.get("sex", person.sex), today)
    if "id_number" in changes:
        _check_unique_id(session, id_number, exclude=person.id)
    if ("home_lat" in changes) != ("home_lon" in changes):
        raise ServiceError(422, "validation", errors={"home_lat": ["home_lat and home_lon go together"]})
    if "home_lat" in changes:
        changes.setdefault("home_location_state", "confirmed" if changes["home_lat"] is not None else None)
    before = {k: _plain(getattr(person, k)) for k in changes}
    for key, value in changes.items():
        setattr(person, key, value)
    person.updated_at = clock.now()
    session.add(person)
    session.flush()
    changed = sorted(k for k in changes if before[k] != _plain(changes[k]))
    audit.record(session, actor=actor, action="update", entity="person", entity_id=person.id, person_id=person.id,
                 detail={"fields": changed})
    return person


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def context_for(session: Session, persons: list[Person]) -> dict:
    """Place names and active caregivers for a page of persons, in three queries."""
    village_ids = {p.village_id for p in persons}
    villages = {pl.id: pl for pl in session.scalars(select(Place).where(Place.id.in_(village_ids)))} if village_ids else {}
    parent_ids = {v.parent_id for v in villages.values() if v.parent_id}
    parents = {pl.id: pl for pl in session.scalars(select(Place).where(Place.id.in_(parent_ids)))} if parent_ids else {}
    return {"villages": villages, "townships": parents, "caregivers": active_caregivers(session, [p.id for p in persons])}


def active_caregivers(session: Session, person_ids: list[int]) -> dict[int, dict]:
    """Person id → the caregiver of their active agreement (id, name, phone, relation, agreement),
    as the care room tells it."""
    caregivers = {}
    if person_ids:
        for reader in _caregiver_readers:
            caregivers.update(reader(session, person_ids))
    return caregivers