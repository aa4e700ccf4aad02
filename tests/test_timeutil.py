from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from server.clock import today
from server.db import UTCDateTime
from server.timeutil import age_on, month_bounds

SH = ZoneInfo("Asia/Shanghai")


def test_month_starts_at_midnight_in_shanghai():
    start, end = month_bounds(2026, 11, SH)
    assert start == datetime(2026, 10, 31, 16, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    start, end = month_bounds(2026, 12, SH)
    assert end == datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)


def test_local_day_on_both_sides_of_midnight():
    assert today(SH, datetime(2026, 11, 30, 15, 59, 59, tzinfo=timezone.utc)) == date(2026, 11, 30)
    assert today(SH, datetime(2026, 11, 30, 16, 0, 0, tzinfo=timezone.utc)) == date(2026, 12, 1)


def test_age():
    assert age_on(date(1950, 5, 17), date(2026, 5, 16)) == 75
    assert age_on(date(1950, 5, 17), date(2026, 5, 17)) == 76


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), dialect=None)
