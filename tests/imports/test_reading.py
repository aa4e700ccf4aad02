"""Reading files people really have: pure functions, no app, no database."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from server.errors import ServiceError
from server.imports import reading
from tests.imports.conftest import PERSON_HEADER, ident, make_csv, make_xlsx, person_row

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_rows": 50_000}


def read(data, filename="a.xlsx", kind="persons", **limits):
    return reading.read(data, filename, kind, **{**LIMITS, **limits})


def test_merged_title_rows_variant_headers_and_blank_rows():
    header = ["序号", "姓名", "性别", "公民身份号码", "所在村", "家庭住址", "自理情况", "供养形式", "照料服务人", "联系电话",
              "与特困人员关系", "签约日期"]
    rows = [[1, *person_row(1, "甲镇1村")], [2, *person_row(2, "甲镇2村")]]
    data = make_xlsx(rows, header, title="甲镇分散供养特困人员花名册", blank_rows_after=(0,))
    sheet = read(data)
    assert sheet.headers["id_number"] == "公民身份号码" and sheet.headers["village"] == "所在村"
    assert sheet.unknown_headers == ["序号"]
    assert [number for number, _ in sheet.rows] == [3, 5]  # the rows Excel shows: title 1, header 2, blank 4
    assert reading.text(sheet.rows[0][1]["name"]) == "人员1"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8"])
def test_csv_in_the_encodings_excel_writes(encoding):
    data = make_csv([person_row(1, "甲镇1村", name="张秀英", sex="女")], encoding=encoding)
    sheet = read(data, "花名册.csv")
    cells = sheet.rows[0][1]
    assert reading.text(cells["name"]) == "张秀英"
    assert reading.text(cells["self_care_level"]) == "全自理"
    assert sheet.rows[0][0] == 2


def test_id_number_stored_as_a_number_or_in_scientific_notation_is_refused():
    with pytest.raises(reading.BadValue, match="数字"):
        reading.id_number(reading.Cell(150431194803090013))
    with pytest.raises(reading.BadValue, match="科学计数法"):
        reading.id_number(reading.Cell("1.50431E+17"))
    assert reading.id_number(reading.Cell(" 15043119480309001x ")) == "15043119480309001X"


def test_full_width_digits_and_spaces_are_normalised():
    full = "".join(chr(ord(c) + 0xFEE0) for c in ident(3))
    assert reading.id_number(reading.Cell(full + "\u3000")) == ident(3)
    assert reading.phone(reading.Cell("１３９ １２３４ ５６７８")) == "13912345678"
    assert reading.text(reading.Cell("\u3000王\u3000德明 ")) == "王 德明"


@pytest.mark.parametrize("value,expected", [
    (45047, date(2023, 5, 1)), (45047.0, date(2023, 5, 1)), ("45047", date(2023, 5, 1)),
    ("2023-05-01", date(2023, 5, 1)), ("2023/5/1", date(2023, 5, 1)), ("2023年5月1日", date(2023, 5, 1)),
    ("2023.5.1", date(2023, 5, 1)), ("２０２３年５月１日", date(2023, 5, 1)), (datetime(2023, 5, 1), date(2023, 5, 1)),
])
def test_dates(value, expected):
    assert reading.a_date(reading.Cell(value)) == expected


def test_bad_date_and_phone():
    with pytest.raises(reading.BadValue, match="无法识别"):
        reading.a_date(reading.Cell("五月一日"))
    with pytest.raises(reading.BadValue, match="不是手机号"):
        reading.phone(reading.Cell("0476-1234567"))
    assert reading.phone(reading.Cell(13912345678)) == "13912345678"


def test_excel_serial_date_in_a_real_file():
    row = person_row(1, "甲镇1村", signed=45047)
    sheet = read(make_xlsx([row]))
    assert reading.a_date(sheet.rows[0][1]["signed_on"]) == date(2023, 5, 1)


def test_formula_cells_are_refused():
    wb = Workbook()
    ws = wb.active
    ws.append(PERSON_HEADER)
    ws.append(["=A1&\"x\"", *person_row(1, "甲镇1村")[1:]])
    out = io.BytesIO()
    wb.save(out)
    sheet = read(out.getvalue())
    cell = sheet.rows[0][1]["name"]
    assert cell.formula
    with pytest.raises(reading.BadValue, match="公式"):
        reading.text(cell)
    # an apostrophe-guarded text (what our export writes) comes back as the text
    assert reading.text(reading.Cell("'=1+1")) == "=1+1"


def _refused(data, key, filename="a.xlsx", **limits):
    with pytest.raises(ServiceError) as info:
        read(data, filename, **limits)
    assert info.value.key == key, info.value.key
    return info.value


def test_not_a_spreadsheet():
    _refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "import_not_spreadsheet", "photo.png")
    _refused(b"PK\x03\x04garbage", "import_not_spreadsheet")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    _refused(buf.getvalue(), "import_not_spreadsheet", "a.docx")


def test_macro_enabled_and_encrypted_workbooks():
    data = make_xlsx([person_row(1, "甲镇1村")])
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\x00" * 64)
    _refused(buf.getvalue(), "import_macro")
    _refused(data, "import_macro", "roster.xlsm")
    _refused(reading.OLE2_MAGIC + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 2048, "import_encrypted")
    _refused(reading.OLE2_MAGIC + "_VBA_PROJECT_CUR".encode("utf-16-le") + b"\x00" * 2048, "import_macro", "a.xls")
    _refused(reading.OLE2_MAGIC + b"\x00" * 2048, "import_not_spreadsheet", "a.xls")


def test_zip_bomb_disguised_as_xlsx():
    data = make_xlsx([person_row(1, "甲镇1村")])
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/padding.bin", b"\x00" * (30 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    _refused(buf.getvalue(), "import_zip_bomb")


def test_too_many_bytes_or_rows():
    data = make_xlsx([person_row(k, "甲镇1村") for k in range(1, 6)])
    _refused(data, "import_too_large", max_bytes=1024)
    _refused(data, "import_too_many_rows", max_rows=4)
    assert len(read(data, max_rows=5).rows) == 5


def test_no_header_and_missing_required_columns():
    _refused(make_xlsx([["x"]] * 12, ["随便", "什么"]), "import_no_header")
    sheet = read(make_xlsx([["王", "甲镇1村"]], ["姓名", "村"]))  # read: the dry run says what is missing
    assert sheet.missing == ["id_number", "self_care_level"] and sheet.header_row == 1


def test_a_column_of_repeated_words_is_read_as_each_cell_says():
    """reading.word and reading.a_date remember the values they have read (a roster repeats 男,
    全自理, a signing day thousands of times): a value is read as itself, whatever came before."""
    assert reading.word(1) == "1" and reading.word(1.0) == "1" and reading.word(True) == "True"
    assert reading.word("１") == "1" and reading.word(" 男 ") == "男" and reading.word("无") is None
    assert reading.a_date("2023-05-01") == date(2023, 5, 1) and reading.a_date(45047) == date(2023, 5, 1)
    assert reading.a_date(datetime(2023, 5, 1, 9, 30)) == date(2023, 5, 1)
    for _ in range(2):  # refused each time it is met, never remembered as a value
        with pytest.raises(reading.BadValue, match="公式"):
            reading.word(reading.Cell("男", formula=True))
        with pytest.raises(reading.BadValue, match="公式"):
            reading.a_date(reading.Cell(45047, formula=True))
        with pytest.raises(reading.BadValue, match="无法识别"):
            reading.a_date("五月一日")
    assert reading.word(reading.Cell("男")) == "男"


# --- issue 30 H1: a row, or a sheet's rectangle, too wide to build ---------------------------------

def sheet_xlsx(rows_xml: str) -> bytes:
    """A minimal XLSX whose first sheet's <sheetData> is ``rows_xml`` (inline strings: no
    sharedStrings part), written by hand as a hostile generator would."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows_xml}</sheetData></worksheet>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return buf.getvalue()


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def inline_row(number: int, values: list[str], first_column: int = 1) -> str:
    cells = "".join(f'<c r="{_letters(first_column + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


HEADER_ROW = inline_row(1, PERSON_HEADER)


def test_a_hand_written_sheet_reads_as_a_roster():
    sheet = read(sheet_xlsx(HEADER_ROW + inline_row(2, person_row(1, "甲镇1村"))))
    assert reading.text(sheet.rows[0][1]["name"]) == "人员1"


def test_a_row_of_too_many_cells_is_refused_before_it_is_built():
    wide = inline_row(2, ["x"] * (reading.MAX_ROW_CELLS + 1))
    error = _refused(sheet_xlsx(HEADER_ROW + wide), "import_row_too_wide")
    assert error.status == 413 and error.params["row"] == 2
    # its cells without an r attribute (the spec allows it) count the same
    bare = "<row>" + "<c t=\"inlineStr\"><is><t>x</t></is></c>" * (reading.MAX_ROW_CELLS + 1) + "</row>"
    _refused(sheet_xlsx(HEADER_ROW + bare), "import_row_too_wide")


def test_a_row_reaching_past_the_last_column_is_refused():
    far = inline_row(2, ["x"], first_column=reading.MAX_ROW_CELLS + 1)  # one cell, in column ALM
    _refused(sheet_xlsx(HEADER_ROW + far), "import_row_too_wide")


def test_a_row_of_too_many_characters_is_refused():
    text = "".join(chr(0x4E00 + (k * 7919) % 20000) for k in range(reading.MAX_ROW_BYTES // 3 + 10))  # 3 bytes each
    long = inline_row(2, [text])
    _refused(sheet_xlsx(HEADER_ROW + long), "import_row_too_wide")


def test_a_sheet_whose_rectangle_is_too_large_is_refused():
    # a cell in column 999 and a row number far below: dense, 999 × 200,000 cells
    edge = inline_row(2, ["x"], first_column=999) + inline_row(200_000, ["x"])
    _refused(sheet_xlsx(HEADER_ROW + edge), "import_sheet_too_large")


def test_the_unpacked_size_is_capped_whatever_the_upload_limit(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 256 * 1024)
    rows = "".join(inline_row(n, person_row(n, "甲镇1村")) for n in range(2, 700))
    data = sheet_xlsx(HEADER_ROW + rows)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    # inside the upload limit ×10 and the compression ratio: only the absolute cap refuses it
    assert 256 * 1024 < unpacked < LIMITS["max_bytes"] * 10 and unpacked / len(data) < reading.MAX_ZIP_RATIO
    _refused(data, "import_zip_bomb")


def test_a_csv_row_of_too_many_bytes_is_refused_before_it_is_split():
    data = ",".join(PERSON_HEADER).encode() + b"\n" + b"," * (reading.MAX_ROW_BYTES + 1) + b"\n"
    _refused(data, "import_row_too_wide", "a.csv")
    data = ",".join(PERSON_HEADER).encode() + b"\n" + b"x," * (reading.MAX_ROW_CELLS + 1) + b"\n"
    _refused(data, "import_row_too_wide", "a.csv")
