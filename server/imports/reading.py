"""Reading the spreadsheets people really have: pure functions, no Flask, no database.

XLSX and old Excel (.xls, Excel 97–2003, what WPS and many offices still save) through calamine
(python-calamine: Rust, ~15× openpyxl on a township's roster); an XLSX that holds formulas through
openpyxl, which tells a formula cell from a value so the cell can be refused. CSV in the encoding
it was saved in (GB18030/GBK from Excel on Chinese Windows, UTF-8 with or without a BOM, UTF-16
"Unicode text"). A file that is not a plain spreadsheet is refused before it is parsed:
macro-enabled or encrypted workbooks, zip bombs, too many bytes or rows.

The header is found among the first rows and each of its columns is read as a field: by the
township's own mapping (staff chose it on screen), by its exact name or a listed variant, or by
what it says (layout.MEANINGS); the others are reported as not understood (未识别).
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterator

from server.errors import ServiceError
from server.guards import CONTROL
from server.imports import layout

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # CFB: a legacy .xls, or an encrypted OOXML
# names of streams in a CFB directory (UTF-16LE): an encrypted OOXML package, a VBA project
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_VBA = "_VBA_PROJECT".encode("utf-16-le")
ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_RATIO = 200  # an XLSX compresses ~5–30×; a bomb ~1000×
# A workbook's parts unpacked, whatever the upload limit: a 50,000-row roster (IMPORT_MAX_ROWS) is
# ~40 MB of XML; 10 MB packed held 190 MB of one row's cells (issue 30 H1).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# A row of a sheet: the layout has 16 columns; a roster with notes beside them has a few dozen.
# One row of 5 million cells took a worker's 4 GB; the readers build every cell of a row.
MAX_ROW_CELLS = 1000  # cells, or columns: the thousandth is ALL
MAX_ROW_BYTES = 1024 * 1024  # of a worksheet's XML (an inline text's characters are in it)
HEADER_SEARCH_ROWS = 10
BLANKS = {"", "-", "—", "——", "/", "无", "空"}


@dataclass(slots=True)
class Cell:
    """A cell that is more than its value: a formula (refused). A sheet's other cells are their
    plain values (str, int, float, datetime, bool), and the parsers below take either."""

    value: object  # str, int, float, datetime, bool or None
    formula: bool = False


def _unwrap(cell) -> tuple[object, bool]:
    return (cell.value, cell.formula) if type(cell) is Cell else (cell, False)


def _value(cell):
    """A cell's value (None when empty); a formula is refused."""
    value, formula = _unwrap(cell)
    if formula and value is not None:
        raise BadValue("单元格是公式，请复制后“选择性粘贴为数值”再导入")
    return value


@dataclass
class Sheet:
    """The header found, and the data rows as (Excel row number, {column key: the cell's value,
    or a Cell when it holds a formula}); a blank cell is left out."""

    headers: dict[str, str]  # column key → the header as written in the file
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    # how each column of the header row was read: {column (A, B, …), header, field (None: 未识别),
    # by (mapping | name | meaning | duplicate | None)}
    columns: list[dict] = field(default_factory=list)
    header_row: int = 0
    missing: list[str] = field(default_factory=list)  # required column keys the file has none of


# A row as the readers give it: (Excel row number, its values, the positions that hold a formula).
# Only the cells under a known column that hold something are kept, and only a formula is wrapped
# (a Cell): a roster of 12,000 rows is 150,000 cells, each an object the collector would walk.
Row = tuple[int, list, frozenset]
_NO_FORMULAS: frozenset = frozenset()


def sniff(data: bytes, filename: str | None, *, max_bytes: int) -> str:
    """'xlsx', 'xls' or 'csv', or a ServiceError saying why the file is refused."""
    if len(data) > max_bytes:
        raise ServiceError(413, "import_too_large", limit=max_bytes // (1024 * 1024) or 1)
    if not data.strip():
        raise ServiceError(422, "import_empty")
    name = (filename or "").lower()
    if data.startswith(OLE2_MAGIC):
        if _ENCRYPTED in data:
            raise ServiceError(415, "import_encrypted")
        if _VBA in data:
            raise ServiceError(415, "import_macro")
        return "xls"
    if data.startswith(ZIP_MAGIC):
        _check_zip(data, max_bytes=max_bytes, name=name)
        return "xlsx"
    if name.endswith((".xlsx", ".xlsm", ".xls", ".xltx", ".ods")) or b"\x00" in data[:4096] and not data.startswith(
            (b"\xff\xfe", b"\xfe\xff")):
        raise ServiceError(415, "import_not_spreadsheet")
    return "csv"


def _check_zip(data: bytes, *, max_bytes: int, name: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise ServiceError(415, "import_not_spreadsheet") from None
    names = {i.filename for i in infos}
    if name.endswith((".xlsm", ".xltm")) or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ServiceError(415, "import_macro")
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise ServiceError(415, "import_not_spreadsheet")
    if "xl/workbook.bin" in names:  # .xlsb
        raise ServiceError(415, "import_not_spreadsheet")
    total = sum(i.file_size for i in infos)  # zipfile reads no more than a member declares
    packed = max(1, sum(i.compress_size for i in infos))
    if total > min(max_bytes * 10, MAX_UNPACKED_BYTES) or (total > 1024 * 1024 and total / packed > MAX_ZIP_RATIO):
        raise ServiceError(413, "import_zip_bomb")


def read(data: bytes, filename: str | None, kind: str, *, max_bytes: int, max_rows: int,
         mapping: dict[str, str] | None = None) -> Sheet:
    """``mapping``: normalised header (layout.header_key) → column key, or "" for a column to leave
    unread; it comes before every other way of reading a header."""
    fmt = sniff(data, filename, max_bytes=max_bytes)
    if fmt == "csv":
        rows = _csv_rows(data)
    elif fmt == "xlsx" and _scan_sheets(data, max_rows=max_rows):
        rows = _xlsx_rows(data)
    else:
        rows = _calamine_rows(data, max_rows=max_rows)
    return _tabulate(rows, kind, max_rows=max_rows, mapping=mapping or {})


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
_ROW_START = re.compile(rb"<(?:\w+:)?row[ >]")
_ROW_NUMBER = re.compile(rb'[^>]*?\sr="(\d{1,9})"')
_CELL_COLUMN = re.compile(rb'[^>]*?\sr="([A-Z]{1,3})\d')
_SCAN_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any tag the scan reads: a tag split between two chunks is seen whole once
# The readers build a sheet as a rectangle, its last row by its widest column, empty cells too: a
# cell in XFD1 and another in A200000 are 3 billion cells (calamine's Range is dense).
MAX_SHEET_CELLS = 4_000_000  # a 50,000-row roster of 16 columns is 800,000


@dataclass
class _Extent:
    """What the scan has seen of a worksheet: its rows, widest row, and the row being read."""
    rows: int = 0  # the last row number (its r attribute, else counted)
    width: int = 0  # the widest row, in columns (the last cell's column, else its cells counted)
    cells: int = 0  # of the row being read
    column: int = 0  # its last cell's column
    bytes: int = 0  # of its XML

    def end_row(self, max_rows: int) -> None:
        self.width = max(self.width, self.cells, self.column)
        if self.rows >= 4 * max_rows + HEADER_SEARCH_ROWS:
            raise ServiceError(413, "import_too_many_rows", limit=max_rows)
        if self.rows * self.width > MAX_SHEET_CELLS:
            raise ServiceError(413, "import_sheet_too_large", cells=MAX_SHEET_CELLS)

    def take(self, piece: bytes) -> None:
        """A stretch of the row being read."""
        # counted in C, without a Python object a cell: both ways a cell opens
        cells = piece.count(b"<c ") + piece.count(b"<c>")
        if cells == 0 and b":c" in piece:  # a prefixed namespace (<x:c …>): rare, counted the slow way
            cells = len(re.findall(rb"<\w+:c[ >/]", piece))
        self.cells += cells
        self.bytes += len(piece)
        last = max(piece.rfind(b"<c "), piece.rfind(b":c "))
        if last >= 0 and (m := _CELL_COLUMN.match(piece, last + 2, last + _OVERLAP)):
            self.column = _column_index(m.group(1).decode())
        # at once, not at the row's end: one row may be the whole file
        if self.cells > MAX_ROW_CELLS or self.column > MAX_ROW_CELLS or self.bytes > MAX_ROW_BYTES:
            raise ServiceError(413, "import_row_too_wide", row=max(self.rows, 1), cells=MAX_ROW_CELLS)


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _scan_sheets(data: bytes, *, max_rows: int) -> bool:
    """Whether any worksheet of an XLSX holds a formula element. A ServiceError, before any reader
    builds a row, when a row holds more than MAX_ROW_CELLS cells (or reaches past that column) or
    MAX_ROW_BYTES of XML, when the rows go past what the row limit allows, or the sheet's
    rectangle past MAX_SHEET_CELLS. Streamed a chunk at a time: memory stays at a chunk."""
    formulas = False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            extent = _Extent()
            with archive.open(info) as part:
                tail = b""
                while True:
                    chunk = part.read(_SCAN_CHUNK)
                    buf = tail + chunk
                    scan, tail = (buf, b"") if not chunk else (buf[:-_OVERLAP], buf[-_OVERLAP:])
                    formulas = formulas or bool(_FORMULA.search(buf))
                    at = 0
                    for start in _ROW_START.finditer(scan):  # rows: tens of thousands, not millions
                        extent.take(scan[at:start.start()])
                        extent.end_row(max_rows)
                        number = _ROW_NUMBER.match(buf, start.end() - 1, start.end() + 200)
                        extent.rows = int(number.group(1)) if number else extent.rows + 1
                        extent.cells = extent.column = extent.bytes = 0
                        at = start.start()
                    extent.take(scan[at:])
                    if not chunk:
                        break
            extent.end_row(max_rows)
    return formulas


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    """openpyxl in read-only mode: slower than calamine, but it tells a formula from a value."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ServiceError(415, "import_not_spreadsheet") from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            values = [getattr(c, "value", None) for c in row]
            formulas = frozenset(i for i, c in enumerate(row) if getattr(c, "data_type", None) == "f")
            yield number, values, formulas or _NO_FORMULAS
    finally:
        workbook.close()


def _calamine_rows(data: bytes, *, max_rows: int) -> Iterator[Row]:
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            sheet = workbook.get_sheet_by_index(0)
            end = sheet.end
            if end is not None and end[0] >= 4 * max_rows + HEADER_SEARCH_ROWS:
                raise ServiceError(413, "import_too_many_rows", limit=max_rows)
            # an .xls is not scanned first (BIFF holds 65,536 × 256 at most): its rectangle, here
            if end is not None and (end[1] + 1 > MAX_ROW_CELLS or (end[0] + 1) * (end[1] + 1) > MAX_SHEET_CELLS):
                raise ServiceError(413, "import_sheet_too_large", cells=MAX_SHEET_CELLS)
            values = sheet.to_python(skip_empty_area=False)
    except ServiceError:
        raise
    except BaseException as exc:  # CalamineError, or a Rust panic on a damaged file (a BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
            raise
        raise ServiceError(415, "import_not_spreadsheet") from None
    for number, row in enumerate(values, start=1):  # an empty cell is ""
        yield number, row, _NO_FORMULAS


def decode(data: bytes) -> str:
    """The text of a CSV: BOMs first, then strict UTF-8, then GB18030 (a superset of GBK and
    GB2312, what Excel on Chinese Windows writes), then charset-normalizer's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ServiceError(415, "import_not_spreadsheet")
    return str(best)


def _csv_rows(data: bytes) -> Iterator[Row]:
    try:
        text = decode(data)
    except UnicodeDecodeError:
        raise ServiceError(415, "import_not_spreadsheet") from None
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    read_since_row = 0  # characters the reader took for the row it is reading

    def lines():
        nonlocal read_since_row
        for line in io.StringIO(text, newline=""):
            read_since_row += len(line)
            if read_since_row > MAX_ROW_BYTES:  # before the reader splits it into cells
                raise ServiceError(413, "import_row_too_wide", row=number + 1, cells=MAX_ROW_CELLS)
            yield line

    number = 0
    for number, row in enumerate(csv.reader(lines(), dialect), start=1):
        read_since_row = 0
        yield number, row, _NO_FORMULAS


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_header(values: list, kind: str, mapping: dict[str, str]) -> dict[int, tuple[str | None, str | None]]:
    """Each header cell's column: position → (column key or None, how it was read)."""
    exact = layout.header_map(kind)
    texts = {i: layout.header_key(v) for i, v in enumerate(values) if isinstance(v, str)}
    texts = {i: t for i, t in texts.items() if t}
    found: dict[int, tuple[str | None, str | None]] = {}
    for i, header in texts.items():
        if header in mapping:
            found[i] = (mapping[header] or None, "mapping")
        elif header in exact:
            found[i] = (exact[header], "name")
    for _ in range(2):  # twice: a meaning that needs another column (关系 beside a caregiver) sees the first pass
        keys = {key for key, _by in found.values() if key}
        for i, header in texts.items():
            if i not in found or found[i][1] is None:
                key = layout.by_meaning(kind, header, keys)
                found[i] = (key, "meaning" if key else None)
    taken: set[str] = set()
    for i in sorted(found):  # the first of two columns with one meaning wins
        key, by = found[i]
        if key in taken:
            found[i] = (None, "duplicate")
        elif key:
            taken.add(key)
    return found


def _tabulate(rows: Iterator[Row], kind: str, *, max_rows: int,
              mapping: dict[str, str] | None = None) -> Sheet:
    """Find the header among the first rows (titles merged above it are skipped), then map
    every later non-blank row onto column keys."""
    from openpyxl.utils import get_column_letter

    required = [c for c in layout.COLUMNS[kind] if c.required]
    sheet = None
    positions: list[tuple[int, str]] = []
    for number, values, formulas in rows:
        if sheet is None:
            found = _read_header(values, kind, mapping or {})
            keys = {key for key, _by in found.values() if key}
            if len(keys) >= 2 and any(c.key in keys for c in required):
                positions = [(i, key) for i, (key, _by) in sorted(found.items()) if key]
                sheet = Sheet(headers={key: layout.normalise(str(values[i])) for i, key in positions},
                              header_row=number, missing=[c.key for c in required if c.key not in keys])
                sheet.columns = [{"column": get_column_letter(i + 1), "header": layout.normalise(str(values[i])),
                                  "field": key, "by": by} for i, (key, by) in sorted(found.items())]
                sheet.unknown_headers = [c["header"] for c in sheet.columns if c["field"] is None]
                continue
            if number >= HEADER_SEARCH_ROWS:
                raise ServiceError(422, "import_no_header", rows=HEADER_SEARCH_ROWS,
                                   required="、".join(c.header for c in required))
            continue
        width = len(values)
        if width > MAX_ROW_CELLS:  # a CSV's: the XLSX were scanned before they were read
            raise ServiceError(413, "import_row_too_wide", row=number, cells=MAX_ROW_CELLS)
        mapped = {key: v for i, key in positions if i < width and (v := values[i]) is not None and v != ""}
        if formulas:
            mapped.update({key: Cell(mapped[key], True) for i, key in positions if i in formulas and key in mapped})
        if all(_blank(v) for v in mapped.values()):
            continue
        if len(sheet.rows) >= max_rows:
            raise ServiceError(413, "import_too_many_rows", limit=max_rows)
        sheet.rows.append((number, mapped))
    if sheet is None:
        raise ServiceError(422, "import_no_header", rows=HEADER_SEARCH_ROWS,
                           required="、".join(c.header for c in required))
    return sheet


# --- values ------------------------------------------------------------------------------


class BadValue(ValueError):
    """A cell's value cannot be used; the message is Chinese, for the person who fills the sheet."""


def text(cell) -> str | None:
    """A cell as normalised text (NFKC), None when blank. A formula is refused; a leading
    apostrophe that guards a formula-like text (as our own export writes it) is dropped."""
    value = cell if type(cell) is str else _value(cell)  # most cells are text
    if value is None:
        return None
    if isinstance(value, str):
        out = layout.normalise(value)
        if CONTROL.search(out):  # what the API refuses in a text field, the roster does too (issue 30 M3)
            raise BadValue("单元格里有看不见的控制字符，请删除后再导入")
        if len(out) >= 2 and out[0] in "'=":
            if out[0] == "=":
                raise BadValue("单元格内容以“=”开头，像是公式，请粘贴为数值")
            if out[1] in "=+-@":
                out = out[1:]
        return None if out in BLANKS else out
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        value = value.strftime("%Y-%m-%d")
    out = layout.normalise(str(value))
    return None if out in BLANKS else out


def repeated(parse):
    """``parse`` for the cells of a column whose values repeat (男, 全自理, a village, a signing
    day: a roster of 12,000 rows has a few hundred of them): each distinct value parsed once (up to
    4,096 remembered), a formula cell as itself. ``parse`` must be pure: a value it refuses is
    refused again each time."""
    cached = functools.lru_cache(maxsize=4096, typed=True)(parse)

    @functools.wraps(parse)
    def read(cell):
        return parse(cell) if type(cell) is Cell else cached(cell)

    read.cache_clear = cached.cache_clear
    return read


_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")


def id_number(cell) -> str | None:
    """An ID number kept as text. Excel turns 18 digits into a number and keeps only 15 of them:
    such a value is refused, for the digits are lost."""
    value, _ = _unwrap(cell)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise BadValue("身份证号被Excel存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写号码")
    value = text(cell)
    if value is None:
        return None
    value = value.replace(" ", "").upper()
    if _SCIENTIFIC.match(value):
        raise BadValue("身份证号是科学计数法（如 1.50430E+17），后几位已丢失；请把该列设为“文本”格式后重新填写号码")
    return value


EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s.*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def a_date(cell) -> date | None:
    """A date from a real Excel date, an Excel serial number, or text such as 2023-05-01,
    2023/5/1, 2023.5.1, 2023年5月1日 or 20230501."""
    value = _value(cell)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise BadValue("日期无法识别")
    raw = text(cell)
    if raw is None:
        return None
    raw = raw.replace(" ", "")
    if re.fullmatch(r"\d{5}(\.0+)?", raw):  # a serial number that came through a CSV
        return EXCEL_EPOCH + timedelta(days=int(float(raw)))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(raw)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
    raise BadValue(f"日期“{raw}”无法识别，请写成 2023-05-01 或 2023年5月1日")



a_date = repeated(a_date)
word = repeated(text)  # the text of a cell from a column of a few words (性别, 自理能力, 村)

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE = re.compile(r"[\s\-()]")


def phone(cell) -> str | None:
    value, formula = _unwrap(cell)
    if isinstance(value, float) and value.is_integer():
        cell = Cell(int(value), formula)
    value = text(cell)
    if value is None:
        return None
    digits = _PHONE_NOISE.sub("", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _PHONE.match(digits):
        raise BadValue(f"“{value}”不是手机号（应为11位，以13–19开头）")
    return digits
