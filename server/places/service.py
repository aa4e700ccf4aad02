from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from server.auth.actor import Actor
from server.errors import ServiceError
from server.places.models import CHILD_LEVEL, Place, subtree_filter  # noqa: F401  (used through this module)
from server.places.policy import require_manages


def get(session: Session, place_id: int) -> Place:
    place = session.get(Place, place_id)
    if place is None:
        raise ServiceError(404, "place_not_found")
    return place


def names(session: Session, ids) -> dict[int, str]:
    """Place id → name, of the places ``ids``."""
    return dict(session.execute(select(Place.id, Place.name).where(Place.id.in_(set(ids)))).all())


def children(session: Session, *, parent_id: int | None) -> list[Place]:
    stmt = select(Place).order_by(Place.id)
    if parent_id is None:
        stmt = stmt.where(Place.parent_id.is_(None))
    else:
        get(session, parent_id)
        stmt = stmt.where(Place.parent_id == parent_id)
    return list(session.scalars(stmt))


def create(session: Session, *, actor: Actor | None, name: str, level: str, parent_id: int | None = None,
           code: str | None = None) -> Place:
    if parent_id is None:
        if level != "district":
            raise ServiceError(422, "root_must_be_district")
        parent = None
    else:
        parent = get(session, parent_id)
        if actor is not None:
            require_manages(session, actor.user, parent)
        expected = CHILD_LEVEL.get(parent.level)
        if level != expected:
            raise ServiceError(422, "parent_level", level=parent.level, child=expected or "—")
    place = Place(name=name, level=level, parent_id=parent_id, code=code)
    session.add(place)
    session.flush()
    place.path = f"{parent.path if parent else '/'}{place.id}/"
    session.flush()
    return place


def office_name(place: Place) -> str:
    """Who files a form for ``place`` (填报单位): a district's civil affairs bureau by the district's
    own name (敖汉旗民政局), a township by its name."""
    return f"{place.name}民政局" if place.level == "district" else place.name


def child_on_path(path: str, place: Place) -> int | None:
    """The id of ``place``'s child that a place's ``path`` runs through (None: the place itself)."""
    ids = [int(x) for x in path.strip("/").split("/")]
    here = ids.index(place.id)
    return ids[here + 1] if here + 1 < len(ids) else None


def township_rows(session: Session, place: Place) -> list[Place]:
    """The townships a report of ``place`` has a row for: a district's, or the township itself."""
    if place.level == "district":
        return list(session.scalars(select(Place).where(Place.parent_id == place.id).order_by(Place.id)))
    if place.level == "township":
        return [place]
    raise ServiceError(422, "validation", errors={"place_id": ["a district or a township"]})
