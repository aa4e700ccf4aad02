"""Scope: which places a user manages. Every "is that place yours?" check is answered here.

(Persons have their guards beside their own rules: ``server.people.service.managed_person``
and ``visible_person``.)
"""

from __future__ import annotations

from sqlmodel import Session

from server.auth.roles import is_district_admin, is_township_staff
from server.errors import ServiceError
from server.places.models import Place


def home_place(session: Session, user) -> Place:
    return session.get(Place, user.place_id)


def manages_place(session: Session, user, place: Place) -> bool:
    """District admins manage everything, township staff their own place and what lies
    under it; caregivers and volunteers manage no place."""
    if is_district_admin(user):
        return True
    if not is_township_staff(user):
        return False
    return place.path.startswith(home_place(session, user).path)


def require_manages(session: Session, user, place: Place) -> Place:
    """``place``, when ``user`` manages it; else 403 place_out_of_scope."""
    if not manages_place(session, user, place):
        raise ServiceError(403, "place_out_of_scope")
    return place


def managed_place(session: Session, user, place_id: int) -> Place:
    """The place ``place_id`` (404 place_not_found), when ``user`` manages it (403 place_out_of_scope)."""
    place = session.get(Place, place_id)
    if place is None:
        raise ServiceError(404, "place_not_found")
    return require_manages(session, user, place)


def township_of(session: Session, place: Place) -> Place | None:
    """The township a place lies in (itself when it is one); None above township level."""
    for pid in _path_ids(place):
        candidate = session.get(Place, pid)
        if candidate.level == "township":
            return candidate
    return None


def _path_ids(place: Place) -> list[int]:
    return [int(p) for p in place.path.strip("/").split("/") if p]
