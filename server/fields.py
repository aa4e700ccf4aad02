"""Request fields several domains share."""

import re

import marshmallow as ma

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Month(ma.fields.String):
    """A calendar month as YYYY-MM on the wire, (year, month) once loaded."""

    default_error_messages = {"invalid_month": "use YYYY-MM"}

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"description": "YYYY-MM, in the configured time zone"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        match = _MONTH.match(super()._deserialize(value, attr, data, **kwargs))
        if match is None:
            raise self.make_error("invalid_month")
        return int(match.group(1)), int(match.group(2))
