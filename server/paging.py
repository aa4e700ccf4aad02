"""Keyset pagination, for every list (issue 13 item 4).

A page is the rows that come after the last one the client saw, in the list's own order, read
through the index that serves that order: no OFFSET walking past every earlier row, no count of
the whole set on every page (at a million persons both cost more than the page). A full page
answers with an ``X-Next-Page`` header, the opaque cursor to send back as ``after`` for the next
one; the last page has none. Services take a ``Page`` and give back the rows and that cursor.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Sequence

import marshmallow as ma
import sqlalchemy as sa

from server.errors import ServiceError
from server.fields import ID_MAX  # an id past it in a cursor is refused, never sent to the database

NEXT_HEADER = "X-Next-Page"
# the header, for the OpenAPI description of every list's response
HEADERS = {NEXT_HEADER: {"description": "the cursor of the next page, to send back as ``after`` (absent on the "
                                        "last page)", "schema": {"type": "string"}}}


@dataclass(frozen=True)
class Page:
    after: str | None = None  # the cursor a previous page gave; None: the first page
    size: int = 50


def query_schema(default: int = 50, maximum: int = 200) -> type[ma.Schema]:
    """The query arguments of a list: ``after`` and ``page_size`` (1..``maximum``)."""
    return ma.Schema.from_dict({
        "after": ma.fields.String(validate=ma.validate.Length(max=500),
                                  metadata={"description": f"the {NEXT_HEADER} header of the previous page"}),
        "page_size": ma.fields.Integer(load_default=default, validate=ma.validate.Range(min=1, max=maximum)),
    }, name=f"Page{default}_{maximum}Query")


def page(args: dict) -> Page:
    return Page(args.get("after"), args["page_size"])


def _encode(values: Sequence[Any]) -> str:
    plain = [{"t": v.isoformat()} if isinstance(v, datetime) else {"d": v.isoformat()} if isinstance(v, date) else v
             for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, n: int) -> list:
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = [(datetime.fromisoformat(v["t"]) if "t" in v else date.fromisoformat(v["d"])) if isinstance(v, dict)
                  else v for v in plain]
        if len(values) != n or not all(isinstance(v, date) or (isinstance(v, int) and not isinstance(v, bool)
                                                               and abs(v) <= ID_MAX) for v in values):
            raise ValueError
        if any(isinstance(v, datetime) and v.tzinfo is None for v in values):
            raise ValueError
        return values
    except (ValueError, TypeError, KeyError, json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise _not_a_cursor() from None


def _not_a_cursor() -> ServiceError:
    return ServiceError(422, "validation", errors={"after": ["not a cursor this list gave"]})


def select_page(stmt: sa.Select, at: Page, *, order: Sequence, descending: bool = False) -> sa.Select:
    """``stmt`` ordered by the columns ``order`` (all one way), from after the cursor of ``at``,
    one row more than the page (to know whether another follows)."""
    if at.after is not None:
        values = _decode(at.after, len(order))
        key, past = sa.tuple_(*order), sa.tuple_(*(sa.literal(v, type_=c.type) for c, v in zip(order, values)))
        stmt = stmt.where(key < past if descending else key > past)
    return stmt.order_by(None).order_by(*(c.desc() if descending else c.asc() for c in order)).limit(at.size + 1)


def split(rows: list, at: Page, key: Callable[[Any], Sequence]) -> tuple[list, str | None]:
    """The page's rows and the cursor of the next page (None after the last): ``key`` gives a
    row's values of the order columns."""
    if len(rows) <= at.size:
        return rows, None
    rows = rows[:at.size]
    return rows, _encode(key(rows[-1]))


def slice_page(items: Sequence, at: Page) -> tuple[list, str | None]:
    """A page of a list kept whole in its own order (a JSON array stored once, never changed):
    the cursor is the position of the page's last item, refused unless another item follows it."""
    start = 0
    if at.after is not None:
        (last,) = _decode(at.after, 1)
        if isinstance(last, date) or not 0 <= last < len(items) - 1:
            raise _not_a_cursor()
        start = last + 1
    rows, cursor = split(list(enumerate(items[start:start + at.size + 1], start)), at, key=lambda r: (r[0],))
    return [item for _, item in rows], cursor


def respond(rows, cursor: str | None):
    """A view's return: the rows, with the next page's cursor in its header when there is one."""
    return (rows, 200, {NEXT_HEADER: cursor}) if cursor else rows
