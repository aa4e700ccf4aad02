"""Bringing in the roster a township already keeps (花名册) and its volunteer teams.

A file is read and checked row by row, then planned against the database (what would be
created, updated, left alone), and the plan is shown: the dry run changes nothing. Apply
re-reads the stored file, re-plans, refuses when the state the dry run looked at has changed
(a fingerprint over it), and then writes in batches, each a transaction, through the same
services a person at the screen would use (people.create_person/update_person,
auth.create_user, care.create_agreement/end_agreement), so audit and history stay right.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlmodel import Session

from server import db
from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.audit import service as audit
from server.auth import service as auth
from server.auth.actor import Actor
from server.auth.models import User
from server.auth.policy import managed_place
from server.auth.roles import (
    CADRE,
    CAREGIVER,
    TOWNSHIP_STAFF,
    VOLUNTEER,
    is_district_admin,
    is_staff,
)
from server.care import service as care
from server.care.models import CareAgreement
from server.errors import MESSAGES, ServiceError
from server.imports import layout, reading
from server.imports.models import IMPORT_KINDS, ImportJob, ImportMapping
from server.pairing import service as pairing
from server.pairing.models import Cadre, Pairing, PairingUnit, UnitTownship
from server.people import idnumber
from server.people import service as people
from server.people.models import RISK_FLAGS, Person
from server.places.models import Place, subtree_filter

CHUNK = 500  # IN-list size for batched lookups
# Rows of the plan a dry run keeps to show (what a phone lists; the counts say how many in all):
# a township's 12,000 rows in words were 7.6 MB, written and read back at every step and sent to
# the phone at every poll of the apply's progress.
PREVIEW_ROWS = 200
_PREVIEW_ORDER = {"update": 0, "create": 1, "unchanged": 2}


@dataclass(frozen=True)
class ImportSettings:
    max_rows: int = 50_000
    max_bytes: int = 20 * 1024 * 1024
    batch_size: int = 500
    keep_hours: int = 24
    media_dir: str = ""

    @classmethod
    def from_config(cls, c: Mapping) -> "ImportSettings":
        return cls(max_rows=c["IMPORT_MAX_ROWS"], max_bytes=c["IMPORT_MAX_BYTES"], batch_size=c["IMPORT_BATCH_SIZE"],
                   keep_hours=c["IMPORT_KEEP_HOURS"], media_dir=str(c["MEDIA_DIR"]))

    @property
    def folder(self) -> Path:
        return Path(self.media_dir) / "imports"


@dataclass(slots=True)
class RowPlan:
    row: int
    action: str  # create | update | unchanged
    name: str
    key: str  # the ID number (persons) or the phone (volunteers)
    village_id: int | None = None
    target_id: int | None = None  # the existing person / user
    data: dict = field(default_factory=dict)  # create: every field
    changes: dict = field(default_factory=dict)  # field → (old, new)
    caregiver: dict | None = None  # {name, phone, user_id (None: a new login)}
    agreement: str | None = None  # sign | replace | keep
    old_agreement_id: int | None = None
    old_agreement_start: date | None = None
    relation: str | None = None
    signed_on: date | None = None
    team: dict | None = None  # volunteers: {name, id (None: a new team)}
    join_team: bool = False
    cadre: dict | None = None  # pairings: {name, phone, rank, unit_id, unit, id (None: a new cadre)}
    warning: str | None = None  # pairings: where the cadre then stands outside the "321" rule

    def public(self, kind: str, words: "Words") -> dict:
        out = {"row": self.row, "action": self.action, "name": self.name,
               "changes": {k: {"column": words.column(kind, k), "from": words.value(k, a), "to": words.value(k, b)}
                           for k, (a, b) in self.changes.items()}}
        if kind == "pairings":
            out["id_number_masked"] = idnumber.mask(self.key)
            out["person_id"] = self.target_id
            out["cadre"] = {"name": self.cadre["name"], "phone": self.cadre["phone"], "unit": self.cadre["unit"],
                            "new_login": self.cadre["id"] is None}
            out["warning"] = self.warning
        elif kind == "persons":
            out["id_number_masked"] = idnumber.mask(self.key)
            out["person_id"] = self.target_id
            if self.caregiver:
                out["caregiver"] = {"name": self.caregiver["name"], "phone": self.caregiver["phone"],
                                    "new_login": self.caregiver["user_id"] is None}
            out["agreement"] = self.agreement
        else:
            out["phone"] = self.key
            out["user_id"] = self.target_id
            out["team"] = self.team["name"] if self.team else None
            out["new_team"] = bool(self.team and self.team["id"] is None)
        return out


@dataclass
class Plan:
    kind: str
    township: Place
    rows: list[RowPlan]
    errors: list[dict]
    missing: list[dict]
    fingerprint: str
    columns: list[dict] = field(default_factory=list)  # how each column of the file was read


    def counts(self) -> dict:
        out = {"rows": len(self.rows) + len({e["row"] for e in self.errors}), "created": 0, "updated": 0,
               "unchanged": 0, "errors": len(self.errors), "error_rows": len({e["row"] for e in self.errors})}
        for r in self.rows:
            out[{"create": "created", "update": "updated", "unchanged": "unchanged"}[r.action]] += 1
        return out

    def preview(self) -> list[RowPlan]:
        """The rows a dry run shows: all of them up to PREVIEW_ROWS, else PREVIEW_ROWS of them,
        those that change something first (updated, then new), in the file's order."""
        if len(self.rows) <= PREVIEW_ROWS:
            return self.rows
        chosen = sorted(self.rows, key=lambda r: _PREVIEW_ORDER[r.action])[:PREVIEW_ROWS]
        return sorted(chosen, key=lambda r: r.row)

    def public(self, words: "Words") -> dict:
        return {"kind": self.kind, "township": {"id": self.township.id, "name": self.township.name},
                "counts": self.counts(), "plan": [r.public(self.kind, words) for r in self.preview()],
                "plan_rows": len(self.rows),
                "errors": self.errors, "missing": self.missing, "columns": self.columns,
                "unknown_headers": [c["header"] for c in self.columns if c["field"] is None],
                "fields": layout.fields(self.kind)}


@dataclass
class Words:
    """A change as staff read it: the column's header (救助类别) and the value in the roster's words
    (特困, 独居、空巢, the village's name), never a field key or a code."""

    places: dict[int, str]

    LABELS = {"sex": layout.SEX_LABELS, "self_care_level": layout.LEVEL_LABELS, "support_mode": layout.MODE_LABELS,
              "assistance_category": layout.CATEGORY_LABELS, "dibao_class": layout.DIBAO_CLASS_LABELS,
              "relation": layout.RELATION_LABELS, "rank": layout.RANK_LABELS}
    COLUMNS = {"village_id": "village", "place_id": "place", "display_name": "name"}

    HEADERS = {kind: {**{c.key: c.header for c in columns}, "cadre": "干部姓名"} for kind, columns in layout.COLUMNS.items()}

    def column(self, kind: str, key: str) -> str:
        key = self.COLUMNS.get(key, key)
        return self.HEADERS[kind].get(key, key)

    def value(self, key: str, value) -> str | None:
        if value is None or value == "":
            return None
        if key in ("village_id", "place_id"):
            return self.places.get(value, "")
        if key == "risk_flags":
            return "、".join(layout.RISK_FLAG_LABELS[f] for f in RISK_FLAGS if f in value) or "无"
        if isinstance(value, date):
            return value.isoformat()
        return self.LABELS.get(key, {}).get(value, value)


_paused = 0  # reads, plans and batches under way with the cyclic collector paused (_collector_paused)
_paused_lock = threading.Lock()
_resume = False  # whether the collector was on when the first of them began


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector paused while a file is read, checked and planned (seconds)
    and while a batch of 500 rows is written (as long as its new logins' hashes take). A roster's
    cells, records, plan and new rows are some hundred thousand objects built at once and in no
    cycle, and the collector's passes walked them again and again: a quarter of a 12,000-row dry
    run, 0.3 s of its apply's 2.1. Refcounts free what they always free; the collector is on again
    when the last such work ends (unless it was off before the first began), between batches
    too. A context manager, and a decorator of a function run so (``@_collector_paused()``)."""
    global _paused, _resume
    with _paused_lock:
        if _paused == 0:
            _resume = gc.isenabled()
        _paused += 1
        gc.disable()
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _digest(snapshot) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


class _Errors:
    def __init__(self, headers: dict[str, str], kind: str):
        self.items: list[dict] = []
        self.marked: set[tuple[int, str]] = set()
        self.rows: set[int] = set()
        self.headers = headers
        self.defaults = {c.key: c.header for c in layout.COLUMNS[kind]}

    def add(self, row: int, key: str, message: str) -> None:
        self.items.append({"row": row, "column": self.headers.get(key) or self.defaults[key], "message": message})
        self.rows.add(row)
        self.marked.add((row, key))

    def has(self, row: int, key: str) -> bool:
        return (row, key) in self.marked


def _field(errors: _Errors, row: int, key: str, parse, cell):
    try:
        return parse(cell)
    except reading.BadValue as exc:
        errors.add(row, key, str(exc))
        return None


def _township_places(session: Session, township: Place) -> list[Place]:
    return list(session.scalars(select(Place).where(subtree_filter(township)).order_by(Place.id)))


@functools.lru_cache(maxsize=4096)
def _village_key(name: str) -> str:
    key = layout.normalise(name).replace(" ", "")
    for suffix, short in (("村民委员会", "村"), ("居民委员会", "居"), ("村委会", "村"), ("居委会", "居")):
        if key.endswith(suffix):
            return key[: -len(suffix)] + short
    return key


def _coded(errors, row, key, table, cell, what):
    try:
        value = reading.word(cell)
    except reading.BadValue as exc:
        errors.add(row, key, str(exc))
        return None, True
    if value is None:
        return None, False
    found = layout.code(table, value)
    if found is None:
        errors.add(row, key, f"“{value}”不是有效的{what}，可填：{'、'.join(dict.fromkeys(_labels(key)))}")
        return None, True
    return found, False


def _labels(key):
    return {"sex": layout.SEX_LABELS, "self_care_level": layout.LEVEL_LABELS, "support_mode": layout.MODE_LABELS,
            "relation": layout.RELATION_LABELS, "assistance_category": layout.CATEGORY_LABELS,
            "rank": layout.RANK_LABELS, "risk_flags": layout.RISK_FLAG_LABELS,
            "dibao_class": layout.DIBAO_CLASS_LABELS}[key].values()


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
        errors.add(row, "risk_flags", f"“{'、'.join(unknown)}”不是有效的特殊困难情形，可填：{'、'.join(_labels('risk_flags'))}，"
                                      "多项用“、”分开，没有填“无”")
        return None
    found = {layout.code(layout.RISK_FLAGS, w) for w in words}
    return [f for f in RISK_FLAGS if f in found]


_ID_PROBLEMS = {
    "must be 17 digits followed by a digit or X": "身份证号应为18位：17位数字加一位数字或X",
    "holds no valid birth date": "身份证号中的出生日期不存在，请核对号码",
    "check character does not match": "身份证号末位校验码不对，请核对号码",
}


def _users_by_phone(session: Session, phones: list[str]) -> dict[str, User]:
    """Logins by phone: the username (an import makes the phone the username), else the phone on record."""
    users: dict[str, User] = {}
    for chunk in _chunks(phones):
        for u in session.scalars(select(User).where(db.among(session, User.phone, chunk)).order_by(User.id)):
            users.setdefault(u.phone, u)
        users.update({u.username: u for u in session.scalars(
            select(User).where(db.among(session, User.username, chunk)))})
    return users


# --- persons -----------------------------------------------------------------------------


def _check_persons(session: Session, township: Place, sheet: reading.Sheet, errors: "_Errors", *,
                   today: date, **_) -> list[dict]:
    """Each row of a roster checked on its own and against the file's other rows: the
    records to plan (JSON-able), and the errors."""
    places_under = _township_places(session, township)
    villages = {_village_key(p.name): p for p in places_under if p.level == "village"}
    parsed: list[dict] = []
    seen_ids: dict[str, int] = {}
    seen_phones: dict[str, tuple[str, int]] = {}
    for number, cells in sheet.rows:
        g = cells.get
        rec = {"row": number}
        rec["name"] = _field(errors, number, "name", reading.text, g("name"))
        if rec["name"] is None and not errors.has(number, "name"):
            errors.add(number, "name", "姓名不能为空")
        elif rec["name"] and len(rec["name"]) > 50:
            errors.add(number, "name", "姓名太长（最多50字）")
        ident = _field(errors, number, "id_number", reading.id_number, g("id_number"))
        rec["id_number"] = ident
        if ident is None and not errors.has(number, "id_number"):
            errors.add(number, "id_number", "身份证号不能为空")
        elif ident is not None:
            problem = idnumber.problem(ident)
            if problem:
                errors.add(number, "id_number", _ID_PROBLEMS.get(problem, problem) + f"（{ident[:6]}…）")
                ident = rec["id_number"] = None
            elif ident in seen_ids:
                errors.add(number, "id_number", f"与第{seen_ids[ident]}行的身份证号重复，同一人只能出现一次")
            else:
                seen_ids[ident] = number
        sex, _ = _coded(errors, number, "sex", layout.SEXES, g("sex"), "性别")
        born = _field(errors, number, "birth_date", reading.a_date, g("birth_date"))
        if ident:  # well-formed (a malformed one is None by now)
            if sex and sex != idnumber.sex(ident):
                errors.add(number, "sex", f"性别与身份证号不符（身份证号为{layout.SEX_LABELS[idnumber.sex(ident)]}性）")
            in_number = idnumber.birth_date(ident)
            if born and born != in_number:
                errors.add(number, "birth_date", f"出生日期与身份证号不符（身份证号为{in_number.isoformat()}）")
            if in_number > today:
                errors.add(number, "id_number", "身份证号中的出生日期晚于今天")
        rec["enrolled_on"] = _field(errors, number, "enrolled_on", reading.a_date, g("enrolled_on"))
        if rec["enrolled_on"] is not None and rec["enrolled_on"] > today:
            errors.add(number, "enrolled_on", "纳入日期晚于今天")
        village_name = _field(errors, number, "village", reading.word, g("village"))
        rec["village_id"] = None
        if village_name is None:
            if not errors.has(number, "village"):
                errors.add(number, "village", "村不能为空")
        else:
            village = villages.get(_village_key(village_name))
            if village is None:
                known = "、".join(p.name for p in list(villages.values())[:12])
                errors.add(number, "village", f"“{village_name}”不是{township.name}的村（本乡镇的村有：{known}）")
            else:
                rec["village_id"] = village.id
        rec["address"] = _field(errors, number, "address", reading.text, g("address"))
        if rec["address"] and len(rec["address"]) > 200:
            errors.add(number, "address", "住址太长（最多200字）")
        rec["level"], bad = _coded(errors, number, "self_care_level", layout.LEVELS, g("self_care_level"), "自理能力")
        if rec["level"] is None and not bad:
            errors.add(number, "self_care_level", "自理能力不能为空（全自理/半失能/全失能）")
        rec["mode"], _ = _coded(errors, number, "support_mode", layout.MODES, g("support_mode"), "供养方式")
        rec["category"], _ = _coded(errors, number, "assistance_category", layout.CATEGORIES,
                                    g("assistance_category"), "救助类别")
        rec["dibao_class"], _ = _coded(errors, number, "dibao_class", layout.DIBAO_CLASSES, g("dibao_class"), "低保类别")
        rec["risk_flags"] = _risk_flags(errors, number, g("risk_flags"), has_column="risk_flags" in sheet.headers)
        cg_name = _field(errors, number, "caregiver_name", reading.text, g("caregiver_name"))
        cg_phone = _field(errors, number, "caregiver_phone", reading.phone, g("caregiver_phone"))
        relation, _ = _coded(errors, number, "relation", layout.RELATIONS, g("relation"), "关系")
        signed = _field(errors, number, "signed_on", reading.a_date, g("signed_on"))
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


def _plan_persons(session: Session, township: Place, parsed: list[dict], errors: "_Errors", *, today: date,
                  **_) -> Plan:
    """The checked records against the database: what would be created, updated, left alone."""
    places_under = _township_places(session, township)
    place_ids = {p.id for p in places_under}
    villages = {p.id: p for p in places_under if p.level == "village"}
    # the database, looked up in batches
    ids = [r["id_number"] for r in parsed if r["id_number"]]
    persons: dict[str, Person] = {}
    for chunk in _chunks(ids):
        persons.update({p.id_number: p for p in session.scalars(
            select(Person).where(db.among(session, Person.id_number, chunk)))})
    phones = sorted({r["caregiver"]["phone"] for r in parsed if r["caregiver"] and r["caregiver"]["phone"]})
    users = _users_by_phone(session, phones)
    person_ids = [p.id for p in persons.values()]
    agreements: dict[int, CareAgreement] = {}
    for chunk in _chunks(person_ids):
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
        if rec["risk_flags"] is not None:
            wanted["risk_flags"] = rec["risk_flags"]
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
    return Plan("persons", township, plans, errors.items, missing, _digest(snapshot))


# --- volunteers --------------------------------------------------------------------------


def _check_volunteers(session: Session, township: Place, sheet: reading.Sheet, errors: "_Errors", *,
                      today: date, **_) -> list[dict]:
    places_under = _township_places(session, township)
    villages = {_village_key(p.name): p for p in places_under if p.level == "village"}
    parsed = []
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        g = cells.get
        name = _field(errors, number, "name", reading.text, g("name"))
        if name is None and not errors.has(number, "name"):
            errors.add(number, "name", "姓名不能为空")
        elif name and len(name) > 50:
            errors.add(number, "name", "姓名太长（最多50字）")
        phone = _field(errors, number, "phone", reading.phone, g("phone"))
        if phone is None and not errors.has(number, "phone"):
            errors.add(number, "phone", "手机号不能为空（它是志愿者的登录用户名）")
        elif phone in seen:
            errors.add(number, "phone", f"与第{seen[phone]}行的手机号重复")
        elif phone:
            seen[phone] = number
        place_name = _field(errors, number, "place", reading.word, g("place"))
        place = township
        if place_name and _village_key(place_name) != _village_key(township.name):
            place = villages.get(_village_key(place_name))
            if place is None:
                errors.add(number, "place", f"“{place_name}”不是{township.name}的村")
        team = _field(errors, number, "team", reading.word, g("team"))
        if team is None and not errors.has(number, "team"):
            errors.add(number, "team", "服务队不能为空")
        elif team and len(team) > 60:
            errors.add(number, "team", "服务队名称太长（最多60字）")
        parsed.append({"row": number, "name": name, "phone": phone, "place_id": place.id if place else None,
                       "team": team})
    return parsed


def _plan_volunteers(session: Session, township: Place, parsed: list[dict], errors: "_Errors", *, today: date,
                     **_) -> Plan:
    places_under = _township_places(session, township)
    place_ids = {p.id for p in places_under}
    places_by_id = {p.id: p for p in places_under}
    teams = {layout.normalise(t.name): t for t in session.scalars(
        select(VolunteerTeam).where(VolunteerTeam.township_id == township.id).order_by(VolunteerTeam.id))}
    phones = sorted({r["phone"] for r in parsed if r["phone"]})
    users = _users_by_phone(session, phones)
    memberships: set[tuple[int, int]] = set()
    user_ids = [u.id for u in users.values()]
    for chunk in _chunks(user_ids):
        memberships.update(session.execute(select(VolunteerTeamMember.user_id, VolunteerTeamMember.team_id)
                                           .where(VolunteerTeamMember.user_id.in_(chunk))).all())
    snapshot = {
        "places": sorted((p.id, p.name) for p in places_under),
        "teams": sorted((t.id, t.name) for t in teams.values()),
        "users": sorted((u.id, u.username, u.role, u.place_id, u.display_name, u.is_active) for u in users.values()),
        "memberships": sorted(memberships),
    }
    plans = []
    for rec in parsed:
        number = rec["row"]
        user = users.get(rec["phone"]) if rec["phone"] else None
        if user is not None:
            if user.role != VOLUNTEER:
                errors.add(number, "phone", f"手机号{rec['phone']}已是其他类型的账号，不能作为志愿者")
            elif user.place_id not in place_ids:
                errors.add(number, "phone", f"手机号{rec['phone']}的志愿者账号属于其他乡镇")
        if number in errors.rows:
            continue
        team = teams.get(layout.normalise(rec["team"]))
        place = places_by_id.get(rec["place_id"])
        if place is None:
            errors.add(number, "place", "该村已不在本乡镇")
            continue
        plan = RowPlan(row=number, action="unchanged", name=rec["name"], key=rec["phone"], village_id=place.id,
                       team={"name": team.name if team else rec["team"], "id": team.id if team else None})
        wanted = {"display_name": rec["name"], "place_id": place.id}
        if user is None:
            plan.action = "create"
            plan.changes = {k: (None, v) for k, v in wanted.items()}
            plan.join_team = True
        else:
            plan.target_id = user.id
            plan.changes = {k: (getattr(user, k), v) for k, v in wanted.items() if getattr(user, k) != v}
            plan.join_team = team is None or (user.id, team.id) not in memberships
            if plan.changes or plan.join_team:
                plan.action = "update"
        plans.append(plan)
    in_file = set(phones)
    missing = [{"id": u.id, "name": u.display_name, "phone": u.username} for u in session.scalars(
        select(User).where(User.role == VOLUNTEER, User.place_id.in_(place_ids)).order_by(User.id))
        if (u.phone or u.username) not in in_file and u.username not in in_file]
    errors.items.sort(key=lambda e: e["row"])
    return Plan("volunteers", township, plans, errors.items, missing, _digest(snapshot))


# --- planning, storing, applying ---------------------------------------------------------


def township_for(session: Session, *, actor: Actor, place_id: int | None) -> Place:
    """The township an import is for: staff their own; district admins the one they name."""
    if not is_staff(actor.user):
        raise ServiceError(403, "forbidden_role")
    if place_id is None:
        if actor.user.role != TOWNSHIP_STAFF:
            raise ServiceError(422, "import_township_required")
        place_id = actor.user.place_id
    place = managed_place(session, actor.user, place_id)
    if place.level != "township":
        raise ServiceError(422, "import_not_township")
    return place


_DATES = ("enrolled_on", "signed_on")


@_collector_paused()
def plan_import(session: Session, *, township: Place, kind: str, data: bytes, filename: str | None,
                settings: ImportSettings, today: date, actor: Actor | None = None,
                mapping: dict[str, str] | None = None) -> tuple[Plan, list[dict]]:
    """Read, check and plan a file: the plan, and the checked records apply writes from. Writes
    nothing. ``mapping``: the township's remembered headers and those chosen on screen."""
    if kind not in IMPORT_KINDS:
        raise ServiceError(422, "validation", errors={"kind": [f"one of {', '.join(IMPORT_KINDS)}"]})
    sheet = reading.read(data, filename, kind, max_bytes=settings.max_bytes, max_rows=settings.max_rows,
                         mapping=mapping)
    if not sheet.rows:
        raise ServiceError(422, "import_empty")
    errors = _Errors(sheet.headers, kind)
    if sheet.missing:  # nothing to check until staff say which column holds it
        for key in sheet.missing:
            errors.add(sheet.header_row, key, "文件中没有这一列（必填）：请在上方“各列的读取”中指定文件的哪一列是它，"
                                              "或在文件中加上这一列")
        plan = Plan(kind, township, [], errors.items, [], "", sheet.columns)
        return plan, []
    # cadres get logins from district admins (server/auth/service.py GRANTABLE_ROLES); staff pair those there are
    options = {"today": today, "new_cadres": actor is None or is_district_admin(actor.user)}
    records = _CHECKS[kind](session, township, sheet, errors, **options)
    plan = _PLANS[kind](session, township, records, errors, **options)
    plan.columns = sheet.columns
    return plan, records


@_collector_paused()
def replan(session: Session, *, township: Place, kind: str, records: list[dict], today: date,
           actor: Actor | None = None) -> Plan:
    """The plan of records checked before (a dry run's), against the database as it is now."""
    errors = _Errors({}, kind)
    return _PLANS[kind](session, township, records, errors, today=today,
                        new_cadres=actor is None or is_district_admin(actor.user))


def _dump_records(records: list[dict]) -> bytes:
    return json.dumps(records, ensure_ascii=False, default=lambda v: v.isoformat()).encode()


@_collector_paused()
def _load_records(data: bytes) -> list[dict]:
    def dates(obj: dict) -> dict:
        for key in _DATES:
            if isinstance(obj.get(key), str):
                obj[key] = date.fromisoformat(obj[key])
        return obj

    return json.loads(data, object_hook=dates)


def mapping_for(session: Session, *, township: Place, kind: str) -> dict[str, str]:
    """The township's remembered headers: normalised header → column key ("" = not read)."""
    return dict(session.execute(select(ImportMapping.header, ImportMapping.field).where(
        ImportMapping.township_id == township.id, ImportMapping.kind == kind)).all())


def parse_mapping(kind: str, raw: dict) -> dict[str, str]:
    """Staff's on-screen mapping ({the file's header: column key or ""}), checked: every key a
    column of the kind's layout, no column chosen for two headers."""
    keys = {c.key for c in layout.COLUMNS[kind]}
    out: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for header, key in raw.items():
        name = layout.header_key(header)
        if not name or len(name) > 100:
            problems.setdefault("mapping", []).append(f"列名“{str(header)[:40]}”无效")
            continue
        if key is None:
            key = ""
        if not isinstance(key, str) or key and key not in keys:
            problems.setdefault("mapping", []).append(f"“{header}”：没有“{key}”这一项")
            continue
        out[name] = key
    chosen = [k for k in out.values() if k]
    for key in sorted({k for k in chosen if chosen.count(k) > 1}):
        header = next(c.header for c in layout.COLUMNS[kind] if c.key == key)
        problems.setdefault("mapping", []).append(f"“{header}”只能对应文件中的一列")
    if problems:
        raise ServiceError(422, "import_mapping_invalid", errors=problems, problems="；".join(problems["mapping"]))
    return out


def remember_mapping(session: Session, *, actor: Actor, township: Place, kind: str, mapping: dict[str, str],
                     now: datetime) -> None:
    """Keep staff's mapping for the township's next file (one row per header, replaced)."""
    if not mapping:
        return
    session.execute(sa.delete(ImportMapping).where(ImportMapping.township_id == township.id,
                                                   ImportMapping.kind == kind,
                                                   ImportMapping.header.in_(list(mapping))))
    session.add_all([ImportMapping(township_id=township.id, kind=kind, header=header, field=key,
                                   updated_by=actor.user.id, updated_at=now) for header, key in mapping.items()])
    session.flush()


def purge_expired(session: Session, *, settings: ImportSettings, now: datetime) -> int:
    """Delete the stored files of imports not applied within IMPORT_KEEP_HOURS."""
    cutoff = now - timedelta(hours=settings.keep_hours)
    jobs = list(session.scalars(select(ImportJob).where(ImportJob.file_name.is_not(None), ImportJob.created_at < cutoff)))
    for job in jobs:
        _delete_file(settings, job)
        if job.status == "dry_run":
            job.status = "expired"
        session.add(job)
    session.flush()
    return len(jobs)


def _delete_file(settings: ImportSettings, job: ImportJob) -> None:
    if job.file_name:
        try:
            (settings.folder / job.file_name).unlink()
        except FileNotFoundError:
            pass
        job.file_name = None


def create_import(session: Session, *, actor: Actor, kind: str, data: bytes, filename: str | None,
                  place_id: int | None, settings: ImportSettings, today: date, now: datetime,
                  mapping: dict | None = None) -> ImportJob:
    """Store an upload's dry run, and the records it checked for apply. Nothing of the roster
    changes; a mapping chosen on screen is remembered for the township's next file."""
    township = township_for(session, actor=actor, place_id=place_id)
    if kind not in IMPORT_KINDS:
        raise ServiceError(422, "validation", errors={"kind": [f"one of {', '.join(IMPORT_KINDS)}"]})
    chosen = parse_mapping(kind, mapping or {})
    purge_expired(session, settings=settings, now=now)
    plan, records = plan_import(session, township=township, kind=kind, data=data, filename=filename,
                                settings=settings, today=today, actor=actor,
                                mapping={**mapping_for(session, township=township, kind=kind), **chosen})
    remember_mapping(session, actor=actor, township=township, kind=kind, mapping=chosen, now=now)
    stored = None
    if not plan.errors:  # one that can never be applied keeps nothing
        settings.folder.mkdir(parents=True, exist_ok=True)
        stored = f"{secrets.token_hex(16)}.checked.json"
        fd = os.open(settings.folder / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_dump_records(records))
    words = Words({p.id: p.name for p in _township_places(session, township)})
    job = ImportJob(kind=kind, township_id=township.id, created_by=actor.user.id, created_at=now,
                    filename=(filename or "upload")[-200:], sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                    file_name=stored, fingerprint=plan.fingerprint, result=plan.public(words))
    session.add(job)
    session.flush()
    return job


def get_import(session: Session, *, actor: Actor, import_id: int) -> ImportJob:
    job = session.get(ImportJob, import_id)
    if job is None:
        raise ServiceError(404, "import_not_found")
    township_for(session, actor=actor, place_id=job.township_id)
    return job


def present(job: ImportJob) -> dict:
    return {"id": job.id, "status": job.status, "filename": job.filename, "sha256": job.sha256, "size": job.size,
            "created_at": job.created_at, "created_by": job.created_by, "applied_at": job.applied_at,
            "applied_by": job.applied_by, "error": job.error, "rows_done": job.rows_done, **job.result}


@dataclass
class Applied:
    counts: dict
    logins: list[dict]  # {username, display_name, persons, one_time_password}: shown once, never stored


def apply_import(session: Session, *, actor: Actor, import_id: int, hasher: PasswordHasher, settings: ImportSettings,
                 today: date, now: datetime, progress: Callable[[int], None] | None = None) -> tuple[ImportJob, Applied]:
    """Apply exactly the dry run that was shown: its checked records, planned again against the
    database as it is now (refused when that differs from what the dry run saw), written in
    batches (a transaction each, with how far it has come)."""
    job = get_import(session, actor=actor, import_id=import_id)
    if job.status == "applied":
        raise ServiceError(409, "import_already_applied")
    if job.result.get("errors"):
        raise ServiceError(409, "import_has_errors", count=len(job.result["errors"]))
    if job.status != "dry_run" or not job.file_name or not (settings.folder / job.file_name).exists():
        raise ServiceError(410, "import_expired", hours=settings.keep_hours)
    if job.created_at < now - timedelta(hours=settings.keep_hours):
        raise ServiceError(410, "import_expired", hours=settings.keep_hours)
    try:
        records = _load_records((settings.folder / job.file_name).read_bytes())
    except ValueError:
        raise ServiceError(409, "import_stale") from None
    township = session.get(Place, job.township_id)
    plan = replan(session, township=township, kind=job.kind, records=records, today=today, actor=actor)
    if plan.errors or plan.fingerprint != job.fingerprint:
        raise ServiceError(409, "import_stale")
    job_id = job.id
    done = 0

    def commit_batch() -> None:
        # the batch and how far the apply has come, in one transaction: a poll sees both or neither
        session.execute(sa.update(ImportJob).where(ImportJob.id == job_id).values(rows_done=done))
        session.commit()

    def count_batch(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(rows)

    try:
        applied = execute(session, actor=actor, plan=plan, hasher=hasher, today=today,
                          batch_size=settings.batch_size, commit=commit_batch, progress=count_batch)
    except ServiceError as exc:
        session.rollback()
        job = session.get(ImportJob, job_id)
        job.status, job.error = "failed", f"{exc.key}"[:500]
        session.add(job)
        session.commit()
        raise ServiceError(409, "import_failed", reason=exc.key) from exc
    job = session.get(ImportJob, job_id)
    _delete_file(settings, job)
    job.status, job.applied_at, job.applied_by = "applied", now, actor.user.id
    job.result = {**job.result, "applied_counts": applied.counts}
    session.add(job)
    audit.record(session, actor=actor, action="import", entity="import", entity_id=job.id,
                 detail={"kind": job.kind, "township_id": job.township_id, "filename": job.filename,
                         "sha256": job.sha256, **applied.counts})
    session.flush()
    return job, applied


def execute(session: Session, *, actor: Actor, plan: Plan, hasher: PasswordHasher, today: date, batch_size: int = 500,
            commit: Callable[[], None] | None = None, progress: Callable[[int], None] | None = None) -> Applied:
    """Write a checked plan, ``batch_size`` rows per transaction: a roster in sets through the
    services' batch functions (people.create_persons/update_persons, auth.create_logins,
    care.sign_agreements), volunteers and pairings (tens of rows) one by one through theirs."""
    counts = {k: v for k, v in plan.counts().items() if k in ("created", "updated", "unchanged")}
    logins: dict[str, dict] = {}
    created_users: dict[str, int] = {}
    teams: dict[str, int] = {}
    run = {"volunteers": _execute_volunteer, "pairings": _execute_pairing}.get(plan.kind)
    # The session's identity map holds its objects weakly: keep the township's places (every
    # service asks for them) alive for the whole run, and a batch's new rows for the batch.
    places_held = _township_places(session, plan.township)
    for batch in _chunks(plan.rows, batch_size):
        held: list = []
        with _collector_paused():
            if run is None:
                _execute_persons(session, actor=actor, rows=batch, hasher=hasher, today=today, logins=logins,
                                 created_users=created_users)
            else:
                for row in batch:
                    if row.action != "unchanged":
                        run(session, actor=actor, row=row, hasher=hasher, today=today, logins=logins,
                            created_users=created_users, teams=teams, township=plan.township, held=held)
            session.flush()
        if progress is not None:
            progress(len(batch))
        if commit is not None:
            commit()
        del held
    del places_held
    return Applied(counts=counts, logins=list(logins.values()))


def _new_login(session, *, actor, hasher, role, name, phone, place_id, team_id, logins, created_users, held) -> int:
    user = auth.create_user(session, creator=actor.user, hasher=hasher, username=phone, password="",
                            password_hash="!", role=role, display_name=name, place_id=place_id, phone=phone,
                            team_id=team_id)
    password = auth.issue_one_time_password(session, user=user, hasher=hasher)
    held.append(user)
    created_users[phone] = user.id
    logins[phone] = {"username": phone, "display_name": name, "role": role, "persons": [],
                     "one_time_password": password}
    return user.id


def _execute_persons(session, *, actor, rows: list[RowPlan], hasher, today, logins, created_users) -> None:
    """A batch of a roster's rows, in sets: new persons, changed persons, the new caregivers'
    logins, the agreements replaced and signed."""
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
    made = auth.create_logins(session, creator=actor.user, hasher=hasher, role=CAREGIVER, logins=list(new.values()))
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


def _execute_volunteer(session, *, actor, row: RowPlan, hasher, today, logins, created_users, teams,
                       township, held) -> None:
    team_id = row.team["id"] or teams.get(row.team["name"])
    if team_id is None:
        team = VolunteerTeam(name=row.team["name"], township_id=township.id)
        session.add(team)
        session.flush()
        audit.record(session, actor=actor, action="create", entity="team", entity_id=team.id,
                     detail={"name": team.name, "via": "import"})
        team_id = teams[row.team["name"]] = team.id
    if row.action == "create":
        _new_login(session, actor=actor, hasher=hasher, role=VOLUNTEER, name=row.name, phone=row.key,
                   place_id=row.village_id, team_id=team_id, logins=logins, created_users=created_users,
                   held=held)
        return
    user = session.get(User, row.target_id)
    for key, (_old, new) in row.changes.items():
        setattr(user, key, new)
    session.add(user)
    if row.join_team:
        session.add(VolunteerTeamMember(team_id=team_id, user_id=user.id))
    session.flush()
    audit.record(session, actor=actor, action="update", entity="user", entity_id=user.id,
                 detail={"fields": sorted(row.changes), "team_id": team_id if row.join_team else None, "via": "import"})


# --- pairings (结对帮扶, seed 003) --------------------------------------------------------


def _check_pairings(session: Session, township: Place, sheet: reading.Sheet, errors: "_Errors", *,
                    today: date, **_) -> list[dict]:
    units = {layout.normalise(u.name): u for u in session.scalars(select(PairingUnit))}
    parsed = []
    seen: dict[tuple[str, str], int] = {}
    named: dict[str, tuple[str, int]] = {}
    for number, cells in sheet.rows:
        g = cells.get
        rec = {"row": number}
        unit_name = _field(errors, number, "unit", reading.word, g("unit"))
        unit = units.get(layout.normalise(unit_name)) if unit_name else None
        rec["unit_id"] = unit.id if unit else None
        if unit_name is None and not errors.has(number, "unit"):
            errors.add(number, "unit", "结对单位不能为空")
        elif unit_name and unit is None:
            errors.add(number, "unit", f"系统中没有“{unit_name}”这个结对单位，请区民政局先在“结对帮扶”中添加")
        rec["cadre_name"] = _field(errors, number, "cadre_name", reading.text, g("cadre_name"))
        if rec["cadre_name"] is None and not errors.has(number, "cadre_name"):
            errors.add(number, "cadre_name", "干部姓名不能为空")
        elif rec["cadre_name"] and len(rec["cadre_name"]) > 50:
            errors.add(number, "cadre_name", "干部姓名太长（最多50字）")
        rec["phone"] = _field(errors, number, "cadre_phone", reading.phone, g("cadre_phone"))
        if rec["phone"] is None and not errors.has(number, "cadre_phone"):
            errors.add(number, "cadre_phone", "干部手机号不能为空（它是干部的登录用户名）")
        rec["rank"], _ = _coded(errors, number, "rank", layout.RANKS, g("rank"), "职级")
        rec["name"] = _field(errors, number, "name", reading.text, g("name"))
        if rec["name"] is None and not errors.has(number, "name"):
            errors.add(number, "name", "帮扶对象姓名不能为空")
        ident = _field(errors, number, "id_number", reading.id_number, g("id_number"))
        if ident is None and not errors.has(number, "id_number"):
            errors.add(number, "id_number", "帮扶对象的身份证号不能为空")
        elif ident is not None and idnumber.problem(ident):
            errors.add(number, "id_number", _ID_PROBLEMS.get(idnumber.problem(ident), idnumber.problem(ident)))
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


def _plan_pairings(session: Session, township: Place, parsed: list[dict], errors: "_Errors", *, today: date,
                   new_cadres: bool, **_) -> Plan:
    """Cadres of the units paired with the township, each with a person of it. A cadre new to the
    system gets a login when a district admin imports (township staff pair the cadres there are);
    a row that leaves its cadre outside the "321" rule is planned with a warning."""
    place_ids = {p.id for p in _township_places(session, township)}
    all_units = list(session.scalars(select(PairingUnit)))
    units = {layout.normalise(u.name): u for u in all_units}
    units_by_id = {u.id: u for u in all_units}
    idents = [r["id_number"] for r in parsed if r["id_number"]]
    persons: dict[str, Person] = {}
    for chunk in _chunks(idents):
        persons.update({p.id_number: p for p in session.scalars(select(Person).where(Person.id_number.in_(chunk)))})
    users = _users_by_phone(session, sorted({r["phone"] for r in parsed if r["phone"]}))
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
    for plan in plans:
        c = plan.cadre
        total = (counts.get(c["id"], 0) if c["id"] else 0) + new_count.get(c["phone"], 0)
        plan.warning = pairing.rule_message(name=c["name"], rank=c["rank"], paired=total)

    in_file = {p.target_id for p in plans}
    village_names = {p.id: p.name for p in _township_places(session, township)}
    missing = [{"id": pid, "name": name, "village": village_names.get(vid), "id_number_masked": idnumber.mask(num)}
               for pid, name, num, vid in session.execute(
                   select(Person.id, Person.name, Person.id_number, Person.village_id)
                   .where(Person.village_id.in_(place_ids), Person.status == "active",
                          ~sa.exists().where(Pairing.person_id == Person.id, Pairing.status == "active"))
                   .order_by(Person.id))
               if pid not in in_file]
    errors.items.sort(key=lambda e: e["row"])
    return Plan("pairings", township, plans, errors.items, missing, _digest(snapshot))


def _execute_pairing(session, *, actor, row: RowPlan, hasher, today, logins, created_users, teams, township,
                     held) -> None:
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


# the two stages of a dry run, by kind: the file's rows checked (once), then planned against the database
_CHECKS = {"persons": _check_persons, "volunteers": _check_volunteers, "pairings": _check_pairings}
_PLANS = {"persons": _plan_persons, "volunteers": _plan_volunteers, "pairings": _plan_pairings}


# --- export ------------------------------------------------------------------------------


def export_rows(session: Session, *, actor: Actor, kind: str, place_id: int | None) -> tuple[Place, list[dict]]:
    """A township's current roster (active persons with their active caregiver), volunteers or
    pairs, as rows in the import layout."""
    township = township_for(session, actor=actor, place_id=place_id)
    places_under = {p.id: p for p in _township_places(session, township)}
    if kind == "pairings":
        rows = session.execute(
            select(PairingUnit.name, User.display_name, User.phone, User.username, Cadre.rank, Person.id, Person.name,
                   Person.id_number)
            .select_from(Pairing).join(Cadre, Cadre.id == Pairing.cadre_id).join(User, User.id == Cadre.user_id)
            .join(PairingUnit, PairingUnit.id == Cadre.unit_id).join(Person, Person.id == Pairing.person_id)
            .where(Pairing.status == "active", Person.village_id.in_(places_under)).order_by(Pairing.id)).all()
        audit.record_person_reads(session, actor=actor, person_ids=[r[5] for r in rows], action="export_pairings")
        return township, [{"unit": unit, "cadre_name": cadre, "cadre_phone": phone or username,
                           "rank": layout.RANK_LABELS[rank], "name": name, "id_number": number}
                          for unit, cadre, phone, username, rank, _pid, name, number in rows]
    if kind == "volunteers":
        users = list(session.scalars(select(User).where(User.role == VOLUNTEER, User.place_id.in_(places_under))
                                     .order_by(User.id)))
        team_names = dict(session.execute(select(VolunteerTeamMember.user_id, VolunteerTeam.name)
                                          .join(VolunteerTeam, VolunteerTeam.id == VolunteerTeamMember.team_id)
                                          .where(VolunteerTeam.township_id == township.id)).all())
        return township, [{"name": u.display_name, "phone": u.phone or u.username,
                           "place": places_under[u.place_id].name if u.place_id != township.id else None,
                           "team": team_names.get(u.id)} for u in users]
    persons = list(session.scalars(select(Person).where(Person.village_id.in_(places_under), Person.status == "active")
                                   .order_by(Person.village_id, Person.id)))
    caregivers = {}
    for chunk in _chunks([p.id for p in persons]):
        for agreement, user in session.execute(
                select(CareAgreement, User).join(User, User.id == CareAgreement.caregiver_id)
                .where(CareAgreement.person_id.in_(chunk), CareAgreement.status == "active")).all():
            caregivers[agreement.person_id] = (agreement, user)
    audit.record_person_reads(session, actor=actor, person_ids=[p.id for p in persons], action="export_roster")
    rows = []
    for p in persons:
        row = {"name": p.name, "sex": layout.SEX_LABELS[p.sex], "id_number": p.id_number, "birth_date": p.birth_date,
               "village": places_under[p.village_id].name, "address": p.address, "enrolled_on": p.enrolled_on,
               "self_care_level": layout.LEVEL_LABELS[p.self_care_level],
               "support_mode": layout.MODE_LABELS[p.support_mode],
               "assistance_category": layout.CATEGORY_LABELS[p.assistance_category], "dibao_class": p.dibao_class,
               "risk_flags": "、".join(layout.RISK_FLAG_LABELS[f] for f in RISK_FLAGS if f in (p.risk_flags or []))}
        if p.id in caregivers:
            agreement, user = caregivers[p.id]
            row.update(caregiver_name=user.display_name, caregiver_phone=user.phone or user.username,
                       relation=layout.RELATION_LABELS[agreement.relation], signed_on=agreement.signed_on)
        rows.append(row)
    return township, rows
