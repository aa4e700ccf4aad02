"""The yearly health check's reminder (seed 000 item 4): township staff learn how many people of
the policy's age and over are still due; who is due is the campaign's rule. The jobs claim the
period and deliver."""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from server.alerts.service import staff_of
from server.campaigns import service as campaigns
from server.messages import text
from server.notify import service as notify
from server.places.models import Place
from server.quotas import service as quotas


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
    health check (seed 000 item 4): who is due is the campaign's rule (``campaigns.undone_counts``)."""
    year = str(now.astimezone(zone).year)
    min_age = quotas.schedule(session).health_check_min_age
    due = campaigns.undone_counts(session, kind="health_check", label=year)

    def body_for(township: Place) -> str | None:
        n = due.get(township.id)
        return text("reminder.health_check.body", count=n, age=min_age) if n else None

    sent = _notify_all_township_staff(session, kind="health_check", title=text("reminder.health_check.title"),
                                      body_for=body_for, dedupe_key=f"health:{year}", now=now)
    return {"notified": sent}
