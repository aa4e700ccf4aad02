"""Request fields several domains share."""

import re
import unicodedata
from datetime import date, datetime, timezone

import marshmallow as ma
from marshmallow import validate
from werkzeug.routing import IntegerConverter

from server.errors import message

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Month(ma.fields.String):
    """A calendar month as YYYY-MM on the wire, (year, month) once loaded."""

    default_error_messages = {"invalid_month": "use YYYY-MM, 1900-01 … 2100-12"}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"description": "YYYY-MM, in the configured time zone"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        match = _MONTH.match(super()._deserialize(value, attr, data, **kwargs))
        if match is None or not DATE_MIN.year <= int(match.group(1)) <= DATE_MAX.year:
            raise self.make_error("invalid_month")
        return int(match.group(1)), int(match.group(2))


def normalise_text(value: str) -> str:
    """NFKC (full-width digits, letters and spaces become plain ones), trimmed: how a name is kept,
    whether typed in the app or read from a roster (server.imports.layout)."""
    return unicodedata.normalize("NFKC", value).strip()


class Name(ma.fields.String):
    """A person's or an account's name: one line, normalised as a roster's cell is (so a township's
    export imports back unchanged, issue 30 L6), and never what a spreadsheet takes for a formula."""

    def __init__(self, *, max_length: int = 50, **kwargs):
        super().__init__(validate=validate.Length(min=1, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if any(ch in text for ch in "\n\r\t"):
            raise ma.ValidationError(message("name_multi_line"))
        text = normalise_text(text)
        if text.startswith("="):
            raise ma.ValidationError(message("name_formula"))
        return text


# Every id is a PostgreSQL `integer` (serial) column: 1 … 2^31 − 1. A larger value can match
# nothing, and the database refuses to even compare with it (a 500), so it never gets there.
ID_MIN, ID_MAX = 1, 2**31 - 1
# Dates and times far outside the life of this app are mistakes, and some overflow Python's
# datetime arithmetic (0001-01-01 with an offset) or the database's types.
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2100, 12, 31)
VISIT_TIME_MIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
TIME_MAX = datetime(2100, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def _with(validator, kwargs: dict) -> dict:
    extra = kwargs.pop("validate", None)
    extra = [] if extra is None else list(extra) if isinstance(extra, (list, tuple)) else [extra]
    kwargs["validate"] = [validator, *extra]
    return kwargs


class Id(ma.fields.Integer):
    """A row id: an integer within 1 … 2^31 − 1 (PostgreSQL `integer`)."""

    def __init__(self, **kwargs):
        super().__init__(**_with(validate.Range(ID_MIN, ID_MAX), kwargs))


class Date(ma.fields.Date):
    """A calendar date within 1900 … 2100 (or the given ``min``/``max``)."""

    def __init__(self, *, min: date = DATE_MIN, max: date = DATE_MAX, **kwargs):
        super().__init__(**_with(validate.Range(min, max), kwargs))


class AwareDateTime(ma.fields.AwareDateTime):
    """An instant with its offset, from ``min`` (default 1900) to 2100."""

    def __init__(self, *, min: datetime = datetime(1900, 1, 1, tzinfo=timezone.utc), max: datetime = TIME_MAX,
                 **kwargs):
        super().__init__(**_with(validate.Range(min, max), kwargs))


class IdConverter(IntegerConverter):
    """``<id:person_id>``: a row id in the path; out of 1 … 2^31 − 1 the route does not match (404)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, min=ID_MIN, max=ID_MAX, **kwargs)


class Shaped(ma.fields.List):
    """A long list the service has already shaped as its items' schema says (plain numbers and
    text): documented as that schema, sent as it is — a district's thousand and more townships are
    not serialised field by field at every request."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value
