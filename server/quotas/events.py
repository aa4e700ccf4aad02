"""What amends a closed month (更正, server/quotas/close.py amend): the events of the rooms
below, subscribed to here — a review decided after the close, a late visit that counts, a stay
away recorded late, a volunteer activity logged late. Each closes the touched month again for
that person, only if the month is closed and something changed. Imported by the app's
composition root (server/__init__.py), so every process that decides visits subscribes."""

from __future__ import annotations

from server.activities.events import activity_logged
from server.people.events import absence_changed
from server.quotas import close
from server.visits.events import visit_decided


@visit_decided.connect
def _visit(session, *, visit_id, person_id, started_at, actor, zone, now, reason: str, **_) -> None:
    day = started_at.astimezone(zone).date()
    if (day.year, day.month) == (now.astimezone(zone).year, now.astimezone(zone).month):
        return  # the live month: nothing of it is closed (the check-in's hot path stops here)
    close.amend_months(session, person_ids=[person_id], first=day, last=day, zone=zone, reason=reason,
                       ref=visit_id, actor=actor, now=now)


@absence_changed.connect
def _absence(session, *, person_id, first, last, absence_id, actor, zone, now, **_) -> None:
    close.amend_months(session, person_ids=[person_id], first=first, last=last, zone=zone, reason="absence",
                       ref=absence_id, actor=actor, now=now)


@activity_logged.connect
def _activity(session, *, activity, person_ids, actor, zone, now, **_) -> None:
    close.amend_months(session, person_ids=person_ids, first=activity.held_on, last=activity.held_on, zone=zone,
                       reason="volunteer_activity", ref=activity.id, actor=actor, now=now)
