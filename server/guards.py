"""Checks every request gets before its route runs."""

from __future__ import annotations

import re

from flask import Flask, request

from server.errors import fail, message

# C0 control characters but TAB, LF and CR: no text of this app holds one; PostgreSQL's text refuses
# NUL outright, and a spreadsheet cell (openpyxl) the rest (issue 30 M3).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def control_paths(value) -> list[str]:
    """Where in a JSON value a string (or key) holds a control character, as dotted paths. Walked
    without recursion: the value may be nested as deep as the parser allowed."""
    found, todo = [], [("", value)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, str):
            if CONTROL.search(value):
                found.append(path or "_schema")
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if CONTROL.search(str(key)):
                    found.append(where)
                else:
                    todo.append((where, item))
        elif isinstance(value, list):
            todo += [(f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value)]
    return sorted(found)


def control_errors(paths: list[str]) -> dict[str, list[str]]:
    return {key: [message("control_characters")] for key in paths}


def refuse_control_characters() -> None:
    """A control character (NUL, \\x01 … but TAB, LF, CR) in any text field, query parameter, JSON
    string or uploaded file's name is a 422 on that field. Files' contents are not text: not
    looked at here (an imported roster's cells are checked as its rows are read)."""
    fields = list(request.args.items(multi=True))
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields += request.form.items(multi=True)
    found = [key for key, value in fields if CONTROL.search(f"{key}{value or ''}")]
    if request.mimetype == "multipart/form-data":
        found += [key for key, file in request.files.items(multi=True) if CONTROL.search(file.filename or "")]
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the parser goes (issue 30 L3)
            fail(400, "too_deep")
        found += control_paths(body)
    if found:
        fail(422, "validation", errors=control_errors(found))


def init_app(app: Flask) -> None:
    app.before_request(refuse_control_characters)
