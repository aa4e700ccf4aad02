from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel

# Who forms township volunteer teams (seed 000 item 3).
TEAM_KINDS = ("youth_league", "womens_federation", "disability_federation", "party_members", "grid_workers", "other")


class VolunteerTeam(SQLModel, table=True):
    """志愿服务队 of a township: at least one activity a month (seed 000 item 3)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    kind: str = Field(default="other", max_length=30)
    township_id: int = Field(foreign_key="place.id", index=True)


class VolunteerTeamMember(SQLModel, table=True):
    """A volunteer's membership of a team."""

    team_id: int = Field(foreign_key="volunteerteam.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, index=True)


ACTIVITY_KINDS = ("policy_publicity", "visit", "cleanup_help", "festival_visit", "other")


class VolunteerActivity(SQLModel, table=True):
    """A volunteer team's activity (seed 000 item 3: at least one a month per team): policy
    publicity, visits, help with cleaning, festival visits."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: str | None = Field(default=None, max_length=36, unique=True,
                                  description="made on the phone, so an outbox resend is stored once")
    team_id: int = Field(foreign_key="volunteerteam.id", index=True)
    kind: str = Field(max_length=20)
    held_on: date = Field(index=True)
    place_id: int = Field(foreign_key="place.id")
    participants: int = 0
    people_served: int = 0
    note: str | None = Field(default=None, max_length=500)
    created_by: int | None = Field(default=None, foreign_key="app_user.id")


class ActivityPerson(SQLModel, table=True):
    """A person a volunteer activity served (走访慰问 and the like, seed 000 item 3): it makes them
    visited in the month's 月探访率 where the district's policy counts volunteer visits
    (SchedulePolicy.volunteer_visits_count), never toward a caregiver's quota."""

    activity_id: int = Field(foreign_key="volunteeractivity.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
