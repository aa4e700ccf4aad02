"""The roster a township really has (issue 32): headers read by what they say, an unknown column
reported and mapped on screen (and remembered for the township's next file), old Excel (.xls)
read as its XLSX twin, a preview in words, and the logins sheet that says where to log in."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
import xlwt
from openpyxl import load_workbook
from sqlalchemy import select

from server.care.models import CareAgreement
from server.imports import reading
from server.imports.models import ImportMapping
from server.people.models import Person
from tests import factories
from tests.imports.conftest import PERSON_HEADER, ident, make_xlsx, person_row, upload
from tests.imports.test_imports_api import apply, dry_run, persons_of

V1 = "甲镇1村"
LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_rows": 50_000}


def header_with(**renamed) -> list[str]:
    """PERSON_HEADER with some columns headed otherwise, as townships write them."""
    return [renamed.get(h, h) for h in PERSON_HEADER]


def column(result, header):
    return next(c for c in result["columns"] if c["header"] == header)


def test_a_relation_headed_as_the_township_writes_it_is_read_and_imported(client, session, world, staff_a):
    header = header_with(关系="与老人关系")
    rows = [person_row(1, V1, relation="子女"), person_row(2, V1, relation="邻居"), person_row(3, V1, relation="亲属")]
    result = dry_run(client, staff_a, make_xlsx(rows, header))
    assert result["errors"] == [] and result["counts"]["created"] == 3
    assert column(result, "与老人关系") == {"column": "J", "header": "与老人关系", "field": "relation", "by": "meaning"}
    assert column(result, "姓名")["by"] == "name" and result["unknown_headers"] == []
    assert apply(client, staff_a, result["id"]).status_code == 200
    got = persons_of(session, [ident(k) for k in (1, 2, 3)])
    relations = dict(session.execute(select(CareAgreement.person_id, CareAgreement.relation)
                                      .where(CareAgreement.status == "active")).all())
    assert [relations[got[ident(k)].id] for k in (1, 2, 3)] == ["relative", "neighbour", "relative"]


def test_meaning_needs_the_words_and_its_neighbours():
    # 关系 is the caregiver's relation only in a file that names a caregiver
    data = make_xlsx([["王", ident(1), V1, "全自理", "子女"]], ["姓名", "身份证", "村", "自理能力", "与户主关系"])
    sheet = reading.read(data, "a.xlsx", "persons", **LIMITS)
    assert sheet.headers["id_number"] == "身份证" and "relation" not in sheet.headers
    assert sheet.unknown_headers == ["与户主关系"]
    data = make_xlsx([person_row(1, V1)], header_with(照料人电话="照料服务人手机号码", 自理能力="失能等级"))
    sheet = reading.read(data, "a.xlsx", "persons", **LIMITS)
    assert sheet.headers["caregiver_phone"] == "照料服务人手机号码" and sheet.headers["self_care_level"] == "失能等级"


def test_an_unknown_column_is_reported_then_mapped_imported_and_remembered(client, session, world, staff_a):
    header = [*header_with(身份证号="户籍号"), "户籍性质"]
    data = make_xlsx([[*person_row(k, V1), "农业"] for k in (1, 2)], header)
    first = dry_run(client, staff_a, data)
    assert column(first, "户籍号") == {"column": "C", "header": "户籍号", "field": None, "by": None}
    assert first["unknown_headers"] == ["户籍号", "户籍性质"] and first["plan"] == []
    assert first["errors"] == [{"row": 1, "column": "公民身份号码", "message": first["errors"][0]["message"]}]
    assert "文件中没有这一列（必填）" in first["errors"][0]["message"]
    assert {"key": "id_number", "header": "公民身份号码", "required": True} in first["fields"]
    assert apply(client, staff_a, first["id"]).status_code == 409  # a dry run with errors is never applied

    mapped = dry_run(client, staff_a, data, mapping={"户籍号": "id_number", "户籍性质": ""})
    assert mapped["errors"] == [] and mapped["counts"]["created"] == 2
    assert column(mapped, "户籍号")["field"] == "id_number" and column(mapped, "户籍号")["by"] == "mapping"
    assert column(mapped, "户籍性质") == {"column": "L", "header": "户籍性质", "field": None, "by": "mapping"}
    assert apply(client, staff_a, mapped["id"]).status_code == 200
    assert set(persons_of(session, [ident(1), ident(2)])) == {ident(1), ident(2)}

    # the township's next file is read the same way, with nothing sent
    again = dry_run(client, staff_a, data)
    assert column(again, "户籍号")["by"] == "mapping" and [p["action"] for p in again["plan"]] == ["unchanged"] * 2
    remembered = session.scalars(select(ImportMapping).where(ImportMapping.township_id == world.a.place.id)).all()
    assert {(m.kind, m.header, m.field) for m in remembered} == {("persons", "户籍号", "id_number"),
                                                                   ("persons", "户籍性质", "")}
    # another township's staff are not read with it
    other = factories.headers(session, world.b.staff)
    r = upload(client, other, make_xlsx([person_row(5, "乙乡1村")], header_with(身份证号="户籍号")))
    assert r.status_code == 201 and column(r.get_json(), "户籍号")["field"] is None


def test_a_mapping_that_makes_no_sense_is_refused(client, session, world, staff_a):
    data = make_xlsx([person_row(1, V1)])
    for mapping, words in (({"住址": "colour"}, "没有“colour”这一项"),
                           ({"住址": "name", "姓名": "name"}, "“姓名”只能对应文件中的一列"),
                           ("[1, 2]", None), ("{not json", None)):
        r = upload(client, staff_a, data, mapping=mapping)
        assert r.status_code == 422, (mapping, r.get_json())
        if words:
            assert r.get_json()["reason"] == "import_mapping_invalid" and words in r.get_json()["message"]
    assert session.scalar(select(ImportMapping.id)) is None  # nothing remembered of a refused mapping


def xls(rows: list[list], header: list[str], *, title: str | None = None) -> bytes:
    """An Excel 97–2003 file as WPS and old offices save it: a title, dates as dates, numbers as numbers."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    as_date = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    start = 0
    if title:
        sheet.write(0, 0, title)
        start = 1
    for c, h in enumerate(header):
        sheet.write(start, c, h)
    for r, row in enumerate(rows, start=start + 1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(r, c, value, as_date)
            elif value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def twins():
    header = [*PERSON_HEADER, "纳入日期"]
    rows = [[*person_row(1, V1, signed=date(2023, 5, 1)), date(2020, 3, 15)],
            [*person_row(2, V1, phone=13900000077, relation="邻居"), "2021年4月2日"],
            [*person_row(3, "甲镇2村", level="半护理", caregiver="", phone="", relation="", signed=None), None]]
    return rows, header


def test_an_old_excel_file_reads_the_same_as_its_xlsx_twin(client, session, world, staff_a):
    rows, header = twins()
    old = xls(rows, header, title="甲镇分散供养特困人员花名册")
    new = make_xlsx(rows, header, title="甲镇分散供养特困人员花名册")
    assert old.startswith(reading.OLE2_MAGIC)
    a, b = (reading.read(d, name, "persons", **LIMITS) for d, name in ((old, "花名册.xls"), (new, "花名册.xlsx")))
    words = lambda sheet: [(n, {k: reading.text(c) for k, c in cells.items()}) for n, cells in sheet.rows]  # noqa: E731
    assert words(a) == words(b) and a.headers == b.headers and a.columns == b.columns
    from_old, from_new = dry_run(client, staff_a, old, filename="花名册.xls"), dry_run(client, staff_a, new)
    assert from_old["errors"] == [] and from_old["counts"]["created"] == 3
    assert from_old["plan"] == from_new["plan"]
    assert apply(client, staff_a, from_old["id"]).status_code == 200
    got = persons_of(session, [ident(1), ident(2)])
    assert got[ident(1)].enrolled_on == date(2020, 3, 15) and got[ident(2)].enrolled_on == date(2021, 4, 2)


def test_old_excel_has_the_guards_of_xlsx():
    rows, header = twins()
    data = xls(rows, header)
    with pytest.raises(Exception) as info:
        reading.read(data, "a.xls", "persons", max_bytes=len(data) - 1, max_rows=10)
    assert info.value.key == "import_too_large"
    with pytest.raises(Exception) as info:
        reading.read(data, "a.xls", "persons", max_bytes=LIMITS["max_bytes"], max_rows=2)
    assert info.value.key == "import_too_many_rows"
    damaged = data[:len(data) // 3]
    with pytest.raises(Exception) as info:
        reading.read(damaged, "a.xls", "persons", **LIMITS)
    assert info.value.key == "import_not_spreadsheet"


CODES = ("tekun", "dibao", "lives_alone", "severe_disability", "partly_disabled", "fully_disabled", "self_care",
         "relative", "neighbour", "decentralised", "imp_")


def test_the_preview_is_in_words(client, session, world, staff_a):
    header = [*PERSON_HEADER, "救助类别", "特殊困难情形", "纳入日期"]
    first = dry_run(client, staff_a, make_xlsx([[*person_row(1, V1, level="半失能"), "特困", "独居、重残",
                                                 "2021-03-15"]], header))
    changes = first["plan"][0]["changes"]
    assert changes["assistance_category"] == {"column": "救助类别", "from": None, "to": "特困"}
    assert changes["risk_flags"] == {"column": "特殊困难情形", "from": None, "to": "独居、重残"}
    assert changes["self_care_level"]["to"] == "半失能" and changes["village_id"] == {
        "column": "村", "from": None, "to": "甲镇1村"}
    apply(client, staff_a, first["id"])
    moved = dry_run(client, staff_a, make_xlsx([[*person_row(1, "甲镇2村", level="全失能"), "低保", "",
                                                 "2021-03-15"]], header))
    changes = moved["plan"][0]["changes"]
    assert changes["village_id"] == {"column": "村", "from": "甲镇1村", "to": "甲镇2村"}
    assert changes["risk_flags"] == {"column": "特殊困难情形", "from": "独居、重残", "to": "无"}
    shown = json.dumps([list(ch.values()) for r in first["plan"] + moved["plan"] for ch in r["changes"].values()],
                       ensure_ascii=False)
    assert not [code for code in CODES if code in shown], shown


def test_the_logins_sheet_says_where_to_log_in(client, session, world, staff_a):
    result = dry_run(client, staff_a, make_xlsx([person_row(1, V1), person_row(2, V1)]))
    client.application.config["PUBLIC_URL"] = "https://zhaoying.example.cn/"
    try:
        r = apply(client, staff_a, result["id"], query_string={"format": "xlsx"})
    finally:
        client.application.config["PUBLIC_URL"] = None
    ws = load_workbook(io.BytesIO(r.data)).active
    assert "https://zhaoying.example.cn/" in ws.cell(row=2, column=1).value
    assert [ws.cell(row=r, column=6).value for r in (4, 5)] == ["https://zhaoying.example.cn/"] * 2
    assert sorted(image.anchor._from.row for image in ws._images) == [3, 4]  # a QR code on each slip (0-based rows)
    body = apply(client, staff_a, dry_run(client, staff_a, make_xlsx([person_row(3, V1)]))["id"],
                 query_string={"sheet": "true"}).get_json()
    assert body["address"] == "http://localhost/"  # no PUBLIC_URL: where the request came to
    ws = load_workbook(io.BytesIO(__import__("base64").b64decode(body["logins_sheet"]))).active
    assert ws.cell(row=4, column=6).value == "http://localhost/" and len(ws._images) == 1
    assert session.scalar(select(Person.id).where(Person.id_number == ident(3))) is not None
