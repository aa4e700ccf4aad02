"""The spreadsheets we write: the import template, a township's roster in the same layout,
and the printable sheet of one-time logins. Every text cell is written as text: one that a
spreadsheet would run as a formula (= + - @, tab, CR) is prefixed with an apostrophe, by the one
rule every export uses (``server.tables``)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from server.imports import layout
from server.tables import put

ID_COLUMNS = ("id_number", "caregiver_phone", "phone", "cadre_phone")


def _put(ws, row: int, col: int, value, *, as_text: bool = False):
    cell = put(ws, row, col, value)
    if as_text:
        cell.number_format = "@"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _roster_sheet(wb: Workbook, kind: str, rows: list[dict], *, validations: bool) -> None:
    columns = layout.COLUMNS[kind]
    ws = wb.active
    ws.title = layout.TITLES[kind]
    for i, col in enumerate(columns, start=1):
        cell = _put(ws, 1, i, col.header)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = col.width
        if col.key in ID_COLUMNS:
            # the whole column typed as text, so Excel keeps all 18 digits of an ID number
            ws.column_dimensions[cell.column_letter].number_format = "@"
    ws.freeze_panes = "A2"
    for r, row in enumerate(rows, start=2):
        for i, col in enumerate(columns, start=1):
            _put(ws, r, i, row.get(col.key), as_text=col.key in ID_COLUMNS)
    if validations:
        last = max(len(rows) + 1, 2000)
        for i, col in enumerate(columns, start=1):
            if not col.choices:
                continue
            letter = ws.cell(row=1, column=i).column_letter
            dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=not col.required,
                                showErrorMessage=True, errorTitle="请从列表中选择", error=f"{col.header}：{'/'.join(col.choices)}")
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)


def _help_sheet(wb: Workbook, kind: str) -> None:
    ws = wb.create_sheet("填表说明")
    for i, (title, width) in enumerate((("列名", 14), ("是否必填", 10), ("说明", 60), ("也认的列名", 40)), start=1):
        cell = _put(ws, 1, i, title)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = width
    for r, col in enumerate(layout.COLUMNS[kind], start=2):
        _put(ws, r, 1, col.header)
        _put(ws, r, 2, "必填" if col.required else "选填")
        _put(ws, r, 3, col.help + (f"（可选值：{'/'.join(col.choices)}）" if col.choices else ""))
        _put(ws, r, 4, "、".join(col.aliases))
        for c in range(1, 5):
            ws.cell(row=r, column=c).alignment = Alignment(wrap_text=True, vertical="top")
    notes = ["表头可以在前10行内，上方可以有合并的标题行；空行会被跳过。",
             "身份证号请存为文本，Excel 存成数字（如 1.50430E+17）会丢失后几位，导入时会被拒收。",
             "日期可写 2023-05-01、2023/5/1 或 2023年5月1日。",
             "同一身份证号的人员再次导入时按文件更新；系统中有而文件中没有的人员只列出，不会删除。"]
    start = len(layout.COLUMNS[kind]) + 3
    for k, note in enumerate(notes):
        _put(ws, start + k, 1, note)


EXAMPLES = {
    "persons": {"name": "王德明", "sex": "男", "id_number": "150430195005170013", "birth_date": date(1950, 5, 17),
                "village": "（本乡镇的村名）", "address": "一组12号", "self_care_level": "半失能", "risk_flags": "独居、重残",
                "support_mode": "分散供养", "caregiver_name": "王建国", "caregiver_phone": "13912345678",
                "relation": "亲属", "signed_on": date(2023, 5, 1)},
    "volunteers": {"name": "李春花", "phone": "13812345678", "village": "（本乡镇的村名）", "place": "（本乡镇的村名）",
                   "team": "青年志愿服务队"},
    "pairings": {"unit": "区民政局", "cadre_name": "李建华", "cadre_phone": "13712345678", "rank": "处级领导",
                 "name": "王德明", "id_number": "150430195005170013"},
}


def template_xlsx(kind: str) -> bytes:
    """The import template: the headers, one example row, drop-down lists for the coded
    columns, and a second sheet explaining each column."""
    wb = Workbook()
    _roster_sheet(wb, kind, [EXAMPLES[kind]], validations=True)
    _help_sheet(wb, kind)
    return _save(wb)


def roster_xlsx(kind: str, rows: list[dict]) -> bytes:
    """A township's current roster (or volunteers) in the import layout: importing it back
    changes nothing."""
    wb = Workbook()
    _roster_sheet(wb, kind, rows, validations=True)
    _help_sheet(wb, kind)
    return _save(wb)


def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as a small PNG (segno), to print beside it."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=3, border=2)
    return out.getvalue()


def logins_xlsx(rows: list[dict], *, address: str = "") -> bytes:
    """The printable sheet of the logins an import created, with their one-time passwords: a
    strip per login, cut along the dashed lines and handed out — 姓名, 用户名(手机号), 一次性密码,
    照料对象, the note that the password must be changed, and where to log in: the app's address
    and its QR code, for the phone's camera."""
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Border, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "登录账号"
    _put(ws, 1, 1, "照应 — 新建登录账号（一次性密码，请沿虚线裁开，转交本人）").font = Font(bold=True, size=13)
    if address:
        _put(ws, 2, 1, f"登录地址：{address}（手机浏览器打开，或扫描右侧二维码）")
    headers = (("姓名", 12), ("用户名(手机号)", 16), ("一次性密码", 14), ("照料对象", 30), ("备注", 22),
               ("登录地址", 30), ("扫码登录", 14))
    for i, (title, width) in enumerate(headers, start=1):
        cell = _put(ws, 3, i, title)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = width
    png = qr_png(address) if address else None
    cut = Border(bottom=Side(style="dashed"))
    for r, row in enumerate(rows, start=4):
        _put(ws, r, 1, row["display_name"])
        _put(ws, r, 2, row["username"], as_text=True)
        _put(ws, r, 3, row["one_time_password"], as_text=True).font = Font(name="Consolas", size=12)
        _put(ws, r, 4, "、".join(row.get("persons") or []))
        _put(ws, r, 5, "首次登录须修改密码")
        if address:
            _put(ws, r, 6, address)
            image = Image(io.BytesIO(png))
            image.anchor = f"G{r}"
            ws.add_image(image)
            ws.row_dimensions[r].height = 78  # points: the QR code's ~100 pixels
        for c in range(1, len(headers) + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = cut
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    return _save(wb)
