"""Checks every request gets before its route runs."""

from __future__ import annotations

from flask import Flask, request

from server.errors import fail

NUL = "\x00"


def _nul_paths(value, path: str = "") -> list[str]:
    """Where in a JSON value a string (or key) holds a NUL character."""
    if isinstance(value, str):
        return [path or "_schema"] if NUL in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found += [where] if NUL in str(key) else _nul_paths(item, where)
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nul_paths(item, f"{path}.{i}" if path else str(i))]
    return []


def refuse_nul_characters() -> None:
    """A NUL character in any text field, query parameter or JSON string is a 422 on that field.

    No text of this app holds one, and PostgreSQL's text columns refuse it outright (an error
    in the middle of the request, not a validation message). Files are not text: not looked at.
    """
    found = [key for key, value in request.args.items(multi=True) if NUL in key or NUL in value]
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        found += [key for key, value in request.form.items(multi=True) if NUL in key or NUL in value]
    elif request.is_json:
        found += _nul_paths(request.get_json(silent=True))
    if found:
        fail(422, "validation", errors={key: ["NUL characters are not allowed"] for key in found})


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
