"""Times are stored in UTC; days and months are those of the configured zone
(Asia/Shanghai by default), where the caregivers and their quotas live."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo


def day_bounds(moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The local day around ``moment``: its start, and the next day's."""
    start = moment.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which a local month starts and the next one starts."""
    start = datetime(year, month, 1, tzinfo=tz)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(timezone.utc), nxt.astimezone(timezone.utc)


def month_before(year: int, month: int) -> tuple[int, int]:
    """(year, month) of the month before."""
    return (year, month - 1) if month > 1 else (year - 1, 12)


def months_to(year: int, month: int, n: int) -> list[tuple[int, int]]:
    """The ``n`` months that end with (year, month), oldest first."""
    months = [(year, month)]
    while len(months) < n:
        months.append(month_before(*months[-1]))
    return months[::-1]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
