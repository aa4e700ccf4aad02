"""Real files made in the test: XLSX through openpyxl, CSV in GB18030 and UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import Workbook

from server.people import idnumber

PERSON_HEADER = ["姓名", "性别", "身份证号", "村", "住址", "自理能力", "供养方式", "照料人", "照料人电话", "关系", "签订日期"]


def ident(k: int, born: date = date(1948, 3, 9), sex: str = "M") -> str:
    """A well-formed ID number from an area code no fixture uses."""
    return idnumber.make("150431", born, k, sex)


def person_row(k: int, village: str, *, name: str | None = None, sex: str = "男", level: str = "全自理",
               caregiver: str | None = None, phone: str | None = None, relation: str = "亲属",
               signed="2023-05-01", address: str = "一组1号", mode: str = "分散供养") -> list:
    code = "M" if sex in ("男", "M") else "F"
    return [name or f"人员{k}", sex, ident(k, sex=code), village, address, level, mode,
            caregiver if caregiver is not None else f"照料人{k}",
            phone if phone is not None else f"139{k:08d}", relation, signed]


def make_xlsx(rows: list[list], header: list | None = None, *, title: str | None = None,
              blank_rows_after: tuple[int, ...] = ()) -> bytes:
    header = header or PERSON_HEADER
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for i, row in enumerate(rows):
        ws.append(row)
        if i in blank_rows_after:
            ws.append([])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def make_csv(rows: list[list], header: list | None = None, *, encoding: str = "gb18030") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or PERSON_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, headers, data: bytes, *, filename: str = "花名册.xlsx", kind: str = "persons",
           place_id: int | None = None, mapping: dict | str | None = None):
    form = {"file": (io.BytesIO(data), filename), "kind": kind}
    if place_id is not None:
        form["place_id"] = str(place_id)
    if mapping is not None:  # the on-screen mapping travels as JSON text in the form
        form["mapping"] = mapping if isinstance(mapping, str) else json.dumps(mapping, ensure_ascii=False)
    return client.post("/api/imports", data=form, headers=headers, content_type="multipart/form-data")


@pytest.fixture
def staff_a(session, world):
    from tests import factories

    return factories.headers(session, world.a.staff)


def walk(client, headers, import_id: int, which: str, page_size: int = 200) -> list:
    """Every item of an import's long list (errors, plan, missing), page after page."""
    items, after = [], None
    while True:
        query = {"page_size": page_size, **({"after": after} if after else {})}
        r = client.get(f"/api/imports/{import_id}/{which}", headers=headers, query_string=query)
        assert r.status_code == 200, r.get_json()
        items += r.get_json()
        after = r.headers.get("X-Next-Page")
        if after is None:
            return items
