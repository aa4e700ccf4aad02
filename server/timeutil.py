"""Times are stored in UTC; days and months are those of the configured zone
(Asia/Shanghai by default), where the caregivers and their quotas live."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def zone(name: str | None = None) -> ZoneInfo:
    if name is None:
        name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local_today(tz: ZoneInfo | None = None, now: datetime | None = None) -> date:
    now = now or datetime.now(timezone.utc)
    return now.astimezone(tz or zone()).date()


def this_month(tz: ZoneInfo | None = None) -> tuple[int, int]:
    today = local_today(tz)
    return today.year, today.month


def day_bounds(moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The local day around ``moment``: its start, and the next day's."""
    from datetime import timedelta

    start = moment.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def month_bounds(year: int, month: int, tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The UTC instants at which a local month starts and the next one starts."""
    tz = tz or zone()
    start = datetime(year, month, 1, tzinfo=tz)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(timezone.utc), nxt.astimezone(timezone.utc)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
