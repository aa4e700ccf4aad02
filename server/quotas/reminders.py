"""Reminders the schedule asks for: caregivers behind the month's pace, volunteer teams idle this
month, the yearly health check (the periodic review's are in server/reviews/service.py). Each puts
its messages in the inboxes (once per dedupe key) and says what it did; the jobs claim the period
and deliver."""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server.activities.models import (
    VolunteerActivity,
    VolunteerTeam,
    VolunteerTeamMember,
)
from server.alerts.service import staff_of
from server.campaigns import service as campaigns
from server.messages import text
from server.notify import service as notify
from server.places.models import Place
from server.quotas import service as quotas


def remind_behind_pace(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """One reminder a day to each caregiver behind the month's pace, naming whom to visit."""
    day = now.astimezone(zone).date().isoformat()
    behind: dict[int, list[str]] = {}
    for b in quotas.behind_pace(session, now=now, zone=zone):
        behind.setdefault(b.caregiver_id, []).append(
            text("reminder.visits.person", name=b.name, done=b.done, quota=b.quota))
    sent = 0
    for caregiver_id, names in behind.items():
        body = text("reminder.visits.body", names=text("reminder.visits.separator").join(names[:10]))
        sent += len(notify.notify(session, user_ids=[caregiver_id], kind="reminder",
                                  title=text("reminder.visits.title"), body=body, dedupe_key=f"remind:{day}", now=now,
                                  url="/#/home"))
    return {"caregivers_reminded": sent}


def remind_idle_volunteer_teams(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """A volunteer team that has logged nothing this month, and its township's staff, are reminded
    (seed 000 item 3)."""
    local = now.astimezone(zone)
    first = local.date().replace(day=1)
    idle = list(session.scalars(select(VolunteerTeam.id).where(~sa.exists().where(
        VolunteerActivity.team_id == VolunteerTeam.id, VolunteerActivity.held_on >= first))))
    notified = 0
    for team_id in idle:
        team = session.get(VolunteerTeam, team_id)
        members = session.scalars(select(VolunteerTeamMember.user_id).where(VolunteerTeamMember.team_id == team_id))
        users = list(members) + staff_of(session, team.township_id)
        notified += len(notify.notify(session, user_ids=users, kind="volunteer_reminder",
                                      title=text("reminder.volunteer.title"),
                                      body=text("reminder.volunteer.body", team=team.name),
                                      dedupe_key=f"volunteer:{team_id}:{local:%Y-%m}", now=now))
    return {"idle_teams": len(idle), "notified": notified}


def _notify_all_township_staff(session: Session, *, kind: str, title: str, body_for: Callable[[Place], str | None],
                               dedupe_key: str, now: datetime) -> int:
    sent = 0
    for township in session.scalars(select(Place).where(Place.level == "township")):
        body = body_for(township)
        if body:
            sent += len(notify.notify(session, user_ids=staff_of(session, township.id), kind=kind, title=title,
                                      body=body, dedupe_key=dedupe_key, now=now))
    return sent


def remind_health_checks(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """Township staff learn how many people of the policy's age and over are due this year's free
    health check (seed 000 item 4): who is due is the campaign's rule (server/campaigns)."""
    year = str(now.astimezone(zone).year)
    min_age = quotas.schedule(session).health_check_min_age
    due = campaigns.undone_counts(session, kind="health_check", label=year)

    def body_for(township: Place) -> str | None:
        n = due.get(township.id)
        return text("reminder.health_check.body", count=n, age=min_age) if n else None

    sent = _notify_all_township_staff(session, kind="health_check", title=text("reminder.health_check.title"),
                                      body_for=body_for, dedupe_key=f"health:{year}", now=now)
    return {"notified": sent}
