from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime


class User(SQLModel, table=True):
    """Someone who logs in.

    caregiver — 日常照料服务人, signs the care agreement (委托照料服务协议, seed 001 §二(一)1);
    volunteer — 志愿者 of a township volunteer team (seed 000 item 3);
    township_staff — 镇街专职人员 (seed 000 item 1); district_admin — 区/旗民政局.
    ``place_id`` is the home place: the township of its staff, the district of its admins,
    the village (or township) a caregiver or volunteer lives in.
    """

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    display_name: str = Field(max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    place_id: int = Field(foreign_key="place.id", index=True)
    is_active: bool = Field(default=True)
    # set for accounts given a one-time password (roster import): the password must be changed at first login
    must_change_password: bool = Field(default=False)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class AuthToken(SQLModel, table=True):
    """An opaque bearer token; only its SHA-256 is stored, so a database leak logs no one in."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    """A failed login, kept to slow an address that guesses many accounts and to lock a name no
    account has; ``pending`` while its password is being checked (server.auth.service.login)."""

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=45, index=True)
    username: str = Field(max_length=40)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    pending: bool = Field(default=False)
