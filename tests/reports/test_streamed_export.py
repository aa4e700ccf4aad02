"""Issue 13 item 4: an export streams — rows read from the database while the file is being sent,
memory flat whatever the size (bench/scale.py measures a million rows); here, that the response
is a stream, whole in both formats, in the order of the form, and that its session is closed."""

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook

from server.tables import CHUNK_ROWS
from tests import factories


def many_agreements(session, world, n):
    village = world.a.villages[0]
    for k in range(n):
        factories.person(session, village, name=f"丙{k:04d}", caregiver=world.a.caregiver,
                         born=date(1940, 1, 1) + timedelta(days=k))


def test_the_agreements_export_streams_every_row(client, session, world):
    n = CHUNK_ROWS + 7  # more than one chunk
    many_agreements(session, world, n)
    h = factories.headers(session, world.admin)
    r = client.get("/api/reports/agreements?format=csv", headers=h)
    assert r.status_code == 200 and r.is_streamed
    assert r.headers["Content-Disposition"].startswith('attachment; filename="export.csv"')
    table = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    assert table[0][:2] == ["村/居委会", "特困人员"]
    names = [row[1] for row in table[1:] if len(row) > 1]
    assert len(names) == n + 2  # the two persons of the world, and the n
    assert [x for x in names if x.startswith("丙")] == [f"丙{k:04d}" for k in range(n)]
    # a blank row, then the notes close the table: the policy applied, the rule, what the figures are
    assert table[-4] == [] and all(row[0].strip() for row in table[-3:])

    x = client.get("/api/reports/agreements?format=xlsx", headers=h)
    assert x.status_code == 200 and x.is_streamed
    ws = load_workbook(io.BytesIO(x.get_data()), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][:2] == ("村/居委会", "特困人员")  # under the title and 填报单位
    got = [row[1] for row in rows if len(row) > 1 and str(row[1]).startswith("丙")]
    assert len(got) == n, (len(got), len(rows), rows[:3], rows[-3:])
    # the JSON view reads the same rows
    assert len(client.get("/api/reports/agreements", headers=h).get_json()["rows"]) == n + 2


def test_a_refused_export_is_a_message_not_a_file(client, session, world):
    r = client.get(f"/api/reports/agreements?format=csv&place_id={world.b.place.id}",
                   headers=factories.headers(session, world.a.staff))
    assert r.status_code == 403 and r.mimetype == "application/json" and r.get_json()["message"]


def test_an_export_failing_before_its_first_chunk_answers_the_json_error_not_a_page(app_config):
    """Issue 30 M3: an XLSX is whole before its first chunk; what fails writing it failed after the
    200 had gone, and gunicorn's HTML error page came instead of the file."""
    from server import create_app
    from server.downloads import download

    app = create_app({**app_config, "TESTING": False})

    def chunks():
        raise ValueError("a cell the writer cannot hold")
        yield b""  # pragma: no cover - a generator

    @app.get("/api/broken-export")
    def broken():
        return download(chunks(), "表", "xlsx")

    r = app.test_client().get("/api/broken-export", headers={"Accept-Language": "en"})
    assert r.status_code == 500 and r.is_json
    assert r.get_json()["reason"] == "server_error"


def test_a_csv_names_its_charset_once(client, session, world):
    """Issue 30 L11: `text/csv; charset=utf-8; charset=utf-8`."""
    h = factories.headers(session, world.admin)
    for path in ("/api/reports/agreements?format=csv", "/api/pairing/annex?format=csv"):
        with client.get(path, headers=h) as r:  # a stream: read to its end, which closes its session
            assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8", path
            assert r.data.startswith("\ufeff".encode())
    with client.get("/api/reports/agreements?format=xlsx", headers=h) as r:
        assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert r.data.startswith(b"PK")
