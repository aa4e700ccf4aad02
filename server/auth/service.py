"""Logins, tokens and users. (Roles: ``server.auth.roles``; scope: ``server.auth.policy``.)"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlmodel import Session

from server import clock
from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.auth.models import AuthToken, LoginFailure, User
from server.auth.policy import home_place, managed_place, require_manages, township_of
from server.auth.roles import (
    CAREGIVER,
    DISTRICT_ADMIN,
    FIELD_ROLES,
    ROLES,
    TOWNSHIP_STAFF,
    VOLUNTEER,
    is_district_admin,
    is_staff,
)
from server.db import count
from server.errors import ServiceError
from server.places.models import Place, subtree_filter


def make_hasher(*, time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock_minutes: int = 15
    address_max_failures: int = 20
    address_window_minutes: int = 15
    token_ttl_hours: int = 24 * 14

    @classmethod
    def from_config(cls, c) -> "LoginPolicy":
        return cls(max_failures=c["LOGIN_MAX_FAILURES"], lock_minutes=c["LOGIN_LOCK_MINUTES"],
                   address_max_failures=c["LOGIN_IP_MAX_FAILURES"],
                   address_window_minutes=c["LOGIN_IP_WINDOW_MINUTES"], token_ttl_hours=c["TOKEN_TTL_HOURS"])


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    user: User


def _minutes_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds() / 60))


def login(
    session: Session,
    *,
    username: str,
    password: str,
    address: str,
    hasher: PasswordHasher,
    policy: LoginPolicy,
    now: datetime | None = None,
) -> IssuedToken:
    """Check a password and issue a token.

    Failures are written to the session before the error is raised: the caller
    must commit them (they are what locks the account and slows the address).
    """
    now = now or clock.now()
    window_start = now - timedelta(minutes=policy.address_window_minutes)
    recent = session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.address == address, LoginFailure.at >= window_start)
    )
    if recent >= policy.address_max_failures:
        oldest = session.scalar(
            select(func.min(LoginFailure.at)).where(LoginFailure.address == address, LoginFailure.at >= window_start)
        )
        retry_at = oldest + timedelta(minutes=policy.address_window_minutes)
        minutes = _minutes_until(retry_at, now)
        raise ServiceError(429, "address_throttled", headers={"Retry-After": str(minutes * 60)}, minutes=minutes)

    user = session.scalar(select(User).where(User.username == username))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        minutes = _minutes_until(user.locked_until, now)
        raise ServiceError(429, "account_locked", headers={"Retry-After": str(minutes * 60)}, minutes=minutes)

    if user is None or not _password_ok(hasher, user.password_hash, password):
        session.add(LoginFailure(address=address, username=username[:40], at=now))
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= policy.max_failures:
                user.locked_until = now + timedelta(minutes=policy.lock_minutes)
                user.failed_logins = 0
                session.flush()
                raise ServiceError(
                    429,
                    "account_locked",
                    headers={"Retry-After": str(policy.lock_minutes * 60)},
                    minutes=policy.lock_minutes,
                )
        session.flush()
        raise ServiceError(401, "bad_credentials")

    if not user.is_active:
        raise ServiceError(403, "account_disabled")

    user.failed_logins = 0
    user.locked_until = None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    issued = issue_token(session, user=user, ttl=timedelta(hours=policy.token_ttl_hours), now=now)
    # Old expired tokens of this user are of no use to anyone.
    session.execute(delete(AuthToken).where(AuthToken.user_id == user.id, AuthToken.expires_at < now))
    return issued


def _password_ok(hasher: PasswordHasher, stored: str, given: str) -> bool:
    try:
        return hasher.verify(stored, given)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(session: Session, *, user: User, ttl: timedelta, now: datetime | None = None) -> IssuedToken:
    now = now or clock.now()
    raw = secrets.token_urlsafe(32)
    expires = now + ttl
    session.add(AuthToken(user_id=user.id, token_hash=token_digest(raw), created_at=now, expires_at=expires))
    session.flush()
    return IssuedToken(token=raw, expires_at=expires, user=user)


# Every authenticated request runs this: built once, with a bound parameter, as plain columns.
_USER_FOR_TOKEN = select(
    *User.__table__.c, AuthToken.id.label("token_id"), AuthToken.revoked_at, AuthToken.expires_at
).join(AuthToken, AuthToken.user_id == User.id).where(AuthToken.token_hash == bindparam("token_hash"))


def user_for_token(session: Session, *, token: str, now: datetime | None = None):
    """The user a bearer token stands for, as a read-only row with the User's columns (and
    ``token_id``), or None when the token is unknown, revoked or expired."""
    now = now or clock.now()
    row = session.connection().execute(_USER_FOR_TOKEN, {"token_hash": token_digest(token)}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.is_active:
        return None
    return row


def logout(session: Session, *, token_id: int, now: datetime | None = None) -> None:
    session.execute(update(AuthToken).where(AuthToken.id == token_id).values(revoked_at=now or clock.now()))


def issue_one_time_password(session: Session, *, user: User, hasher: PasswordHasher) -> str:
    """Give ``user`` a fresh one-time password (8 digits, easy to type on a phone keypad): only its
    hash is stored, and ``must_change_password`` is set. The clear password is returned once."""
    password = "".join(secrets.choice("0123456789") for _ in range(8))
    user.password_hash = hasher.hash(password)
    user.must_change_password = True
    session.add(user)
    session.flush()
    return password


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
}


def visible_users(session: Session, user: User):
    stmt = select(User).order_by(User.id)
    if is_district_admin(user):
        return stmt
    home = home_place(session, user)
    return stmt.join(Place, Place.id == User.place_id).where(subtree_filter(home))


def list_users(session: Session, *, user: User, role: str | None = None, place_id: int | None = None,
               offset: int = 0, limit: int = 50) -> tuple[list[User], int]:
    if not is_staff(user):
        raise ServiceError(403, "forbidden_role")
    stmt = visible_users(session, user)
    if role:
        stmt = stmt.where(User.role == role)
    if place_id is not None:
        place = managed_place(session, user, place_id)
        stmt = stmt.where(User.place_id.in_(select(Place.id).where(subtree_filter(place))))
    total = count(session, stmt)
    return list(session.scalars(stmt.offset(offset).limit(limit))), total


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
) -> User:
    """Create a login. ``creator`` None is the command line (trusted, no scope)."""
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
        password_hash=password_hash or hasher.hash(password),
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
    return user
