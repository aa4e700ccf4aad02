"""One reader for the submissions that may carry photos (a visit's check-in, a team activity):
a multipart form (fields and ``photos``) or a JSON body (no photos), loaded by a schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import request
from marshmallow import ValidationError

from server.errors import fail
from server.guards import control_errors, control_paths

PHOTOS_FIELD = "photos"


def first_value(key: str, values: list[str]) -> Any:
    """A form field's value: the first one sent under its name."""
    return values[0]


def read_submission(
    schema: ma.Schema,
    *,
    form_value: Callable[[str, list[str]], Any] = first_value,
    refuse_other_files: bool = True,
    not_an_object: int = 400,
    defaults: dict[str, Any] | None = None,
) -> tuple[dict, list[bytes]]:
    """The submission, loaded by ``schema``, and the bytes of its photos.

    ``form_value(key, values)`` turns a form field's values into what the schema loads (a
    ValueError is a 422 on that field); files sent under another name than ``photos`` are a 422
    when ``refuse_other_files``; a JSON body that is not an object is ``not_an_object`` (a status);
    any other body is 415. ``defaults`` fill fields the body left out (None values are skipped).
    A schema's errors are a 422 with errors by field.
    """
    if request.mimetype == "multipart/form-data":
        raw, errors = {}, {}
        for key in request.form.keys():
            try:
                raw[key] = form_value(key, request.form.getlist(key))
            except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
                errors[key] = ["not valid JSON"]
        if refuse_other_files:
            for key in request.files.keys():
                if key != PHOTOS_FIELD:
                    errors[key] = ["Unknown field."]
        # JSON inside a form field (a check-in's observations) is text the request guard did not see
        errors.update(control_errors(control_paths(raw)))
        if errors:
            fail(422, "validation", errors=errors)
        files = [f.read() for f in request.files.getlist(PHOTOS_FIELD)]
    elif request.is_json:
        raw = request.get_json(silent=True)
        if not isinstance(raw, dict):
            fail(not_an_object, "bad_request")
        files = []
    else:
        fail(415, "bad_request")
    for key, value in (defaults or {}).items():
        if key not in raw and value:
            raw[key] = value
    try:
        return schema.load(raw), files
    except ValidationError as err:
        fail(422, "validation", errors=err.messages)
