"""A township's roster (花名册): persons, their caregivers' logins and their agreements — checked
row by row (``check``), planned against the database (``plan``), and written in sets (``execute``)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from server import db
from server.auth.roles import (
    CAREGIVER,
)
from server.care import service as care
from server.care.models import CareAgreement
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
    labels,
    parse_field,
    township_places,
    users_by_phone,
    village_key,
)
from server.people import idnumber
from server.people import service as people
from server.people.models import RISK_FLAGS, Person
from server.places.models import Place, subtree_filter
from server.users import service as users

_FLAG_SEPARATORS = re.compile(r"[、，,；;/\s]+")


def _risk_flags(errors, row, cell, *, has_column: bool) -> list[str] | None:
    """特殊困难情形: several words in one cell → the flags in RISK_FLAGS order. A file with the
    column states them whole (a blank cell, or 无: none); a file without it leaves them as they are
    (None)."""
    if not has_column:
        return None
    try:
        value = reading.word(cell)
    except reading.BadValue as exc:
        errors.add(row, "risk_flags", str(exc))
        return None
    if value is None:
        return []
    words = [w for w in _FLAG_SEPARATORS.split(layout.normalise(value)) if w]
    unknown = [w for w in words if layout.code(layout.RISK_FLAGS, w) is None]
    if unknown:
        errors.add(row, "risk_flags", f"“{'、'.join(unknown)}”不是有效的特殊困难情形，可填：{'、'.join(labels('risk_flags'))}，"
                                      "多项用“、”分开，没有填“无”")
        return None
    found = {layout.code(layout.RISK_FLAGS, w) for w in words}
    return [f for f in RISK_FLAGS if f in found]






def _family_planning(errors, row, cell) -> bool | None:
    """计划生育特殊家庭 in a column of its own: 是 / 否, blank: unchanged (None)."""
    try:
        value = reading.word(cell)
    except reading.BadValue as exc:
        errors.add(row, "family_planning", str(exc))
        return None
    if value is None:
        return None
    found = layout.code(layout.YES_NO, value)
    if found is None:
        errors.add(row, "family_planning", f"“{value}”不是有效的计划生育特殊家庭，可填：是、否")
    return found


def _with_family_planning(flags: list[str] | None, stated: bool | None, existing: Person | None) -> list[str] | None:
    """The 特殊困难情形 with the 计划生育特殊家庭 column applied: the flags the file states (or the
    person's own when it states none) with the flag set or taken out; None when neither column says."""
    if stated is None:
        return flags
    base = flags if flags is not None else list(existing.risk_flags or []) if existing is not None else []
    found = {f for f in base if f != "family_planning_special"} | ({"family_planning_special"} if stated else set())
    return [f for f in RISK_FLAGS if f in found]


def check(session: Session, township: Place, sheet: reading.Sheet, errors: Errors, *,
          today: date, **_) -> list[dict]:
    """Each row of a roster checked on its own and against the file's other rows: the
    records to plan (JSON-able), and the errors."""
    places_under = township_places(session, township)
    villages = {village_key(p.name): p for p in places_under if p.level == "village"}
    parsed: list[dict] = []
    seen_ids: dict[str, int] = {}
    seen_phones: dict[str, tuple[str, int]] = {}
    for number, cells in sheet.rows:
        g = cells.get
        rec = {"row": number}
        rec["name"] = parse_field(errors, number, "name", reading.text, g("name"))
        if rec["name"] is None and not errors.has(number, "name"):
            errors.add(number, "name", "姓名不能为空")
        elif rec["name"] and len(rec["name"]) > 50:
            errors.add(number, "name", "姓名太长（最多50字）")
        ident = parse_field(errors, number, "id_number", reading.id_number, g("id_number"))
        rec["id_number"] = ident
        if ident is None and not errors.has(number, "id_number"):
            errors.add(number, "id_number", "身份证号不能为空")
        elif ident is not None:
            problem = idnumber.problem(ident)
            if problem:
                errors.add(number, "id_number", ID_PROBLEMS.get(problem, problem) + f"（{ident[:6]}…）")
                ident = rec["id_number"] = None
            elif ident in seen_ids:
                errors.add(number, "id_number", f"与第{seen_ids[ident]}行的身份证号重复，同一人只能出现一次")
            else:
                seen_ids[ident] = number
        sex, _ = coded(errors, number, "sex", layout.SEXES, g("sex"), "性别")
        born = parse_field(errors, number, "birth_date", reading.a_date, g("birth_date"))
        if ident:  # well-formed (a malformed one is None by now)
            if sex and sex != idnumber.sex(ident):
                errors.add(number, "sex", f"性别与身份证号不符（身份证号为{layout.SEX_LABELS[idnumber.sex(ident)]}性）")
            in_number = idnumber.birth_date(ident)
            if born and born != in_number:
                errors.add(number, "birth_date", f"出生日期与身份证号不符（身份证号为{in_number.isoformat()}）")
            if in_number > today:
                errors.add(number, "id_number", "身份证号中的出生日期晚于今天")
        rec["enrolled_on"] = parse_field(errors, number, "enrolled_on", reading.a_date, g("enrolled_on"))
        if rec["enrolled_on"] is not None and rec["enrolled_on"] > today:
            errors.add(number, "enrolled_on", "纳入日期晚于今天")
        village_name = parse_field(errors, number, "village", reading.word, g("village"))
        rec["village_id"] = None
        if village_name is None:
            if not errors.has(number, "village"):
                errors.add(number, "village", "村不能为空")
        else:
            village = villages.get(village_key(village_name))
            if village is None:
                known = "、".join(p.name for p in list(villages.values())[:12])
                errors.add(number, "village", f"“{village_name}”不是{township.name}的村（本乡镇的村有：{known}）")
            else:
                rec["village_id"] = village.id
        rec["address"] = parse_field(errors, number, "address", reading.text, g("address"))
        if rec["address"] and len(rec["address"]) > 200:
            errors.add(number, "address", "住址太长（最多200字）")
        rec["level"], bad = coded(errors, number, "self_care_level", layout.LEVELS, g("self_care_level"), "自理能力")
        if rec["level"] is None and not bad:
            errors.add(number, "self_care_level", "自理能力不能为空（全自理/半失能/全失能）")
        rec["mode"], _ = coded(errors, number, "support_mode", layout.MODES, g("support_mode"), "供养方式")
        rec["category"], _ = coded(errors, number, "assistance_category", layout.CATEGORIES,
                                    g("assistance_category"), "救助类别")
        rec["dibao_class"], _ = coded(errors, number, "dibao_class", layout.DIBAO_CLASSES, g("dibao_class"), "低保类别")
        rec["risk_flags"] = _risk_flags(errors, number, g("risk_flags"), has_column="risk_flags" in sheet.headers)
        rec["family_planning"] = _family_planning(errors, number, g("family_planning"))
        if rec["risk_flags"] is not None and rec["family_planning"] is not None and \
                ("family_planning_special" in rec["risk_flags"]) != rec["family_planning"]:
            errors.add(number, "family_planning", "计划生育特殊家庭一栏与特殊困难情形一栏不一致")
        cg_name = parse_field(errors, number, "caregiver_name", reading.text, g("caregiver_name"))
        cg_phone = parse_field(errors, number, "caregiver_phone", reading.phone, g("caregiver_phone"))
        relation, _ = coded(errors, number, "relation", layout.RELATIONS, g("relation"), "关系")
        signed = parse_field(errors, number, "signed_on", reading.a_date, g("signed_on"))
        rec["caregiver"] = None
        if any(v is not None for v in (cg_name, cg_phone, relation, signed)) or errors.has(number, "caregiver_phone"):
            if rec["mode"] == "centralised":
                errors.add(number, "caregiver_name", "集中供养人员不签照料服务协议，照料人一栏请留空")
            if cg_name is None:
                errors.add(number, "caregiver_name", "填写了照料人信息，但照料人姓名为空")
            elif len(cg_name) > 50:
                errors.add(number, "caregiver_name", "照料人姓名太长（最多50字）")
            if cg_phone is None and not errors.has(number, "caregiver_phone"):
                errors.add(number, "caregiver_phone", "照料人手机号不能为空（它是照料人的登录用户名）")
            if relation is None and not errors.has(number, "relation"):
                errors.add(number, "relation", "请填写照料人与本人的关系（亲属/邻里/低保等低收入家庭中有劳动能力的人员）")
            if signed is not None and signed > today:
                errors.add(number, "signed_on", "签订日期晚于今天")
            if cg_phone and cg_name:
                if cg_phone in seen_phones and seen_phones[cg_phone][0] != cg_name:
                    first_name, first_row = seen_phones[cg_phone]
                    errors.add(number, "caregiver_phone",
                               f"手机号{cg_phone}在第{first_row}行属于照料人“{first_name}”，一个手机号只能对应一个人")
                seen_phones.setdefault(cg_phone, (cg_name, number))
            rec["caregiver"] = {"name": cg_name, "phone": cg_phone, "relation": relation, "signed_on": signed}
        parsed.append(rec)
    return parsed


def plan(session: Session, township: Place, parsed: list[dict], errors: Errors, *, today: date,
         **_) -> Plan:
    """The checked records against the database: what would be created, updated, left alone."""
    places_under = township_places(session, township)
    place_ids = {p.id for p in places_under}
    villages = {p.id: p for p in places_under if p.level == "village"}
    # the database, looked up in batches
    ids = [r["id_number"] for r in parsed if r["id_number"]]
    persons: dict[str, Person] = {}
    for chunk in chunks(ids):
        persons.update({p.id_number: p for p in session.scalars(
            select(Person).where(db.among(session, Person.id_number, chunk)))})
    phones = sorted({r["caregiver"]["phone"] for r in parsed if r["caregiver"] and r["caregiver"]["phone"]})
    users = users_by_phone(session, phones)
    person_ids = [p.id for p in persons.values()]
    agreements: dict[int, CareAgreement] = {}
    for chunk in chunks(person_ids):
        agreements.update({a.person_id: a for a in session.scalars(
            select(CareAgreement).where(db.among(session, CareAgreement.person_id, chunk),
                                        CareAgreement.status == "active"))})
    snapshot = {
        "villages": sorted((p.id, p.name) for p in villages.values()),
        "persons": sorted((p.id, p.id_number, p.name, p.sex, p.birth_date, p.village_id, p.address, p.self_care_level,
                           p.support_mode, p.status, p.assistance_category, p.dibao_class, p.updated_at)
                          for p in persons.values()),
        "users": sorted((u.id, u.username, u.role, u.place_id, u.is_active) for u in users.values()),
        "agreements": sorted((a.id, a.person_id, a.caregiver_id, a.signed_on, a.start_on) for a in agreements.values()),
    }

    plans: list[RowPlan] = []
    for rec in parsed:
        number = rec["row"]
        ident = rec["id_number"]
        existing = persons.get(ident) if ident else None
        if existing is not None and existing.village_id not in place_ids:
            errors.add(number, "id_number", "该人员已在其他乡镇登记，不能导入本乡镇；如已迁入，请联系区民政局")
            continue
        if existing is not None and rec["mode"] and rec["mode"] != existing.support_mode:
            errors.add(number, "support_mode",
                       f"供养方式由{layout.MODE_LABELS[existing.support_mode]}改为{layout.MODE_LABELS[rec['mode']]}"
                       "须在系统中办理（转入敬老院等），不能通过导入修改")
        cg = rec["caregiver"]
        agreement_action = old = None
        user_id = None
        if cg and cg["phone"]:
            user = users.get(cg["phone"])
            if user is not None:
                if user.role != CAREGIVER:
                    errors.add(number, "caregiver_phone", f"手机号{cg['phone']}已是其他类型的账号，不能作为照料人")
                elif not user.is_active:
                    errors.add(number, "caregiver_phone", f"手机号{cg['phone']}的照料人账号已停用")
                elif user.place_id not in place_ids:
                    errors.add(number, "caregiver_phone", f"手机号{cg['phone']}的照料人账号属于其他乡镇")
                user_id = user.id
            old = agreements.get(existing.id) if existing is not None else None
            if old is not None and old.caregiver_id == user_id:
                agreement_action = "keep"
            else:
                if existing is not None and (existing.status != "active" or existing.support_mode != "decentralised"):
                    errors.add(number, "caregiver_name", "该人员当前不是分散供养在册状态，不能签照料服务协议")
                if old is not None and cg["signed_on"] is not None and old.signed_on > cg["signed_on"]:
                    errors.add(number, "signed_on",
                               f"该人员已有{old.signed_on.isoformat()}签订的生效照料协议（另一位照料人），"
                               "比文件中的更晚；一人只能有一份生效协议，请核对")
                agreement_action = "replace" if old is not None else "sign"
        if number in errors.rows:
            continue
        village = villages.get(rec["village_id"])
        if village is None:
            errors.add(number, "village", "该村已不在本乡镇")
            continue
        plan = RowPlan(row=number, action="unchanged", name=rec["name"], key=ident, village_id=village.id)
        if cg:
            plan.caregiver = {"name": cg["name"], "phone": cg["phone"], "user_id": user_id}
            plan.agreement = agreement_action
            plan.relation = cg["relation"]
            plan.signed_on = cg["signed_on"] or today
            if old is not None:
                plan.old_agreement_id, plan.old_agreement_start = old.id, old.start_on
        wanted = {"name": rec["name"], "sex": idnumber.sex(ident), "birth_date": idnumber.birth_date(ident),
                  "village_id": village.id, "self_care_level": rec["level"]}
        if rec["address"] is not None:
            wanted["address"] = rec["address"]
        if rec["enrolled_on"] is not None:
            wanted["enrolled_on"] = rec["enrolled_on"]
        # 救助类别 and 低保类别 change only when the file says; a 低保 class goes with the 低保 category
        category = rec["category"] or (existing.assistance_category if existing is not None else None)
        if rec["category"] is not None:
            wanted["assistance_category"] = rec["category"]
        if rec["dibao_class"] is not None:
            wanted["dibao_class"] = rec["dibao_class"]
        elif rec["category"] is not None and category != "dibao":
            wanted["dibao_class"] = None
        if rec["dibao_class"] and category != "dibao":
            errors.add(number, "dibao_class", "只有低保对象才填低保类别（A/B/C）；该人员的救助类别不是低保")
            continue
        flags = _with_family_planning(rec["risk_flags"], rec.get("family_planning"), existing)
        if flags is not None:
            wanted["risk_flags"] = flags
        if existing is None:
            mode = rec["mode"] or "decentralised"
            plan.action = "create"
            plan.data = {**wanted, "id_number": ident, "support_mode": mode,
                         "status": "active" if mode == "decentralised" else "centralised"}
            plan.changes = {k: (None, v) for k, v in wanted.items()}
        else:
            plan.target_id = existing.id
            plan.changes = {k: (getattr(existing, k), v) for k, v in wanted.items()
                            if (sorted(existing.risk_flags or []) != sorted(v) if k == "risk_flags"
                                else getattr(existing, k) != v)}
            if plan.changes or plan.agreement in ("sign", "replace"):
                plan.action = "update"
        plans.append(plan)

    in_file = set(ids)
    village_names = {p.id: p.name for p in places_under}
    missing = [{"id": pid, "name": name, "village": village_names.get(vid), "id_number_masked": idnumber.mask(num)}
               for pid, name, num, vid in session.execute(
                   select(Person.id, Person.name, Person.id_number, Person.village_id)
                   .where(Person.village_id.in_(select(Place.id).where(subtree_filter(township))),
                          Person.status == "active").order_by(Person.id))
               if num not in in_file]
    errors.items.sort(key=lambda e: e["row"])
    return Plan("persons", township, plans, errors.items, missing, digest(snapshot))



def execute(session, *, actor, rows: list[RowPlan], hasher, today, run: Run) -> None:
    """A batch of a roster's rows, in sets: new persons, changed persons, the new caregivers'
    logins, the agreements replaced and signed."""
    logins, created_users = run.logins, run.created_users
    creates = [r for r in rows if r.action == "create"]
    for row, person_id in zip(creates, people.create_persons(session, actor=actor, today=today,
                                                               rows=[r.data for r in creates])):
        row.target_id = person_id
    people.update_persons(session, actor=actor, today=today, changes={
        r.target_id: {k: new for k, (_old, new) in r.changes.items()}
        for r in rows if r.action == "update" and r.changes})
    signing = [r for r in rows if r.action != "unchanged" and r.caregiver and r.agreement in ("sign", "replace")]
    new: dict[str, dict] = {}
    for r in signing:
        phone = r.caregiver["phone"]
        if not (r.caregiver["user_id"] or phone in created_users or phone in new):
            new[phone] = {"username": phone, "display_name": r.caregiver["name"], "place_id": r.village_id,
                          "phone": phone}
    made = users.create_logins(session, creator=actor.user, hasher=hasher, role=CAREGIVER, logins=list(new.values()))
    for spec, (user_id, password) in zip(new.values(), made):
        created_users[spec["phone"]] = user_id
        logins[spec["phone"]] = {"username": spec["phone"], "display_name": spec["display_name"], "role": CAREGIVER,
                                 "persons": [], "one_time_password": password}
    agreements = []
    for r in signing:
        phone = r.caregiver["phone"]
        if phone in logins:
            logins[phone]["persons"].append(r.name)
        start_on = r.signed_on
        if r.agreement == "replace":
            care.end_agreement(session, actor=actor, agreement_id=r.old_agreement_id, today=today,
                               end_on=max(today, r.old_agreement_start), end_reason="花名册导入：更换照料人")
            start_on = max(r.signed_on, today)
        agreements.append({"person_id": r.target_id, "caregiver_id": r.caregiver["user_id"] or created_users[phone],
                           "relation": r.relation, "signed_on": r.signed_on, "start_on": start_on})
    care.sign_agreements(session, actor=actor, today=today, agreements=agreements)
