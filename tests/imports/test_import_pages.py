"""Issue 30 L10: an import's answer is bounded whatever the file's size (its summary and the first
page of each long list), and the lists are read a page at a time behind it."""

from __future__ import annotations

import base64
import io
import json
from datetime import date, timedelta

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from server.imports import service
from server.imports.models import ImportJob
from server.imports.plan import PREVIEW_ROWS
from tests import factories
from tests.imports.conftest import ident, make_csv, make_xlsx, person_row, upload, walk

V1, V2 = "甲镇1村", "甲镇2村"
BIG = 49_999
# the answer for BIG rows, nearly all with errors (37.6 KB when measured; 11.4 MB before L10)
BOUND = 64 * 1024


def bad_roster(n, *, good_every=10):
    """n rows with distinct ID numbers and phones; all but every ``good_every``-th with two errors,
    a village not of the township and a self-care level the layout does not know."""
    rows = []
    for k in range(1, n + 1):
        good = k % good_every == 0
        row = person_row(k, V1 if good else "不存在村", level="全自理" if good else "半瘫")
        row[2] = ident(k, born=date(1930, 1, 1) + timedelta(days=k // 500))
        rows.append(row)
    return rows


def upload_big(client, headers, data: bytes):
    """A multipart upload built in memory (the test client spools a body over 500 KB to a file it
    never closes)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename="roster.csv"),
                                       "kind": "persons"})
    return client.post("/api/imports", data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def test_a_big_dry_run_answers_its_summary_and_a_first_page_of_each_list(client, session, world, staff_a):
    r = upload_big(client, staff_a, make_csv(bad_roster(BIG), encoding="utf-8-sig"))
    assert r.status_code == 201, r.get_json()
    got = client.get(f"/api/imports/{r.get_json()['id']}", headers=staff_a)
    assert got.status_code == 200
    print(f"\nL10 sizes: POST /api/imports {len(r.data)} bytes, GET /api/imports/{{id}} {len(got.data)} bytes")
    assert len(r.data) < BOUND and len(got.data) < BOUND, (len(r.data), len(got.data))
    body = got.get_json()
    good = BIG // 10
    assert body["counts"] == {"rows": BIG, "created": good, "updated": 0, "unchanged": 0,
                              "errors": 2 * (BIG - good), "error_rows": BIG - good}
    page = service.FIRST_PAGE
    assert body["errors_total"] == 2 * (BIG - good) and len(body["errors"]) == page and body["errors_next"]
    assert body["plan_rows"] == good and body["plan_total"] == PREVIEW_ROWS and len(body["plan"]) == page
    assert body["missing_total"] == 1 and body["missing_next"] is None
    assert [m["name"] for m in body["missing"]] == ["王德明"]
    # what is shown is what is kept: the stored dry run is the one it was
    stored = session.get(ImportJob, body["id"]).result
    assert body["errors"] == stored["errors"][:page] and len(stored["errors"]) == body["errors_total"]
    # the next page follows on from the cursor the answer gave
    r = client.get(f"/api/imports/{body['id']}/errors", headers=staff_a,
                   query_string={"after": body["errors_next"], "page_size": 200})
    assert r.status_code == 200 and r.get_json() == stored["errors"][page:page + 200]
    assert r.headers["X-Next-Page"]


def test_every_error_once_in_order_and_the_last_page_has_no_next(client, session, world, staff_a):
    body = upload(client, staff_a, make_xlsx(bad_roster(130))).get_json()
    stored = session.get(ImportJob, body["id"]).result["errors"]
    assert body["errors_total"] == len(stored) == 2 * 117
    for size in (1, 7, service.FIRST_PAGE, 200):
        assert walk(client, staff_a, body["id"], "errors", page_size=size) == stored, size
    # from the import's own first page on, with the cursor beside it
    pages, after = [body["errors"]], body["errors_next"]
    while after:
        r = client.get(f"/api/imports/{body['id']}/errors", headers=staff_a, query_string={"after": after})
        pages.append(r.get_json())
        after = r.headers.get("X-Next-Page")
    assert [len(p) for p in pages] == [50, 50, 50, 50, 34] and sum(pages, []) == stored
    last = client.get(f"/api/imports/{body['id']}/errors", headers=staff_a,
                      query_string={"after": cursor(len(stored) - 2)})
    assert last.status_code == 200 and len(last.get_json()) == 1 and "X-Next-Page" not in last.headers
    # a file without errors: an empty list, no next page
    clean = upload(client, staff_a, make_xlsx([person_row(1, V1)])).get_json()
    assert clean["errors"] == [] and clean["errors_total"] == 0 and clean["errors_next"] is None
    r = client.get(f"/api/imports/{clean['id']}/errors", headers=staff_a)
    assert r.status_code == 200 and r.get_json() == [] and "X-Next-Page" not in r.headers


def test_the_preview_and_the_missing_a_page_at_a_time(client, session, world, staff_a):
    first = upload(client, staff_a, make_xlsx([person_row(k, V1 if k % 2 else V2) for k in range(1, 61)])).get_json()
    assert client.post(f"/api/imports/{first['id']}/apply", headers=staff_a).status_code == 200
    n = PREVIEW_ROWS + 30
    body = upload(client, staff_a, make_xlsx([person_row(k, V1) for k in range(61, 61 + n)])).get_json()
    stored = session.get(ImportJob, body["id"]).result
    assert body["plan_rows"] == n and body["plan_total"] == PREVIEW_ROWS and len(body["plan"]) == service.FIRST_PAGE
    preview = walk(client, staff_a, body["id"], "plan", page_size=64)
    assert preview == stored["plan"] and [p["row"] for p in preview] == list(range(2, PREVIEW_ROWS + 2))
    assert body["plan"] == preview[:service.FIRST_PAGE]
    assert body["missing_total"] == 61 and len(body["missing"]) == service.FIRST_PAGE and body["missing_next"]
    missing = walk(client, staff_a, body["id"], "missing", page_size=service.FIRST_PAGE)
    assert missing == stored["missing"] and len({m["id"] for m in missing}) == 61
    assert body["missing"] == missing[:service.FIRST_PAGE]


def test_a_cursor_not_of_the_list_is_refused(client, session, world, staff_a):
    body = upload(client, staff_a, make_xlsx(bad_roster(30))).get_json()  # 54 errors
    for bad in ("not-a-cursor", cursor(54), cursor(53), cursor(-1), cursor(10, 11), cursor("3"), cursor(True),
                cursor({"d": "2026-01-01"}), "x" * 501):
        r = client.get(f"/api/imports/{body['id']}/errors", headers=staff_a, query_string={"after": bad})
        assert r.status_code == 422, bad
        assert r.get_json()["reason"] == "validation" and r.get_json()["message"], bad
        assert "after" in r.get_json()["errors"], bad
    assert client.get(f"/api/imports/{body['id']}/errors", headers=staff_a,
                      query_string={"after": cursor(52)}).status_code == 200
    r = client.get(f"/api/imports/{body['id']}/missing", headers=staff_a, query_string={"after": cursor(0)})
    assert r.status_code == 422 and r.get_json()["errors"] == {"after": ["not a cursor this list gave"]}
    r = client.get(f"/api/imports/{body['id']}/plan", headers=staff_a, query_string={"page_size": 0})
    assert r.status_code == 422 and "page_size" in r.get_json()["errors"]


def test_the_lists_are_refused_as_the_import_is(client, session, world, staff_a):
    body = upload(client, staff_a, make_xlsx(bad_roster(12))).get_json()
    others = [factories.headers(session, u) for u in (world.b.staff, world.a.caregiver, world.a.volunteer)]
    for headers in others:
        whole = client.get(f"/api/imports/{body['id']}", headers=headers)
        assert whole.status_code == 403
        for which in ("errors", "plan", "missing"):
            r = client.get(f"/api/imports/{body['id']}/{which}", headers=headers, query_string={"after": cursor(0)})
            assert (r.status_code, r.get_json()) == (whole.status_code, whole.get_json()), which
    gone = client.get("/api/imports/999999", headers=staff_a)
    assert gone.status_code == 404
    for which in ("errors", "plan", "missing"):
        r = client.get(f"/api/imports/999999/{which}", headers=staff_a)
        assert (r.status_code, r.get_json()) == (404, gone.get_json())
    assert client.get(f"/api/imports/{body['id']}/errors").status_code == 401
    # the district admin reads the township's lists as they read the import
    admin = factories.headers(session, world.admin)
    assert client.get(f"/api/imports/{body['id']}/errors", headers=admin).status_code == 200
