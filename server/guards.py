"""Checks every request gets before its route runs."""

from __future__ import annotations

from flask import Flask, request

from server.errors import fail

NUL = "\x00"


def nul_paths(value, path: str = "") -> list[str]:
    """Where in a JSON value a string (or key) holds a NUL character."""
    if isinstance(value, str):
        return [path or "_schema"] if NUL in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found += [where] if NUL in str(key) else nul_paths(item, where)
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in nul_paths(item, f"{path}.{i}" if path else str(i))]
    return []


def refuse_nul_characters() -> None:
    """A NUL character in any text field, query parameter or JSON string is a 422 on that field.

    No text of this app holds one, and PostgreSQL's text columns refuse it outright (an error
    in the middle of the request, not a validation message). Files are not text: not looked at.
    """
    fields = list(request.args.items(multi=True))
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields += request.form.items(multi=True)
    found = [key for key, value in fields if NUL in f"{key}{value or ''}"]
    if request.is_json:
        found += nul_paths(request.get_json(silent=True))
    if found:
        fail(422, "validation", errors={key: ["NUL characters are not allowed"] for key in found})


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
