"""Seed 003's annex, 渝中区区级部门结对帮扶困难群众一览表, from the live roster: one row per street
office (township) with the units paired with it and its 低保 / 特困 / 特殊困难家庭 counts, a row for
each place no unit is paired with (the annex's 福利院), and the 合计 row."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import case, func, select
from sqlmodel import Session

from server.auth.actor import Actor
from server.messages import text
from server.pairing import service as pairing
from server.pairing.models import PairingUnit, UnitTownship
from server.people.models import ASSISTANCE_CATEGORIES, Person
from server.places.models import Place
from server.tables import Report

# on the roster: at home, or in a care home (the annex counts the 福利院 too)
ON_ROSTER = ("active", "centralised")
ANNEX_HEADERS = ["序号", "区级部门", "街道", "低保对象", "特困人员（孤儿）", "特殊困难家庭建档", "小计"]
# the annex's columns, in its order
ANNEX_CATEGORIES = ("dibao", "tekun", "special_hardship")
assert set(ANNEX_CATEGORIES) == set(ASSISTANCE_CATEGORIES)


def _townships(session: Session, place: Place) -> list[Place]:
    if place.level == "township":
        return [place]
    return list(session.scalars(select(Place).where(Place.parent_id == place.id, Place.level == "township")
                                .order_by(Place.id)))


def annex(session: Session, *, actor: Actor, place_id: int | None) -> Report:
    place = pairing.scope_place(session, actor, place_id)
    townships = _townships(session, place)
    village = sa.orm.aliased(Place)
    counts = {row[0]: row[1:] for row in session.execute(
        select(village.parent_id, *[func.sum(case((Person.assistance_category == c, 1), else_=0))
                                    for c in ANNEX_CATEGORIES])
        .join(village, village.id == Person.village_id)
        .where(Person.status.in_(ON_ROSTER), village.parent_id.in_([t.id for t in townships]))
        .group_by(village.parent_id)).all()}
    units: dict[int, list[str]] = {}
    first_unit: dict[int, int] = {}  # the annex lists streets in the order of their departments
    for township_id, unit_id, name in session.execute(
            select(UnitTownship.township_id, PairingUnit.id, PairingUnit.name)
            .join(PairingUnit, PairingUnit.id == UnitTownship.unit_id)
            .where(UnitTownship.township_id.in_([t.id for t in townships])).order_by(PairingUnit.id)):
        units.setdefault(township_id, []).append(name)
        first_unit.setdefault(township_id, unit_id)
    paired = sorted((t for t in townships if t.id in units), key=lambda t: (first_unit[t.id], t.id))
    unpaired = [t for t in townships if t.id not in units]
    rows, totals = [], [0, 0, 0]
    for seq, t in enumerate(paired, start=1):
        figures = [int(v or 0) for v in counts.get(t.id, (0, 0, 0))]
        rows.append([seq, "、".join(units[t.id]), t.name, *figures, sum(figures)])
        totals = [a + b for a, b in zip(totals, figures)]
    for t in unpaired:
        figures = [int(v or 0) for v in counts.get(t.id, (0, 0, 0))]
        rows.append(["", "", t.name, *figures, sum(figures)])
        totals = [a + b for a, b in zip(totals, figures)]
    rows.append(["", "合计", "", *totals, sum(totals)])
    return Report(text("report.pairing_annex", place=place.name), ANNEX_HEADERS, rows)
