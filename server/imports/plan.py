"""What every kind of import shares: a row's plan and the whole plan (what a dry run shows), the
errors by row and column, the words staff read, and the helpers the kinds check and plan with."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from server import db
from server.auth.models import User
from server.imports import layout, reading
from server.people import idnumber
from server.people.models import RISK_FLAGS
from server.places.models import Place, subtree_filter

CHUNK = 500  # IN-list size for batched lookups
# Rows of the plan a dry run keeps to show (what a phone lists; the counts say how many in all):
# a township's 12,000 rows in words were 7.6 MB, written and read back at every step and sent to
# the phone at every poll of the apply's progress.
PREVIEW_ROWS = 200
_PREVIEW_ORDER = {"update": 0, "create": 1, "unchanged": 2}


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


_paused = 0  # reads, plans and batches under way with the cyclic collector paused (collector_paused)
_paused_lock = threading.Lock()
_resume = False  # whether the collector was on when the first of them began


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused while a file is read, checked and planned (seconds)
    and while a batch of 500 rows is written (as long as its new logins' hashes take). A roster's
    cells, records, plan and new rows are some hundred thousand objects built at once and in no
    cycle, and the collector's passes walked them again and again: a quarter of a 12,000-row dry
    run, 0.3 s of its apply's 2.1. Refcounts free what they always free; the collector is on again
    when the last such work ends (unless it was off before the first began), between batches
    too. A context manager, and a decorator of a function run so (``@collector_paused()``)."""
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


def chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def digest(snapshot) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


class Errors:
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


def parse_field(errors: Errors, row: int, key: str, parse, cell):
    try:
        return parse(cell)
    except reading.BadValue as exc:
        errors.add(row, key, str(exc))
        return None


def township_places(session: Session, township: Place) -> list[Place]:
    return list(session.scalars(select(Place).where(subtree_filter(township)).order_by(Place.id)))


@functools.lru_cache(maxsize=4096)
def village_key(name: str) -> str:
    key = layout.normalise(name).replace(" ", "")
    for suffix, short in (("村民委员会", "村"), ("居民委员会", "居"), ("村委会", "村"), ("居委会", "居")):
        if key.endswith(suffix):
            return key[: -len(suffix)] + short
    return key


def coded(errors, row, key, table, cell, what):
    try:
        value = reading.word(cell)
    except reading.BadValue as exc:
        errors.add(row, key, str(exc))
        return None, True
    if value is None:
        return None, False
    found = layout.code(table, value)
    if found is None:
        errors.add(row, key, f"“{value}”不是有效的{what}，可填：{'、'.join(dict.fromkeys(labels(key)))}")
        return None, True
    return found, False


def labels(key):
    return {"sex": layout.SEX_LABELS, "self_care_level": layout.LEVEL_LABELS, "support_mode": layout.MODE_LABELS,
            "relation": layout.RELATION_LABELS, "assistance_category": layout.CATEGORY_LABELS,
            "rank": layout.RANK_LABELS, "risk_flags": layout.RISK_FLAG_LABELS,
            "dibao_class": layout.DIBAO_CLASS_LABELS}[key].values()


ID_PROBLEMS = {
    "must be 17 digits followed by a digit or X": "身份证号应为18位：17位数字加一位数字或X",
    "holds no valid birth date": "身份证号中的出生日期不存在，请核对号码",
    "check character does not match": "身份证号末位校验码不对，请核对号码",
}


def users_by_phone(session: Session, phones: list[str]) -> dict[str, User]:
    """Logins by phone: the username (an import makes the phone the username), else the phone on record."""
    users: dict[str, User] = {}
    for chunk in chunks(phones):
        for u in session.scalars(select(User).where(db.among(session, User.phone, chunk)).order_by(User.id)):
            users.setdefault(u.phone, u)
        users.update({u.username: u for u in session.scalars(
            select(User).where(db.among(session, User.username, chunk)))})
    return users



@dataclass
class Run:
    """What an apply carries from batch to batch: the township, the logins made (shown once, by
    phone), the users and teams made so far (by phone, by name), and the new rows a batch keeps
    alive (the session's identity map holds its objects weakly)."""

    township: Place
    logins: dict[str, dict] = field(default_factory=dict)
    created_users: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    held: list = field(default_factory=list)
