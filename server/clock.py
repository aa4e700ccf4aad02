"""The server's one clock.

Every instant the server stamps or compares comes from ``now()`` here, or from a caller that
passes its own (a job run for an instant T passes T all the way down). Days and months are those
of the configured zone: ``today(zone)`` — never the machine's date, which is UTC and differs from
Shanghai's between 16:00 and 24:00 UTC. Tests freeze this clock with time-machine.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


def today(zone: ZoneInfo, at: datetime | None = None) -> date:
    """The local date in ``zone`` at ``at`` (default: now)."""
    return (at or now()).astimezone(zone).date()
