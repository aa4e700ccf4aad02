"""Logins, tokens and one's own password. (Roles: ``server.auth.roles``; place scope:
``server.places.policy``; logins as staff manage them: ``server.users.service``.)"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from zxcvbn import zxcvbn
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlmodel import Session

from server import clock
from server.auth.actor import Actor
from server.auth.events import password_changed
from server.auth.models import AuthToken, LoginFailure, User
from server.db import on_postgresql
from server.errors import ServiceError, message


def make_hasher(*, time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


# A batch's hashes run on this many threads at most: argon2 releases the GIL while it hashes, and
# each running hash holds its memory_cost (64 MiB by default), so no more than the cores, nor 4.
HASH_THREADS = max(1, min(4, os.cpu_count() or 1))
# ... and so many run at once in a process, whatever asks: a burst of logins on a worker's eight
# threads would otherwise hold 8 × 64 MiB (issue 30 L13); the others wait their turn.
_HASHING = threading.BoundedSemaphore(HASH_THREADS)


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """``hasher.hash(password)``, one of the HASH_THREADS hashes a process runs at once."""
    with _HASHING:
        return hasher.hash(password)


def hash_many(hasher: PasswordHasher, passwords: list[str]) -> list[str]:
    """``hasher.hash`` of each password, in order, the batch split over HASH_THREADS threads: a
    roster's 12,000 new logins at the production cost are minutes of hashing on one core."""
    threads = min(HASH_THREADS, len(passwords) // 8)  # 8 hashes a thread at least
    if threads < 2:
        return [hash_password(hasher, p) for p in passwords]
    with ThreadPoolExecutor(threads, thread_name_prefix="hash") as pool:
        parts = list(pool.map(lambda part: [hash_password(hasher, p) for p in part],
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


# An attempt is *pending* while its password is checked. Pending attempts never count as failures:
# only one whose check went wrong does (issue 30 M1/M2: six right passwords at once locked the
# account, forty caregivers behind one township's NAT were throttled). They only keep the limits
# tight: an attempt that would take the account's or the address's pending and failed attempts
# past the allowance waits for those before it to settle, so that concurrent guesses are checked
# no more often than sequential ones.
PENDING_SECONDS = 60  # a pending attempt older than this never settled (its worker died): a failure
WAIT_STEP_SECONDS = 0.05
WAIT_STEPS = 300  # 15 s behind others at most, then 429 login_busy: the client tries again


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

    1. the attempt is reserved, under a lock: a pending ``LoginFailure`` row for the address and
       the name. Refused at once while the account is locked or the address has
       ``address_max_failures`` failures in the window; made to wait (``_reserve``) while the
       pending attempts would carry either past its allowance. Committed here.
    2. the password is checked and the reservation settled: a success deletes the row; a failure
       marks it failed and adds one to the account's ``failed_logins``, the ``max_failures``-th
       locking the account.

    An unknown username does the same work (a check against a dummy hash) and gets the same
    answers, locks included, from the failures stored under its name.

    Failures are written to the session before the error is raised: the caller must commit
    them (they are what locks the account and slows the address).
    """
    now = now or clock.now()
    username = username[:40]

    # --- 1. reserve the attempt ------------------------------------------------------------
    reservation, user, failures_before = _reserve(session, username=username, address=address, policy=policy,
                                                  now=now)

    # --- 2. check the password, settle ----------------------------------------------------------
    ok = password_ok(hasher, user.password_hash if user is not None else _dummy_hash(hasher), password)
    # settled under the name's lock: a reservation's reads (failures, then those in flight) are
    # then of one state, not one before and one after a settlement committed between them
    _serialise(session, "login-username", username)
    if user is None:
        _failed(session, reservation)
        if _name_failures(session, username, now=now) % policy.max_failures == 0:
            raise _locked(policy.lock_minutes)
        raise ServiceError(401, "bad_credentials")

    if not ok:
        _failed(session, reservation)
        _count_failure(session, user.id, policy=policy, now=now)
        raise ServiceError(401, "bad_credentials")

    _forget(session, reservation)  # not a failure
    user.failed_logins = 0
    user.locked_until = None
    if not user.is_active:
        session.flush()
        raise ServiceError(403, "account_disabled")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(hasher, password)
    issued = issue_token(session, user=user, ttl=timedelta(hours=policy.token_ttl_hours), now=now)
    # Old expired tokens of this user are of no use to anyone.
    session.execute(delete(AuthToken).where(AuthToken.user_id == user.id, AuthToken.expires_at < now))
    return issued


def _reserve(session: Session, *, username: str, address: str, policy: LoginPolicy,
             now: datetime) -> tuple[int, User | None, int]:
    """Reserve a login attempt: (the pending row's id, the account or None, the failures counted
    against the name before this attempt). Committed. Waits, in steps of WAIT_STEP_SECONDS, while
    the attempts in flight would carry the account or the address past its allowance."""
    settled, in_flight = _settled(now), ~_settled(now)
    window_start = now - timedelta(minutes=policy.address_window_minutes)
    for _ in range(WAIT_STEPS):
        _serialise(session, "login-address", address)
        _serialise(session, "login-username", username)
        # the first statement writes: on SQLite that begins the transaction IMMEDIATE (server.db)
        reservation = session.scalar(insert(LoginFailure).values(address=address, username=username, at=now,
                                                                 pending=True).returning(LoginFailure.id))
        others = LoginFailure.id != reservation
        by_address = (LoginFailure.address == address, LoginFailure.at >= window_start, others)
        failed, pending = session.execute(select(
            func.count().filter(settled), func.count().filter(in_flight)).where(*by_address)).one()
        if failed >= policy.address_max_failures:
            oldest = session.scalar(select(func.min(LoginFailure.at)).where(*by_address, settled))
            session.rollback()
            minutes = _minutes_until(oldest + timedelta(minutes=policy.address_window_minutes), now)
            raise ServiceError(429, "address_throttled", headers={"Retry-After": str(minutes * 60)}, minutes=minutes)
        crowded = failed + pending >= policy.address_max_failures

        user = session.scalar(select(User).where(User.username == username).execution_options(populate_existing=True))
        if user is not None and user.locked_until is not None and user.locked_until > now:
            minutes = _minutes_until(user.locked_until, now)
            session.rollback()
            raise _locked(minutes)
        if user is None:
            failures_before = _unknown_name_failures(session, username=username, policy=policy, now=now)
        else:
            failures_before = user.failed_logins  # a lock, once run out, left a fresh allowance (_lock)
        name_pending = session.scalar(select(func.count()).where(LoginFailure.username == username, in_flight, others))
        if not crowded and name_pending < policy.max_failures - failures_before % policy.max_failures:
            session.commit()
            return reservation, user, failures_before
        session.rollback()  # let those in flight settle
        time.sleep(WAIT_STEP_SECONDS)
    raise ServiceError(429, "login_busy", headers={"Retry-After": "5"})


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


def _failed(session: Session, reservation: int) -> None:
    session.execute(update(LoginFailure).where(LoginFailure.id == reservation).values(pending=False)
                    .execution_options(synchronize_session=False))


def _locked(minutes: int) -> ServiceError:
    return ServiceError(429, "account_locked", headers={"Retry-After": str(minutes * 60)}, minutes=minutes)


def _count_failure(session: Session, user_id: int, *, policy: LoginPolicy, now: datetime) -> None:
    """A wrong password against the account: the ``max_failures``-th in a row locks it (raised)."""
    failures = session.scalar(update(User).where(User.id == user_id)
                              .values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)
                              .execution_options(synchronize_session=False))
    if failures >= policy.max_failures:
        _lock(session, user_id, policy=policy, now=now)
        raise _locked(policy.lock_minutes)


def _lock(session: Session, user_id: int, *, policy: LoginPolicy, now: datetime) -> None:
    session.execute(
        update(User).where(User.id == user_id)
        .values(locked_until=now + timedelta(minutes=policy.lock_minutes), failed_logins=0)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def _settled(now: datetime):
    """The attempts whose check has ended (or, pending past PENDING_SECONDS, never will): failures."""
    return or_(LoginFailure.pending.is_(False), LoginFailure.at < now - timedelta(seconds=PENDING_SECONDS))


def _name_failures(session: Session, username: str, *, now: datetime) -> int:
    return session.scalar(select(func.count()).where(LoginFailure.username == username, _settled(now)))


def _unknown_name_failures(session: Session, *, username: str, policy: LoginPolicy, now: datetime) -> int:
    """What an account would answer, for a username no account has: its failures are the
    settled ``LoginFailure`` rows under its name, which (since a locked account stores none)
    come in runs of ``max_failures``, the last of each run starting a lock. Returns the failures
    before this attempt; raises ``account_locked`` (rolling back) while the last run's lock holds."""
    before, last = session.execute(select(func.count(), func.max(LoginFailure.at))
                                   .where(LoginFailure.username == username, _settled(now))).one()
    if before and before % policy.max_failures == 0:
        until = last + timedelta(minutes=policy.lock_minutes)
        if until > now:
            session.rollback()
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


def password_ok(hasher: PasswordHasher, stored: str, given: str) -> bool:
    """Whether ``given`` matches ``stored``: one of the HASH_THREADS hashes a process runs at once."""
    try:
        with _HASHING:
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
# zxcvbn's score (0–4) a chosen password needs: 2 is "somewhat guessable: protection from
# unthrottled online attacks" (zxcvbn's README) — logins here are throttled and locked besides.
# The username plus a letter scores 1 (issue 30 L8).
PASSWORD_MIN_SCORE = 2


def check_new_password(user: User, password: str) -> None:
    """The rules a password one chooses must meet (422 on ``new_password`` otherwise)."""
    problem = None
    own = [v for v in (user.username, user.phone, user.display_name) if v]
    if len(password) < PASSWORD_MIN_LENGTH:
        problem = "password_too_short"
    elif password.strip().lower() in {v.lower() for v in own}:
        problem = "password_is_username"
    elif zxcvbn(password, user_inputs=own)["score"] < PASSWORD_MIN_SCORE:
        problem = "password_too_weak"
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
    policy: LoginPolicy,
    now: datetime | None = None,
) -> User:
    """Change one's own password: the current one must be right (a wrong one counts as a failed
    login, and locks the account as they do). Clears ``must_change_password``
    and revokes every other token of the user (the one this request carries stays)."""
    now = now or clock.now()
    user = session.get(User, actor.user.id)
    # a held token guesses the current password no more often than a login could (issue 30 L5):
    # the same failures, the same lock; the caller commits them though the request fails
    if user.locked_until is not None and user.locked_until > now:
        raise _locked(_minutes_until(user.locked_until, now))
    if not password_ok(hasher, user.password_hash, current_password):
        _count_failure(session, user.id, policy=policy, now=now)
        raise ServiceError(422, "password_current_wrong",
                           errors={"current_password": [message("password_current_wrong")]})
    check_new_password(user, new_password)
    if password_ok(hasher, user.password_hash, new_password):
        raise ServiceError(422, "password_unchanged", errors={"new_password": [message("password_unchanged")]})
    user.password_hash = hash_password(hasher, new_password)
    user.must_change_password = False
    user.failed_logins = 0
    session.add(user)
    session.flush()
    logout_all(session, user_id=user.id, keep_token_id=token_id, now=now)
    password_changed.send(session, actor=actor, user=user)  # the users room audits it
    return user


def one_time_password() -> str:
    """8 digits, easy to type on a phone keypad, from the system's CSPRNG."""
    return f"{secrets.randbelow(10 ** 8):08d}"


def issue_one_time_password(session: Session, *, user: User, hasher: PasswordHasher) -> str:
    """Give ``user`` a fresh one-time password (8 digits, easy to type on a phone keypad): only its
    hash is stored, and ``must_change_password`` is set. The clear password is returned once."""
    password = one_time_password()
    user.password_hash = hash_password(hasher, password)
    user.must_change_password = True
    session.add(user)
    session.flush()
    return password
