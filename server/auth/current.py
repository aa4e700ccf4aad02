"""The logged-in user of the current request."""

from __future__ import annotations

import functools

from flask import current_app, g, request

from server.auth import service
from server.auth.actor import Actor
from server.auth.models import User
from server.db import get_session
from server.errors import fail


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def login_required(*roles: str, before_password_change: bool = False):
    """Require a valid bearer token, and one of ``roles`` when given.

    A user who must change their password (a one-time password from an import or a reset) is
    refused everywhere (403 ``password_change_required``) but on the few views marked
    ``before_password_change``: reading who they are, setting the password, logging out."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = bearer_token()
            if token is None:
                fail(401, "unauthenticated", headers={"WWW-Authenticate": "Bearer"})
            found = service.user_for_token(get_session(), token=token)
            if found is None:
                fail(401, "token_invalid", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            g.user = found
            if found.must_change_password and not before_password_change:
                fail(403, "password_change_required")
            if roles and g.user.role not in roles:
                fail(403, "forbidden_role")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def current_user() -> User:
    """The logged-in user: a read-only row with the User's columns (see service.user_for_token)."""
    return g.user


def current_actor() -> Actor:
    return Actor(user=g.user, address=request.remote_addr)


def hasher():
    """The app's password hasher (argon2, its cost from the configuration; create_app makes it)."""
    return current_app.extensions["zhaoying.hasher"]
