"""Issue 30 M3 and L4: a control character (C0 but TAB, LF, CR) is refused in every text field
and an uploaded file's name, with a 422 on the field; a roster's cell holding one is that row's
error; and a name stored before (a row written around the API) no longer breaks the exports:
the cell shows U+FFFD, every export answers 200 with a file openpyxl reads."""

import io

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.imports.conftest import make_csv, make_xlsx, upload
from tests.imports.test_imports_api import dry_run, roster

LEGACY = "abc\x01def"


@pytest.mark.parametrize("ch", ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_a_control_character_in_a_json_field_is_a_422_on_it(client, session, world, ch):
    body = {"name": f"赵{ch}一", "sex": "M", "birth_date": "1950-05-17", "id_number": factories.id_number(),
            "village_id": world.a.villages[0].id}
    r = client.post("/api/persons", json=body, headers=factories.headers(session, world.a.staff))
    assert r.status_code == 422
    assert r.get_json()["errors"] == {"name": ["不能包含控制字符"]}


def test_tab_lf_and_cr_stay_allowed_and_english_says_so_in_english(client, session, world):
    h = factories.headers(session, world.a.staff)
    r = client.get("/api/persons?q=%1B", headers={**h, "Accept-Language": "en"})
    assert r.status_code == 422 and r.get_json()["errors"] == {"q": ["Control characters are not allowed"]}
    r = client.get("/api/persons?q=a%09b%0Ac%0D", headers=h)
    assert r.status_code == 200


def test_a_control_character_in_a_form_field_or_a_files_name_is_a_422(client, session, world, staff_a):
    r = upload(client, staff_a, make_xlsx(roster(1)), filename="花名\x00册.xlsx")
    assert r.status_code == 422 and r.get_json()["errors"] == {"file": ["不能包含控制字符"]}
    r = upload(client, staff_a, make_xlsx(roster(1)), mapping={"证\x02号码": "id_number"})  # JSON: \u0002
    assert r.status_code == 422 and r.get_json()["errors"] == {"mapping": ["不能包含控制字符"]}


def test_a_roster_cell_holding_a_control_character_is_that_rows_error(client, session, world, staff_a):
    rows = roster(2)
    rows[1][0] = "褚\x07国富"
    result = dry_run(client, staff_a, make_csv(rows), filename="花名册.csv")  # openpyxl cannot write one
    assert [(e["row"], e["message"]) for e in result["errors"]] == [(3, "单元格里有看不见的控制字符，请删除后再导入")]


@pytest.fixture
def legacy_name(session, world):
    """A name stored before the guard (or around it): it must not break any export."""
    world.a.person.name = LEGACY
    world.a.caregiver.display_name = LEGACY
    session.add_all([world.a.person, world.a.caregiver])
    session.flush()


@pytest.mark.parametrize("path", [
    "/api/reports/agreements?format=xlsx",
    "/api/imports/export",
    "/api/assessments/export?format=xlsx",
])
def test_every_export_holding_a_stored_control_character_is_a_readable_file(client, session, world, legacy_name, path):
    h = factories.headers(session, world.a.staff)
    if "assessments" in path:  # 附件3 lists the persons assessed
        from tests.test_assessments import form

        assert client.post("/api/assessments", json=form(world.a.person.id), headers=h).status_code == 201
        path += f"&place_id={world.a.place.id}"
    r = client.get(path, headers=h)
    assert r.status_code == 200, r.data[:200]
    assert r.mimetype.endswith("sheet")
    cells = [c.value for ws in load_workbook(io.BytesIO(r.data)).worksheets for row in ws.iter_rows() for c in row]
    assert "abc\ufffddef" in cells or any(isinstance(v, str) and "abc\ufffddef" in v for v in cells)
