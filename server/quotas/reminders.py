"""Reminders the schedule asks for: caregivers behind the month's pace, volunteer teams idle this
month (the yearly health check's are in server/campaigns/reminders.py, the periodic review's in
server/reviews/service.py). Each puts its messages in the inboxes (once per dedupe key) and says
what it did; the jobs claim the period and deliver."""

from __future__ import annotations

from datetime import datetime
from itertools import groupby, islice
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server.activities.models import (
    VolunteerActivity,
    VolunteerTeam,
    VolunteerTeamMember,
)
from server.alerts.service import is_staff_of
from server.auth.models import User
from server.messages import text, text_sql
from server.notify import service as notify
from server.quotas import service as quotas


REMINDER_BATCH = 20_000  # reminders built in Python and written at a time (db.insert_new)


def remind_behind_pace(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """One reminder a day to each caregiver behind the month's pace, naming whom to visit (the
    first ten): who is behind comes from the database in caregiver order (quotas.behind_pace), and
    the reminders are written in batches (notify.notify_many), not one statement each."""
    day = now.astimezone(zone).date().isoformat()
    title, separator = text("reminder.visits.title"), text("reminder.visits.separator")
    sent, batch = 0, []
    for caregiver_id, behind in groupby(quotas.behind_pace(session, now=now, zone=zone), key=lambda b: b.caregiver_id):
        names = [text("reminder.visits.person", name=b.name, done=b.done, quota=b.quota) for b in islice(behind, 10)]
        batch.append({"user_id": caregiver_id, "kind": "reminder", "title": title, "urgent": False,
                      "body": text("reminder.visits.body", names=separator.join(names)), "dedupe_key": f"remind:{day}",
                      "url": "/#/home"})
        if len(batch) == REMINDER_BATCH:
            sent += notify.notify_many(session, batch, now=now)
            batch = []
    sent += notify.notify_many(session, batch, now=now)
    return {"caregivers_reminded": sent}


def remind_idle_volunteer_teams(session: Session, *, now: datetime, zone: ZoneInfo) -> dict:
    """A volunteer team that has logged nothing this month, and its township's staff, are reminded
    (seed 000 item 3): one INSERT … SELECT for the members of every idle team and one for the
    staff, however many teams there are."""
    local = now.astimezone(zone)
    first = local.date().replace(day=1)
    idle = ~sa.exists().where(VolunteerActivity.team_id == VolunteerTeam.id, VolunteerActivity.held_on >= first)

    def to(user_id, *joins):
        stmt = select(user_id, sa.literal("volunteer_reminder"), sa.literal(text("reminder.volunteer.title")),
                      text_sql("reminder.volunteer.body", team=VolunteerTeam.name),
                      sa.literal("volunteer:") + sa.cast(VolunteerTeam.id, sa.String) + sa.literal(f":{local:%Y-%m}"),
                      sa.null(), sa.false(), sa.null())
        for target, on in joins:
            stmt = stmt.join(target, on)
        return stmt.where(idle)

    notified = notify.notify_select(session, to(VolunteerTeamMember.user_id, (
        VolunteerTeamMember, VolunteerTeamMember.team_id == VolunteerTeam.id)), now=now)
    notified += notify.notify_select(session, to(User.id, (User, is_staff_of(VolunteerTeam.township_id))), now=now)
    teams = session.scalar(select(sa.func.count()).select_from(VolunteerTeam).where(idle))
    return {"idle_teams": teams, "notified": notified}
