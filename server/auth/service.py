"""Logins, tokens and users. (Roles: ``server.auth.roles``; scope: ``server.auth.policy``.)"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlmodel import Session

from server import clock
from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.models import AuthToken, LoginFailure, User
from server.auth.policy import (
    home_place,
    managed_place,
    manages_place,
    require_manages,
    township_of,
)
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
from server.db import among, insert_models, on_postgresql
from server.errors import ServiceError, message
from server.paging import Page, select_page, split
from server.places.models import Place, subtree_filter


def make_hasher(*, time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


# A batch's hashes run on this many threads at most: argon2 releases the GIL while it hashes, and
# each running hash holds its memory_cost (64 MiB by default), so no more than the cores, nor 4.
HASH_THREADS = max(1, min(4, os.cpu_count() or 1))


def hash_many(hasher: PasswordHasher, passwords: list[str]) -> list[str]:
    """``hasher.hash`` of each password, in order, the batch split over HASH_THREADS threads: a
    roster's 12,000 new logins at the production cost are minutes of hashing on one core."""
    threads = min(HASH_THREADS, len(passwords) // 8)  # 8 hashes a thread at least
    if threads < 2:
        return [hasher.hash(p) for p in passwords]
    with ThreadPoolExecutor(threads, thread_name_prefix="hash") as pool:
        parts = list(pool.map(lambda part: [hasher.hash(p) for p in part],
                              [passwords[k::threads] for k in range(threads)]))
    hashes: list[str] = [""] * len(passwords)
    for k, part in enumerate(parts):
        hashes[k::threads] = part
    return hashes


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

    Two short transactions around the (slow) password check, so that the limits hold under
    concurrency without holding a lock while argon2 runs:

    1. the attempt is *reserved*, under a lock: a ``LoginFailure`` row for the address (refused
       when the address already has ``address_max_failures`` in the window), and one atomic
       ``failed_logins = failed_logins + 1 … RETURNING`` on the account (refused without a
       password check past ``max_failures``). This transaction is committed here.
    2. the password is checked, and the reservation settled: a success deletes the row and
       clears the count; a failure keeps both, and the ``max_failures``-th locks the account.

    An unknown username does the same work (a check against a dummy hash) and gets the same
    answers, locks included, from the failures stored under its name.

    Failures are written to the session before the error is raised: the caller must commit
    them (they are what locks the account and slows the address).
    """
    now = now or clock.now()
    username = username[:40]

    # --- 1. reserve the attempt ------------------------------------------------------------
    _serialise(session, "login-address", address)
    reservation = session.scalar(
        insert(LoginFailure).values(address=address, username=username, at=now).returning(LoginFailure.id)
    )
    window_start = now - timedelta(minutes=policy.address_window_minutes)
    in_window = (LoginFailure.address == address, LoginFailure.at >= window_start)
    if session.scalar(select(func.count()).select_from(LoginFailure).where(*in_window)) > policy.address_max_failures:
        _forget(session, reservation)
        oldest = session.scalar(select(func.min(LoginFailure.at)).where(*in_window))
        minutes = _minutes_until(oldest + timedelta(minutes=policy.address_window_minutes), now)
        raise ServiceError(429, "address_throttled", headers={"Retry-After": str(minutes * 60)}, minutes=minutes)

    attempt = session.execute(
        update(User)
        .where(User.username == username, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.id, User.failed_logins)
    ).first()
    user = session.scalar(select(User).where(User.username == username).execution_options(populate_existing=True))
    if user is None:
        failures_before = _unknown_name_attempt(session, username=username, reservation=reservation,
                                                policy=policy, now=now)
    elif attempt is None:  # locked
        _forget(session, reservation)
        raise _locked(_minutes_until(user.locked_until, now))
    elif attempt.failed_logins > policy.max_failures:
        # Others are checking the passwords that use up the allowance: this one is not checked.
        _lock(session, user.id, policy=policy, now=now)
        _forget(session, reservation)
        raise _locked(policy.lock_minutes)
    session.commit()

    # --- 2. check the password, settle ----------------------------------------------------------
    if user is None:
        _password_ok(hasher, _dummy_hash(hasher), password)
        if (failures_before + 1) % policy.max_failures == 0:
            raise _locked(policy.lock_minutes)
        raise ServiceError(401, "bad_credentials")

    if not _password_ok(hasher, user.password_hash, password):
        if attempt.failed_logins >= policy.max_failures:
            _lock(session, user.id, policy=policy, now=now)
            raise _locked(policy.lock_minutes)
        raise ServiceError(401, "bad_credentials")

    _forget(session, reservation)  # not a failure
    user.failed_logins = 0
    user.locked_until = None
    if not user.is_active:
        session.flush()
        raise ServiceError(403, "account_disabled")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    issued = issue_token(session, user=user, ttl=timedelta(hours=policy.token_ttl_hours), now=now)
    # Old expired tokens of this user are of no use to anyone.
    session.execute(delete(AuthToken).where(AuthToken.user_id == user.id, AuthToken.expires_at < now))
    return issued


def _serialise(session: Session, kind: str, key: str) -> None:
    """Serialise the transactions that pass here with the same ``key`` until they end.

    PostgreSQL: a transaction-level advisory lock. SQLite: every write transaction begins
    IMMEDIATE (``server.db``), and the caller's first statement after this is a write, so
    writers are serialised already."""
    if on_postgresql(session):
        digest = hashlib.blake2b(f"{kind}:{key}".encode(), digest_size=8).digest()
        session.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest, "big", signed=True))))


def _forget(session: Session, reservation: int) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.id == reservation))


def _locked(minutes: int) -> ServiceError:
    return ServiceError(429, "account_locked", headers={"Retry-After": str(minutes * 60)}, minutes=minutes)


def _lock(session: Session, user_id: int, *, policy: LoginPolicy, now: datetime) -> None:
    session.execute(
        update(User).where(User.id == user_id)
        .values(locked_until=now + timedelta(minutes=policy.lock_minutes), failed_logins=0)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def _unknown_name_attempt(session: Session, *, username: str, reservation: int, policy: LoginPolicy,
                          now: datetime) -> int:
    """What an account would answer, for a username no account has: its failures are the
    ``LoginFailure`` rows under its name, which (since a locked account stores none) come in
    runs of ``max_failures``, the last of each run starting a lock. Returns the failures before
    this attempt; raises ``account_locked`` while the last run's lock holds."""
    _serialise(session, "login-username", username)
    mine = (LoginFailure.username == username, LoginFailure.id != reservation)
    before, last = session.execute(select(func.count(), func.max(LoginFailure.at)).where(*mine)).one()
    if before and before % policy.max_failures == 0:
        until = last + timedelta(minutes=policy.lock_minutes)
        if until > now:
            _forget(session, reservation)
            raise _locked(_minutes_until(until, now))
    return before


@functools.lru_cache(maxsize=8)
def _dummy_hash_for(time_cost: int, memory_cost: int, parallelism: int, hash_len: int, salt_len: int, kind) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism,
                          hash_len=hash_len, salt_len=salt_len, type=kind).hash(secrets.token_urlsafe(16))


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash no password matches, made once with ``hasher``'s parameters: an unknown username is
    checked against it, so that it costs what a known one does."""
    return _dummy_hash_for(hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
                           hasher.salt_len, hasher.type)


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


def logout_all(session: Session, *, user_id: int, now: datetime | None = None, keep_token_id: int | None = None) -> int:
    """Revoke every live token of a user (but ``keep_token_id``): log out everywhere. Returns how many."""
    stmt = update(AuthToken).where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
    if keep_token_id is not None:
        stmt = stmt.where(AuthToken.id != keep_token_id)
    return session.execute(stmt.values(revoked_at=now or clock.now())).rowcount


PASSWORD_MIN_LENGTH = 8


def check_new_password(user: User, password: str) -> None:
    """The rules a password one chooses must meet (422 on ``new_password`` otherwise)."""
    problem = None
    if len(password) < PASSWORD_MIN_LENGTH:
        problem = "password_too_short"
    elif password.strip().lower() in {v.lower() for v in (user.username, user.phone) if v}:
        problem = "password_is_username"
    if problem:
        raise ServiceError(422, problem, errors={"new_password": [message(problem, min=PASSWORD_MIN_LENGTH)]},
                           min=PASSWORD_MIN_LENGTH)


def change_password(
    session: Session,
    *,
    actor: Actor,
    token_id: int,
    current_password: str,
    new_password: str,
    hasher: PasswordHasher,
    now: datetime | None = None,
) -> User:
    """Change one's own password: the current one must be right. Clears ``must_change_password``
    and revokes every other token of the user (the one this request carries stays)."""
    now = now or clock.now()
    user = session.get(User, actor.user.id)
    if not _password_ok(hasher, user.password_hash, current_password):
        raise ServiceError(422, "password_current_wrong",
                           errors={"current_password": [message("password_current_wrong")]})
    check_new_password(user, new_password)
    if _password_ok(hasher, user.password_hash, new_password):
        raise ServiceError(422, "password_unchanged", errors={"new_password": [message("password_unchanged")]})
    user.password_hash = hasher.hash(new_password)
    user.must_change_password = False
    session.add(user)
    session.flush()
    logout_all(session, user_id=user.id, keep_token_id=token_id, now=now)
    audit.record(session, actor=actor, action="change_password", entity="user", entity_id=user.id)
    return user


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


def one_time_password() -> str:
    """8 digits, easy to type on a phone keypad, from the system's CSPRNG."""
    return f"{secrets.randbelow(10 ** 8):08d}"


def issue_one_time_password(session: Session, *, user: User, hasher: PasswordHasher) -> str:
    """Give ``user`` a fresh one-time password (8 digits, easy to type on a phone keypad): only its
    hash is stored, and ``must_change_password`` is set. The clear password is returned once."""
    password = one_time_password()
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
