"""What the month close writes of the care homes, and what a closed month's reports read back.

The close (server/quotas/close.py ``write_month``) tells that it wrote a month by its
``month_written`` event; the room above that knows self-care levels by date subscribes
(server/reports/events.py) and calls ``write``: CareMonth (the occupancy target then, the top-up's
amounts in force), a CareHomeMonth row per home as annex 2 counts it on the month's last day, and a
CareTopupMonth row per stay the top-up counts. From then on annex 2 and the top-up report of that
month read these rows (``annex_rows``, ``topup.recorded``), never today's homes, target or amounts
— a closed month is a record. A month closed before the record was kept has none, and is counted
from the dated stays as they stand (its note says so).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server.care import service, topup
from server.care.models import CareHome, CareHomeMonth, CareMonth, CareTopupMonth
from server.places import service as place_service


def of(session: Session, month: str) -> CareMonth | None:
    """The care homes' record of ``month`` (YYYY-MM), if the month close wrote one."""
    return session.get(CareMonth, month)


def write(session: Session, *, year: int, month: int, now: datetime,
          levels: Callable[[Session, list[int], date], dict[int, str]] | None = None) -> CareMonth:
    """Write the care homes' record of the month (a record written before is replaced): a home a
    row, a stay a row (a district's homes number tens and their residents hundreds, so rows, not
    INSERT … SELECT)."""
    label = topup.label(year, month)
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    for model in (CareTopupMonth, CareHomeMonth, CareMonth):
        session.execute(sa.delete(model).where(model.month == label))
    rates = topup.in_force(session, label)
    record = CareMonth(month=label, written_at=now,
                       occupancy_target_percent=service.home_policy(session).occupancy_target_percent,
                       topup_fully_disabled=rates.topup_fully_disabled, topup_partly_disabled=rates.topup_partly_disabled,
                       topup_local=rates.id is not None)
    session.add(record)
    session.flush()
    ours = service.roster_residents(session, on=last)
    session.add_all([CareHomeMonth(month=label, care_home_id=h.id, seq=h.seq, name=h.name, place_id=h.place_id,
                                   beds=h.beds, roster_residents=ours.get(h.id, 0), other_residents=h.other_residents,
                                   staff=h.staff, head_name=h.head_name, phone=h.phone)
                     for h in session.scalars(select(CareHome))])
    session.add_all([CareTopupMonth(month=label, residence_id=s.residence_id, person_id=s.person.id,
                                    care_home_id=s.home_id, start_on=s.start_on, end_on=s.end_on,
                                    self_care_level=s.level, amount=s.amount)
                     for s in topup.counted(session, place=None, first=first, last=last, policy=rates, levels=levels)])
    session.flush()
    return record


def annex_rows(session: Session, record: CareMonth) -> list[dict]:
    """Every home as the record of its month counted it (annex 2's lines, as ``service.home_rows``)."""
    homes = session.scalars(select(CareHomeMonth).where(CareHomeMonth.month == record.month)
                            .order_by(CareHomeMonth.seq, CareHomeMonth.care_home_id)).all()
    places = place_service.names(session, (h.place_id for h in homes))
    return [service.annex_row(h.care_home_id, h, roster_residents=h.roster_residents,
                              percent=record.occupancy_target_percent, place_name=places.get(h.place_id)) for h in homes]
