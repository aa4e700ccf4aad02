"""Tables as the paper forms print them, written as CSV (UTF-8 with a BOM, so Excel reads the
Chinese) or XLSX (openpyxl), streamed a chunk at a time (``csv_chunks``, ``xlsx_chunks``) or
whole (``to_csv``, ``to_xlsx``). No Flask here.

Every spreadsheet this server writes goes through ``neutralise``/``put``: a text cell that a
spreadsheet would evaluate (starting with = + - @, tab or CR — a name such as
``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0``) gets a leading apostrophe, and an XLSX cell
holding text is stored as a string, never as a formula. Numbers (a negative one too) stay numbers.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A value as it may be written to a cell: text that starts like a formula gets a leading
    apostrophe (what Excel shows as a literal); anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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


def xlsx_chunks(title: str, headers: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """An XLSX written row by row (openpyxl's write-only mode, to a temporary file: a zip is whole
    only once its last row is in), then sent in chunks — memory stays flat whatever the number
    of rows. Text is neutralised as ``put`` does; a text cell never starts with "=", so openpyxl
    never takes it for a formula."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(40, len(str(header)) * 2 + 2))
    bold = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=neutralise(header))
        cell.font = Font(bold=True)
        bold.append(cell)
    ws.append(bold)
    for row in rows:
        ws.append([neutralise(v) for v in row])
    with tempfile.TemporaryFile() as file:
        wb.save(file)
        file.seek(0)
        while chunk := file.read(STREAM_BYTES):
            yield chunk


def to_xlsx(title: str, headers: list[str], rows: Iterable[list]) -> bytes:
    return b"".join(xlsx_chunks(title, headers, rows))
