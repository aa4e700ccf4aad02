from __future__ import annotations

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
