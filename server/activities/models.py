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
