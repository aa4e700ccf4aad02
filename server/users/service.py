"""Logins as staff manage them: who may create whom, where a login's home place may be, the list
of a staff member's area, a forgotten password reset, a batch of a roster's new caregivers. (The
login itself, tokens and one's own password: ``server.auth.service``; place scope:
``server.places.policy``.)"""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlmodel import Session

from server import clock
from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.events import password_changed
from server.auth.models import User
from server.auth.roles import (
    CADRE,
    CAREGIVER,
    DISTRICT_ADMIN,
    FIELD_ROLES,
    ROLES,
    TOWNSHIP_STAFF,
    VOLUNTEER,
    is_district_admin,
    is_staff,
)
from server.auth.service import hash_many, hash_password, issue_one_time_password, logout_all, one_time_password
from server.care import organisations
from server.db import among, insert_models
from server.errors import ServiceError
from server.paging import Page, select_page, split
from server.places.models import Place, subtree_filter
from server.places.policy import home_place, managed_place, manages_place, require_manages, township_of


@password_changed.connect
def _audit_password_change(session: Session, *, actor: Actor, user: User, **_) -> None:
    audit.record(session, actor=actor, action="change_password", entity="user", entity_id=user.id)


def reset_password(
    session: Session, *, actor: Actor, user_id: int, hasher: PasswordHasher, now: datetime | None = None
) -> tuple[User, str]:
    """A new one-time password for someone who forgot theirs (township staff: the caregivers and
    volunteers of their township; district admins: anyone). Their tokens are revoked and a lock
    is lifted. The clear password is returned once, and is not in the audit trail."""
    now = now or clock.now()
    if not is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    user = session.get(User, user_id)
    if user is None:
        raise ServiceError(404, "user_not_found")
    if not manages_place(session, actor.user, session.get(Place, user.place_id)):
        raise ServiceError(403, "user_out_of_scope")
    if user.role not in GRANTABLE_ROLES.get(actor.user.role, ()):
        raise ServiceError(403, "role_not_grantable")
    password = issue_one_time_password(session, user=user, hasher=hasher)
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    logout_all(session, user_id=user.id, now=now)
    audit.record(session, actor=actor, action="reset_password", entity="user", entity_id=user.id)
    return user, password


# Who may create whom: staff create field workers; district admins create anyone.
GRANTABLE_ROLES = {
    TOWNSHIP_STAFF: FIELD_ROLES,
    DISTRICT_ADMIN: ROLES,
}


# --- users -------------------------------------------------------------------------------

# The level a user's home place must have, by role.
HOME_LEVELS = {
    CAREGIVER: ("township", "village", "grid"),
    VOLUNTEER: ("township", "village", "grid"),
    TOWNSHIP_STAFF: ("township",),
    DISTRICT_ADMIN: ("district",),
    CADRE: ("district",),  # the district of their unit (区级部门)
}


def visible_users(session: Session, user: User):
    stmt = select(User).order_by(User.id)
    if is_district_admin(user):
        return stmt
    home = home_place(session, user)
    return stmt.join(Place, Place.id == User.place_id).where(subtree_filter(home))


def list_users(session: Session, *, user: User, role: str | None = None, place_id: int | None = None,
               page: Page = Page()) -> tuple[list[User], str | None]:
    if not is_staff(user):
        raise ServiceError(403, "forbidden_role")
    stmt = visible_users(session, user)
    if role:
        stmt = stmt.where(User.role == role)
    if place_id is not None:
        place = managed_place(session, user, place_id)
        stmt = stmt.where(User.place_id.in_(select(Place.id).where(subtree_filter(place))))
    return split(list(session.scalars(select_page(stmt, page, order=[User.id]))), page, lambda u: (u.id,))


def create_logins(session: Session, *, creator: User, hasher: PasswordHasher, role: str,
                  logins: list[dict]) -> list[tuple[int, str]]:
    """``create_user`` + ``issue_one_time_password`` for a batch (a roster's new caregivers): each
    login is {username, display_name, place_id, phone}; the same rules, checked for the batch at
    once, and one INSERT. Returns (user id, the one-time password, shown once) in order."""
    if not logins:
        return []
    if role not in GRANTABLE_ROLES.get(creator.role, ()):
        raise ServiceError(403, "role_not_grantable")
    if role == VOLUNTEER:
        raise ServiceError(422, "validation", errors={"role": ["volunteers join a team one by one (create_user)"]})
    wanted = sorted({spec["place_id"] for spec in logins})
    found = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(wanted)))}
    for place_id in wanted:
        place = found.get(place_id)
        if place is None:
            raise ServiceError(404, "place_not_found")
        require_manages(session, creator, place)
        if place.level not in HOME_LEVELS[role]:
            raise ServiceError(
                422, "validation", errors={"place_id": [f"a {role} belongs to a {' or '.join(HOME_LEVELS[role])}"]}
            )
    names = [spec["username"] for spec in logins]
    if len(set(names)) != len(names) or session.scalar(
            select(User.id).where(among(session, User.username, names)).limit(1)) is not None:
        raise ServiceError(409, "username_taken")
    passwords = [one_time_password() for _ in logins]
    ids = insert_models(session, User, [
        {"username": spec["username"], "password_hash": password_hash, "role": role,
         "display_name": spec["display_name"], "phone": spec.get("phone"), "place_id": spec["place_id"],
         "must_change_password": True} for spec, password_hash in zip(logins, hash_many(hasher, passwords))],
        key="username")
    return list(zip(ids, passwords))


def create_user(
    session: Session,
    *,
    creator: User | None,
    hasher: PasswordHasher,
    username: str,
    password: str,
    role: str,
    display_name: str,
    place_id: int,
    phone: str | None = None,
    team_id: int | None = None,
    password_hash: str | None = None,
    organisation_id: int | None = None,
    actor: Actor | None = None,
) -> User:
    """Create a login. ``creator`` None is the command line (trusted, no scope). ``organisation_id``:
    a caregiver login on the staff of a 供养服务机构/社会组织 (``actor`` is then the creator's)."""
    if creator is not None:
        if role not in GRANTABLE_ROLES.get(creator.role, ()):
            raise ServiceError(403, "role_not_grantable")
    place = session.get(Place, place_id)
    if place is None:
        raise ServiceError(404, "place_not_found")
    if creator is not None:
        require_manages(session, creator, place)
    if place.level not in HOME_LEVELS[role]:
        raise ServiceError(
            422, "validation", errors={"place_id": [f"a {role} belongs to a {' or '.join(HOME_LEVELS[role])}"]}
        )
    team = None
    if team_id is not None:
        if role != VOLUNTEER:
            raise ServiceError(422, "team_only_for_volunteers")
        team = session.get(VolunteerTeam, team_id)
        if team is None:
            raise ServiceError(404, "team_not_found")
        township = township_of(session, place)
        if township is None or team.township_id != township.id:
            raise ServiceError(422, "team_outside_place")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ServiceError(409, "username_taken")
    user = User(
        username=username,
        password_hash=password_hash or hash_password(hasher, password),
        role=role,
        display_name=display_name,
        phone=phone,
        place_id=place_id,
    )
    session.add(user)
    session.flush()
    if team is not None:
        session.add(VolunteerTeamMember(team_id=team.id, user_id=user.id))
        session.flush()
    if organisation_id is not None:
        if actor is None:
            raise ServiceError(403, "forbidden_role")
        organisations.enrol(session, actor=actor, user=user, organisation_id=organisation_id)
    return user
