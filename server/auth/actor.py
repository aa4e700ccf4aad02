"""Who is acting: services take this instead of a request."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.models import User


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from which address; services take this instead of a request."""

    user: User
    address: str | None = None
