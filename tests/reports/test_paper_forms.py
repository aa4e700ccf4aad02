"""Issue 28 (10): the spreadsheets a township files look like the paper forms — a title, 填报单位,
填报日期 and 单位：人, every cell of the table boxed, A4 landscape with the header row on every page,
a Chinese sheet name, and a share a number formatted as a percentage (not the text "27%")."""

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from server.visits.models import Visit
from tests import factories

# 18 November 2026, 07:30 in Shanghai (23:30 UTC the day before): 填报日期 is Shanghai's day
MORNING = datetime(2026, 11, 17, 23, 30, tzinfo=timezone.utc)


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False):
        yield


def sheet(client, headers, url):
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.get_data()[:300]
    return load_workbook(io.BytesIO(r.data)).active


def test_the_coverage_sheet_is_laid_out_as_the_form(client, session, world, morning):
    visit_at = MORNING - timedelta(hours=1)
    session.add(Visit(client_id="paper-1", person_id=world.a.person.id, caregiver_id=world.a.caregiver.id, mode="home",
                      started_at=visit_at, ended_at=visit_at + timedelta(minutes=30), status="verified",
                      content_hash="p" * 64, received_at=visit_at))
    factories.person(session, world.a.villages[1], name="赵桂兰", sex="F")
    session.flush()
    staff = factories.headers(session, world.a.staff)
    report = client.get("/api/reports/coverage?month=2026-11", headers=staff).get_json()
    ws = sheet(client, staff, "/api/reports/coverage?month=2026-11&format=xlsx")
    width = len(report["headers"])
    assert ws.title == "探访覆盖率"
    # the title across the table; who files it, when and in what unit
    assert ws["A1"].value == report["title"] and ws["A1"].font.b and ws["A1"].font.sz == 16
    assert f"A1:{get_column_letter(width)}1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位：甲镇"
    right = [c.value for c in ws[2] if c.value and c.column > 1]
    assert right == ["填报日期：2026-11-18　单位：人"]
    # the headers bold and shaded; the table boxed
    assert [c.value for c in ws[3]][:width] == report["headers"]
    assert all(c.font.b and c.border.top.style == "thin" for c in ws[3][:width])
    body = list(ws.iter_rows(min_row=4, max_row=3 + len(report["rows"]), max_col=width))
    assert all(c.border.left.style == "thin" and c.border.bottom.style == "thin" for row in body for c in row)
    # 月探访率: the share, a number shown as a percentage — 1 of 2 visited in 甲镇1村's row, 50%
    col = report["headers"].index("月探访率")
    rates = [(row[col], shown[col]) for row, shown in zip(body, report["rows"])]
    for cell, text in rates:
        if text.endswith("%"):
            assert isinstance(cell.value, (int, float)) and cell.number_format == "0%" and f"{cell.value:.0%}" == text
    assert "50%" in [text for _, text in rates]
    # the notes under the table, each across it
    notes = [c.value for row in ws.iter_rows(min_row=4 + len(report["rows"])) for c in row if c.value]
    assert notes == report["notes"]
    # printed on A4 landscape, a page wide, the header row on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$3:$3"


def test_every_spreadsheet_has_a_chinese_sheet_and_its_filer(client, session, world, morning):
    admin = factories.headers(session, world.admin)
    urls = [f"/api/reports/{name}?format=xlsx&month=2026-11" for name in
            ("annex1", "coverage", "volunteers", "care-homes", "agreements", "visit-rates", "relief", "evaluations",
             "centralisation")]
    urls += ["/api/pairing/annex?format=xlsx", "/api/home-services/statement?format=xlsx&month=2026-11",
             f"/api/assessments/export?place_id={world.a.place.id}&format=xlsx",
             "/api/absences/report/hospital-days?format=xlsx&year=2026",
             "/api/absences/report/hospital-budget?format=xlsx&year=2026"]
    tabs = set()
    for url in urls:
        ws = sheet(client, admin, url)
        assert not re.search(r"[A-Za-z]", ws.title), (url, ws.title)
        assert ws["A2"].value == "填报单位：测试旗民政局", url
        assert any(c.value and str(c.value).startswith("填报日期：2026-11-18") for c in ws[2]), url
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3", url
        tabs.add(ws.title)
    assert len(tabs) == len(urls)
