"""Tables as the paper forms print them, written as CSV (UTF-8 with a BOM, so Excel reads the
Chinese) or XLSX (openpyxl), streamed a chunk at a time (``csv_chunks``, ``xlsx_chunks``) or
whole (``to_csv``, ``to_xlsx``). No Flask here.

Every spreadsheet this server writes goes through ``neutralise``/``put``: a text cell that a
spreadsheet would evaluate (starting with = + - @, tab or CR — a name such as
``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0``) gets a leading apostrophe, and an XLSX cell
holding text is stored as a string, never as a formula. Numbers (a negative one too) stay numbers.
A control character a cell may not hold (openpyxl's ILLEGAL_CHARACTERS_RE: C0 but TAB, LF, CR) is
written as U+FFFD: the requests refuse them (server.guards), but a row stored before must not break
every export that holds it (issue 30 M3).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Report:
    title: str
    headers: list[str]
    rows: Iterable[list]  # a list, or a stream read from the database as it is written out (once)
    notes: list[str] = field(default_factory=list)  # printed under the table (the policy applied, the form's notes)
    policy: dict | None = None  # the quota policy a report judging 达标/未达标 applied (quotas.applied)

    def as_dict(self) -> dict:
        out = {"title": self.title, "headers": self.headers, "rows": list(self.rows), "notes": self.notes}
        if self.policy is not None:
            out["policy"] = self.policy
        return out

    def table_rows(self) -> Iterator[list]:
        """The rows as a spreadsheet prints them: the table, then a blank row and the notes."""
        yield from self.rows
        if self.notes:
            yield []
            yield from ([n] for n in self.notes)


def neutralise(value):
    """A value as it may be written to a cell: text that starts like a formula gets a leading
    apostrophe (what Excel shows as a literal), a control character a cell may not hold becomes
    U+FFFD; anything else is returned as it is."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def put(ws, row: int, column: int, value):
    """Write one XLSX cell: text neutralised and typed as a string (openpyxl would otherwise
    store a str starting with "=" as a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = neutralise(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


CHUNK_ROWS = 1000  # rows per chunk of a streamed CSV
STREAM_BYTES = 64 * 1024  # bytes per chunk of a streamed XLSX


def csv_chunks(headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """A CSV written as it is read: the BOM and the headers, then a chunk every CHUNK_ROWS rows —
    memory stays flat whatever the number of rows."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([neutralise(h) for h in headers])
    rows = iter(rows)
    yield ("\ufeff" + buf.getvalue()).encode("utf-8")
    while chunk := list(islice(rows, CHUNK_ROWS)):
        buf.seek(0)
        buf.truncate()
        writer.writerows([neutralise(v) for v in row] for row in chunk)
        yield buf.getvalue().encode("utf-8")


def to_csv(headers: list[str], rows: Iterable[list]) -> bytes:
    return b"".join(csv_chunks(headers, rows))


@dataclass(frozen=True)
class Form:
    """What a paper form prints around its table (issue 28 problem 10): its title over the table,
    填报单位 and 填报日期 under it with the unit of its figures (单位：人), a Chinese sheet name."""

    title: str
    tab: str
    unit: str = ""  # 填报单位: who files it
    filled_on: date | None = None  # 填报日期
    measure: str | None = "人"  # 单位：人 — None where the figures count several things

    @classmethod
    def plain(cls, title: str) -> "Form":
        return cls(title=title, tab=title, measure=None)


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E0E0E0")
# a share written as text ("27%", "99.5%"): the spreadsheet gets the number, formatted as one
PERCENT = re.compile(r"^(-?\d+(?:\.(\d+))?)%$")


def _typed(value):
    """A value as the cell stores it and its number format: a percentage text becomes the share."""
    value = neutralise(value)
    if isinstance(value, str) and (m := PERCENT.match(value)):
        places = len(m.group(2) or "")
        return float(m.group(1)) / 100, "0%" if not places else f"0.{'0' * places}%"
    return value, None


def _cell(ws, value, *, font=None, border=True, align=None, fill=None):
    v, fmt = _typed(value)
    cell = WriteOnlyCell(ws, value=v)
    if fmt:
        cell.number_format = fmt
    if font is not None:
        cell.font = font
    if border:
        cell.border = BOX
    if align is not None:
        cell.alignment = align
    if fill is not None:
        cell.fill = fill
    return cell


def _merge(ws, ref: str) -> None:
    first, second = ref.split(":")
    if first != second:
        ws.merged_cells.add(ref)


def xlsx_chunks(form: Form | str, headers: list[str], rows: Iterable[list], notes: Iterable[str] = ()) -> Iterator[bytes]:
    """An XLSX laid out as the paper form (``form``: a title alone gives a plain sheet of that
    name): the title across the table, 填报单位 / 填报日期 / 单位, the header row bold and shaded,
    every cell of the table boxed, shares as numbers formatted as percentages, the notes under it;
    printed on A4 landscape, a page wide, the header row on every page. Written row by row
    (openpyxl's write-only mode, to a temporary file: a zip is whole only once its last row is in),
    then sent in chunks — memory stays flat whatever the number of rows. Text is neutralised as
    ``put`` does; a text cell never starts with "=", so openpyxl never takes it for a formula."""
    if isinstance(form, str):
        form = Form.plain(form)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(form.tab[:31])
    width = max(2, len(headers))
    last = get_column_letter(width)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(40, len(str(header)) * 2 + 2))
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    ws.freeze_panes = "A4"
    # 1: the title; 2: who files it, when, in what unit
    ws.merged_cells.add(f"A1:{last}1")
    ws.append([_cell(ws, form.title, font=Font(bold=True, size=16), border=False,
                     align=Alignment(horizontal="center", vertical="center"))])
    half = width // 2
    _merge(ws, f"A2:{get_column_letter(half)}2")
    _merge(ws, f"{get_column_letter(half + 1)}2:{last}2")
    right = "　".join(x for x in (f"填报日期：{form.filled_on.isoformat()}" if form.filled_on else "",
                                 f"单位：{form.measure}" if form.measure else "") if x)
    ws.append([_cell(ws, f"填报单位：{form.unit}" if form.unit else "", border=False)]
              + [None] * (half - 1)
              + [_cell(ws, right, border=False, align=Alignment(horizontal="right"))])
    # 3: the headers; then the table
    ws.append([_cell(ws, h, font=Font(bold=True), fill=HEAD_FILL,
                     align=Alignment(horizontal="center", vertical="center", wrap_text=True)) for h in headers])
    n = 3
    for row in rows:
        ws.append([_cell(ws, v) for v in row])
        n += 1
    notes = list(notes)
    if notes:
        ws.append([])
        n += 1
    for note in notes:
        n += 1
        _merge(ws, f"A{n}:{last}{n}")
        ws.append([_cell(ws, note, border=False, align=Alignment(wrap_text=True, vertical="top"))])
    with tempfile.TemporaryFile() as file:
        wb.save(file)
        file.seek(0)
        while chunk := file.read(STREAM_BYTES):
            yield chunk


def to_xlsx(form: Form | str, headers: list[str], rows: Iterable[list], notes: Iterable[str] = ()) -> bytes:
    return b"".join(xlsx_chunks(form, headers, rows, notes))
