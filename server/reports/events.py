"""What the reports room writes when the month close writes a month (server/quotas/close.py
``month_written``): the care homes' record of it (server/care/record.py) — annex 2 as counted on
the month's last day and the top-up's stays at each resident's self-care level then, which only a
room above both care and assessments can count. Imported by the app's composition root
(server/__init__.py), so the scheduler's month close writes it too."""

from __future__ import annotations

from server.assessments import service as assessments
from server.care import record
from server.quotas.close import month_written


@month_written.connect
def _care_homes(session, *, year, month, now, **_) -> None:
    record.write(session, year=year, month=month, now=now, levels=assessments.levels_on)
