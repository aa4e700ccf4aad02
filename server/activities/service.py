"""Volunteer team activities (seed 000 item 3): logged by the team's volunteers or township staff."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server import clock
from server.activities.events import activity_logged
from server.activities.models import (
    ActivityPerson,
    VolunteerActivity,
    VolunteerTeam,
    VolunteerTeamMember,
)
from server.auth import roles
from server.auth.actor import Actor
from server.auth.models import User
from server.errors import ServiceError
from server.people import service as people
from server.people.models import Person
from server.photos import service as photos
from server.photos.models import VisitPhoto
from server.photos.storage import PhotoStore
from server.places import service as places
from server.places.models import Place
from server.places.policy import manages_place


def volunteer_townships(session: Session, user: User) -> list[int]:
    """The townships of the teams a volunteer belongs to."""
    return list(
        session.scalars(
            select(VolunteerTeam.township_id)
            .join(VolunteerTeamMember, VolunteerTeamMember.team_id == VolunteerTeam.id)
            .where(VolunteerTeamMember.user_id == user.id)
        )
    )


@people.sees_persons(roles.VOLUNTEER)
def _volunteer_sees(session: Session, user: User):
    """A volunteer sees the names and villages of their teams' townships, for activity logging."""
    townships = [session.get(Place, tid) for tid in volunteer_townships(session, user)]
    if not townships:
        return sa.false()
    return Person.village_id.in_(select(Place.id).where(sa.or_(*(places.subtree_filter(t) for t in townships))))


def is_member(session: Session, user_id: int, team_id: int) -> bool:
    return session.get(VolunteerTeamMember, (team_id, user_id)) is not None


def may_log(session: Session, actor: Actor, team: VolunteerTeam) -> bool:
    if roles.is_volunteer(actor.user):
        return is_member(session, actor.user.id, team.id)
    return manages_place(session, actor.user, session.get(Place, team.township_id))


def read_photo(session: Session, actor: Actor, activity_id: int, *, thumb: bool) -> None:
    """Who may read a team activity's photo: the team and its township's staff
    (registered with ``server.photos.service.register_reader``)."""
    team = session.get(VolunteerTeam, session.get(VolunteerActivity, activity_id).team_id)
    if not may_log(session, actor, team):
        raise ServiceError(403, "forbidden_role")


def create(session: Session, *, actor: Actor, data: dict, files: list[bytes], store: PhotoStore,
           photo_settings: photos.PhotoSettings, zone: ZoneInfo,
           now: datetime | None = None) -> tuple[VolunteerActivity, bool]:
    """Store an activity; returns it and whether it was created (False: a resend of one stored)."""
    if data.get("client_id"):
        existing = session.scalar(select(VolunteerActivity).where(VolunteerActivity.client_id == data["client_id"]))
        if existing is not None:
            if existing.created_by != actor.user.id or existing.team_id != data["team_id"]:
                raise ServiceError(422, "client_id_conflict", errors={"client_id": ["already used"]})
            return existing, False
    team = session.get(VolunteerTeam, data["team_id"])
    if team is None:
        raise ServiceError(404, "team_not_found")
    if not may_log(session, actor, team):
        raise ServiceError(403, "team_not_yours")
    place = places.get(session, data["place_id"])
    if not place.path.startswith(session.get(Place, team.township_id).path):
        raise ServiceError(422, "place_outside_team", errors={"place_id": ["not in the team's township"]})
    if data["held_on"] > clock.today(zone, now):
        raise ServiceError(422, "date_in_future", errors={"held_on": ["cannot be in the future"]})
    person_ids = _served(session, team, data.pop("person_ids", None) or [])
    photo_settings.check_count(files)
    processed = photos.process_all(files, limits=photo_settings.limits, zone=zone)
    # the people served are at least the persons it names
    data["people_served"] = max(data.get("people_served") or 0, len(person_ids))
    activity = VolunteerActivity(created_by=actor.user.id, **data)
    session.add(activity)
    session.flush()
    session.add_all(ActivityPerson(activity_id=activity.id, person_id=pid) for pid in person_ids)
    photos.attach(session, activity_id=activity.id, photos=processed, store=store)
    if person_ids:
        session.flush()
        # a month already closed hears of a visit logged late (its 月探访率 may change: an amendment)
        activity_logged.send(session, activity=activity, person_ids=person_ids, actor=actor, zone=zone,
                             now=now or clock.now())
    return activity, True


def _served(session: Session, team: VolunteerTeam, person_ids: list[int]) -> list[int]:
    """The persons an activity names, each once: on the register (active) in the team's township,
    or a 422 naming those that are not."""
    wanted = list(dict.fromkeys(person_ids))
    if not wanted:
        return []
    township = session.get(Place, team.township_id)
    found = set(session.scalars(
        select(Person.id).join(Place, Place.id == Person.village_id)
        .where(Person.id.in_(wanted), Person.status == "active", places.subtree_filter(township))))
    outside = [pid for pid in wanted if pid not in found]
    if outside:
        raise ServiceError(422, "activity_person_outside_team", errors={"person_ids": outside})
    return wanted


def persons_of(session: Session, activity_ids: list[int]) -> dict[int, list[int]]:
    """The persons each activity served."""
    out: dict[int, list[int]] = {a: [] for a in activity_ids}
    if activity_ids:
        for activity_id, person_id in session.execute(
                select(ActivityPerson.activity_id, ActivityPerson.person_id)
                .where(ActivityPerson.activity_id.in_(activity_ids)).order_by(ActivityPerson.person_id)):
            out[activity_id].append(person_id)
    return out


def visible_teams(session: Session, actor: Actor):
    user = actor.user
    stmt = select(VolunteerTeam.id)
    if roles.is_volunteer(user):
        return stmt.join(VolunteerTeamMember, VolunteerTeamMember.team_id == VolunteerTeam.id).where(
            VolunteerTeamMember.user_id == user.id)
    if roles.is_township_staff(user):
        home = session.get(Place, user.place_id)
        return stmt.join(Place, Place.id == VolunteerTeam.township_id).where(places.subtree_filter(home))
    if roles.is_district_admin(user):
        return stmt
    raise ServiceError(403, "forbidden_role")


def list_activities(session: Session, *, actor: Actor, team_id: int | None = None,
                    month: tuple[int, int] | None = None) -> list[VolunteerActivity]:
    stmt = select(VolunteerActivity).where(VolunteerActivity.team_id.in_(visible_teams(session, actor)))
    if team_id is not None:
        stmt = stmt.where(VolunteerActivity.team_id == team_id)
    if month is not None:
        y, m = month
        stmt = stmt.where(VolunteerActivity.held_on >= date(y, m, 1),
                          VolunteerActivity.held_on < (date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)))
    return list(session.scalars(stmt.order_by(VolunteerActivity.held_on.desc(), VolunteerActivity.id.desc())))


def photos_of(session: Session, activity_ids: list[int]) -> dict[int, list[VisitPhoto]]:
    return photos.photos_of(session, activity_ids, owner="activity")


def teams(session: Session, *, actor: Actor) -> list[VolunteerTeam]:
    return list(session.scalars(select(VolunteerTeam).where(VolunteerTeam.id.in_(visible_teams(session, actor)))
                                .order_by(VolunteerTeam.id)))
