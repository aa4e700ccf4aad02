"""Tables as the paper forms print them, written as CSV (UTF-8 with a BOM, so Excel reads the
Chinese) or XLSX (openpyxl). No Flask here.

Every spreadsheet this server writes goes through ``neutralise``/``put``: a text cell that a
spreadsheet would evaluate (starting with = + - @, tab or CR — a name such as
``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0``) gets a leading apostrophe, and an XLSX cell
holding text is stored as a string, never as a formula. Numbers (a negative one too) stay numbers.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

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


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([neutralise(h) for h in headers])
    writer.writerows([neutralise(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(title: str, headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    for c, header in enumerate(headers, start=1):
        put(ws, 1, c, header).font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(8, min(40, len(str(header)) * 2 + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
