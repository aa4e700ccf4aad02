"""A township's 结对帮扶 list (seed 003): cadres and the persons paired with them, checked row by
row (``check``), planned against the database (``plan``), and written one by one (``execute``)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server.auth.roles import (
    CADRE,
)
from server.errors import MESSAGES
from server.imports import layout, reading
from server.imports.plan import (
    ID_PROBLEMS,
    Errors,
    Plan,
    RowPlan,
    Run,
    chunks,
    coded,
    digest,
    parse_field,
    township_places,
    users_by_phone,
)
from server.pairing import service as pairing
from server.pairing.models import Cadre, Pairing, PairingUnit, UnitTownship
from server.people import idnumber
from server.people.models import Person
from server.places.models import Place


def check(session: Session, township: Place, sheet: reading.Sheet, errors: Errors, *,
          today: date, **_) -> list[dict]:
    units = {layout.normalise(u.name): u for u in session.scalars(select(PairingUnit))}
    parsed = []
    seen: dict[tuple[str, str], int] = {}
    named: dict[str, tuple[str, int]] = {}
    for number, cells in sheet.rows:
        g = cells.get
        rec = {"row": number}
        unit_name = parse_field(errors, number, "unit", reading.word, g("unit"))
        unit = units.get(layout.normalise(unit_name)) if unit_name else None
        rec["unit_id"] = unit.id if unit else None
        if unit_name is None and not errors.has(number, "unit"):
            errors.add(number, "unit", "结对单位不能为空")
        elif unit_name and unit is None:
            errors.add(number, "unit", f"系统中没有“{unit_name}”这个结对单位，请区民政局先在“结对帮扶”中添加")
        rec["cadre_name"] = parse_field(errors, number, "cadre_name", reading.text, g("cadre_name"))
        if rec["cadre_name"] is None and not errors.has(number, "cadre_name"):
            errors.add(number, "cadre_name", "干部姓名不能为空")
        elif rec["cadre_name"] and len(rec["cadre_name"]) > 50:
            errors.add(number, "cadre_name", "干部姓名太长（最多50字）")
        rec["phone"] = parse_field(errors, number, "cadre_phone", reading.phone, g("cadre_phone"))
        if rec["phone"] is None and not errors.has(number, "cadre_phone"):
            errors.add(number, "cadre_phone", "干部手机号不能为空（它是干部的登录用户名）")
        rec["rank"], _ = coded(errors, number, "rank", layout.RANKS, g("rank"), "职级")
        rec["name"] = parse_field(errors, number, "name", reading.text, g("name"))
        if rec["name"] is None and not errors.has(number, "name"):
            errors.add(number, "name", "帮扶对象姓名不能为空")
        ident = parse_field(errors, number, "id_number", reading.id_number, g("id_number"))
        if ident is None and not errors.has(number, "id_number"):
            errors.add(number, "id_number", "帮扶对象的身份证号不能为空")
        elif ident is not None and idnumber.problem(ident):
            errors.add(number, "id_number", ID_PROBLEMS.get(idnumber.problem(ident), idnumber.problem(ident)))
            ident = None
        rec["id_number"] = ident
        if rec["phone"] and rec["cadre_name"]:
            if rec["phone"] in named and named[rec["phone"]][0] != rec["cadre_name"]:
                first, first_row = named[rec["phone"]]
                errors.add(number, "cadre_phone", f"手机号{rec['phone']}在第{first_row}行属于干部“{first}”，一个手机号只能对应一个人")
            named.setdefault(rec["phone"], (rec["cadre_name"], number))
        if rec["phone"] and ident:
            if (rec["phone"], ident) in seen:
                errors.add(number, "id_number", f"与第{seen[(rec['phone'], ident)]}行重复：同一干部与同一人只结对一次")
            seen.setdefault((rec["phone"], ident), number)
        parsed.append(rec)
    return parsed


def plan(session: Session, township: Place, parsed: list[dict], errors: Errors, *, today: date,
         new_cadres: bool, **_) -> Plan:
    """Cadres of the units paired with the township, each with a person of it. A cadre new to the
    system gets a login when a district admin imports (township staff pair the cadres there are);
    a row that leaves its cadre outside the "321" rule is planned with a warning."""
    place_ids = {p.id for p in township_places(session, township)}
    all_units = list(session.scalars(select(PairingUnit)))
    units = {layout.normalise(u.name): u for u in all_units}
    units_by_id = {u.id: u for u in all_units}
    idents = [r["id_number"] for r in parsed if r["id_number"]]
    persons: dict[str, Person] = {}
    for chunk in chunks(idents):
        persons.update({p.id_number: p for p in session.scalars(select(Person).where(Person.id_number.in_(chunk)))})
    users = users_by_phone(session, sorted({r["phone"] for r in parsed if r["phone"]}))
    cadres = {c.user_id: c for c in session.scalars(select(Cadre).where(Cadre.user_id.in_([u.id for u in users.values()])))}
    active = session.execute(select(Pairing.id, Pairing.cadre_id, Pairing.person_id)
                             .where(Pairing.status == "active")).all()
    paired = {(c, p) for _, c, p in active}
    counts: dict[int, int] = {}
    for _, c, _p in active:
        counts[c] = counts.get(c, 0) + 1
    snapshot = {
        "units": sorted((u.id, u.name) for u in units.values()),
        "links": sorted(session.execute(select(UnitTownship.unit_id, UnitTownship.township_id)).all()),
        "persons": sorted((p.id, p.id_number, p.name, p.village_id, p.status) for p in persons.values()),
        "users": sorted((u.id, u.username, u.role, u.is_active) for u in users.values()),
        "cadres": sorted((c.id, c.user_id, c.unit_id, c.rank) for c in cadres.values()),
        "pairings": sorted(active),
    }

    plans: list[RowPlan] = []
    new_count: dict[str, int] = {}  # by phone: the pairs the file adds
    for rec in parsed:
        number, unit = rec["row"], units_by_id.get(rec["unit_id"])
        person = persons.get(rec["id_number"]) if rec["id_number"] else None
        if rec["unit_id"] is not None and unit is None:
            errors.add(number, "unit", "该结对单位已被删除")
        if rec["id_number"] and person is None:
            errors.add(number, "id_number", "系统中没有这个身份证号的人员，请先导入花名册")
        elif person is not None and person.village_id not in place_ids:
            errors.add(number, "id_number", f"该人员不在{township.name}，只能结对本街道（乡镇）的人员")
        elif person is not None and rec["name"] and layout.normalise(rec["name"]) != person.name:
            errors.add(number, "name", f"姓名与身份证号不符（系统中为“{person.name}”）")
        cadre = None
        user = users.get(rec["phone"]) if rec["phone"] else None
        if user is not None:
            cadre = cadres.get(user.id)
            if cadre is None:
                errors.add(number, "cadre_phone", f"手机号{rec['phone']}已是其他类型的账号，不能作为结对干部")
            elif unit is not None and cadre.unit_id != unit.id:
                errors.add(number, "cadre_phone", f"手机号{rec['phone']}的干部属于另一个结对单位")
            elif rec["rank"] and rec["rank"] != cadre.rank:
                errors.add(number, "rank", f"职级与系统中不符（系统中为{layout.RANK_LABELS[cadre.rank]}）")
        elif rec["phone"] and not new_cadres:
            errors.add(number, "cadre_phone", f"手机号{rec['phone']}还没有结对干部账号，请区民政局先在“结对帮扶”中添加该干部")
        elif rec["phone"] and rec["rank"] is None and not errors.has(number, "rank"):
            errors.add(number, "rank", "新干部须填写职级（区级领导/处级领导/其他干部）")
        if unit is not None and person is not None and person.village_id in place_ids:
            refusal = pairing.refusal_for(session, unit_id=unit.id, person=person)
            if refusal is not None:
                errors.add(number, "unit" if refusal.key == "pairing_unit_not_in_township" else "id_number",
                           MESSAGES[refusal.key][0].format(**refusal.params))
        if number in errors.rows:
            continue
        plan = RowPlan(row=number, action="create", name=person.name, key=person.id_number, village_id=person.village_id,
                       target_id=person.id)
        plan.cadre = {"name": rec["cadre_name"], "phone": rec["phone"], "rank": cadre.rank if cadre else rec["rank"],
                      "unit_id": unit.id, "unit": unit.name, "id": cadre.id if cadre else None}
        if cadre is not None and (cadre.id, person.id) in paired:
            plan.action = "unchanged"
        else:
            plan.changes = {"cadre": (None, rec["cadre_name"])}
            new_count[rec["phone"]] = new_count.get(rec["phone"], 0) + 1
        plans.append(plan)
    ranges = pairing.rule_ranges(session)
    for plan in plans:
        c = plan.cadre
        total = (counts.get(c["id"], 0) if c["id"] else 0) + new_count.get(c["phone"], 0)
        plan.warning = pairing.rule_message(name=c["name"], rank=c["rank"], paired=total, ranges=ranges)

    in_file = {p.target_id for p in plans}
    village_names = {p.id: p.name for p in township_places(session, township)}
    missing = [{"id": pid, "name": name, "village": village_names.get(vid), "id_number_masked": idnumber.mask(num)}
               for pid, name, num, vid in session.execute(
                   select(Person.id, Person.name, Person.id_number, Person.village_id)
                   .where(Person.village_id.in_(place_ids), Person.status == "active",
                          ~sa.exists().where(Pairing.person_id == Person.id, Pairing.status == "active"))
                   .order_by(Person.id))
               if pid not in in_file]
    errors.items.sort(key=lambda e: e["row"])
    return Plan("pairings", township, plans, errors.items, missing, digest(snapshot))



def execute(session, *, actor, rows: list[RowPlan], hasher, today, run: Run) -> None:
    """A batch of a pairing list's rows, one by one (tens of rows): a new cadre with their login,
    then the pair."""
    for row in rows:
        if row.action != "unchanged":
            _execute_row(session, actor=actor, row=row, hasher=hasher, today=today, run=run)


def _execute_row(session, *, actor, row: RowPlan, hasher, today, run: Run) -> None:
    logins, created_users, held = run.logins, run.created_users, run.held
    c = row.cadre
    cadre_id = c["id"] or created_users.get(c["phone"])
    if cadre_id is None:
        made = pairing.create_cadre(session, actor=actor, hasher=hasher, unit_id=c["unit_id"], display_name=c["name"],
                                    phone=c["phone"], rank=c["rank"])
        held.append(made.cadre)
        cadre_id = created_users[c["phone"]] = made.cadre.id
        logins[c["phone"]] = {"username": c["phone"], "display_name": c["name"], "role": CADRE, "persons": [],
                              "one_time_password": made.one_time_password}
    if c["phone"] in logins:
        logins[c["phone"]]["persons"].append(row.name)
    pairing.pair(session, actor=actor, cadre_id=cadre_id, person_id=row.target_id, today=today)
