"""Tables as the paper forms print them, written as CSV (UTF-8 with a BOM, so Excel reads the
Chinese) or XLSX (openpyxl). No Flask here."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(title: str, headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(8, min(40, len(str(header)) * 2 + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
