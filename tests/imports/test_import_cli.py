"""`zhaoying import FILE --township NAME [--apply] [--json]`."""

from __future__ import annotations

import json

from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from server.audit.models import AuditLog
from server.cli import main
from server.people.models import Person
from tests.imports.conftest import ident, make_xlsx, person_row


def run(app, *args):
    runner = CliRunner()
    return runner.invoke(main, ["import", *args], obj=ScriptInfo(create_app=lambda: app), catch_exceptions=False)


def test_json_output_exit_status_and_apply(app, session, world, tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(make_xlsx([person_row(1, "甲镇1村"), person_row(2, "甲镇2村")]))
    r = run(app, str(good), "--township", "甲镇", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["created"], out["updated"], out["unchanged"], out["errors"], out["applied"]) == (2, 0, 0, [], False)
    assert session.scalar(select(Person.id).where(Person.id_number == ident(1))) is None

    r = run(app, str(good), "--township", "甲镇", "--json", "--apply")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["applied"] and len(out["logins"]) == 2
    assert "importing" in r.stderr  # the progress bar goes to stderr
    assert session.scalar(select(Person.id).where(Person.id_number == ident(1))) is not None
    assert session.scalar(select(AuditLog).where(AuditLog.entity == "import")).detail["created"] == 2

    r = run(app, str(good), "--township", "甲镇", "--json", "--apply")
    assert json.loads(r.stdout)["unchanged"] == 2

    bad = tmp_path / "bad.xlsx"
    rows = [person_row(3, "甲镇1村"), person_row(4, "无此村")]
    bad.write_bytes(make_xlsx(rows))
    r = run(app, str(bad), "--township", "甲镇", "--json", "--apply")
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out["applied"] is False and out["created"] == 1
    assert out["errors"] == [{"row": 3, "column": "村", "message": out["errors"][0]["message"]}]
    assert session.scalar(select(Person.id).where(Person.id_number == ident(3))) is None  # nothing stored

    r = run(app, str(bad), "--township", "甲镇")
    assert r.exit_code == 1 and "第3行 [村]" in r.output
    assert run(app, str(good), "--township", "无此镇").exit_code != 0


def test_a_refused_file_is_one_json_object_too(app, session, world, tmp_path):
    """Issue 30 L11: `--json` printed no JSON for a file refused whole (not a spreadsheet, too wide)."""
    photo = tmp_path / "photo.xlsx"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    r = run(app, str(photo), "--township", "甲镇", "--json")
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert (out["refused"], out["applied"], out["township"]) == ("import_not_spreadsheet", False, "甲镇")
    assert out["message"]
