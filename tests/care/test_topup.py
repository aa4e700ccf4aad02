"""The care subsidies of seed 000 item 7 in the district's hands, and the care-home top-up's monthly
report (issue 29 part 8). Seed 000 item 7 (落实照料护理政策): 按照特困人员每人每年240元标准 (住院照料护理
补贴); 区财政按照失能、半失能特困人员分别给予500元、200元每人每月补助敬老院. The tests run at 2026-11-18
10:00 in Shanghai."""

import csv
import io
from datetime import date

from sqlalchemy import select

from server.assessments.models import Assessment
from server.audit.models import AuditLog
from server.care.models import CareHome, CareResidence
from tests import factories

EN = {"Accept-Language": "en"}
URL = "/api/care-homes/subsidies"


def test_the_seeds_amounts_are_the_default_and_a_change_applies_from_the_month_chosen(client, session, world):
    """Seed 000 item 7: 240 元/人/年, 500 / 200 元 a fully / partly disabled resident a month, until a
    district admin sets the district's own from a month on; a past month keeps its amounts."""
    staff = factories.headers(session, world.a.staff)
    got = client.get(URL, headers=staff).get_json()
    assert (got["hospital_care_per_year"], got["topup_fully_disabled"], got["topup_partly_disabled"]) == (240, 500, 200)
    assert got["defaults"] == {"hospital_care_per_year": 240, "topup_fully_disabled": 500, "topup_partly_disabled": 200}
    assert (got["effective_month"], got["updated_by"], got["updated_at"], got["history"]) == (None, None, None, [])

    admin = factories.headers(session, world.admin)
    r = client.put(URL, json={"topup_fully_disabled": 600, "effective_month": "2026-12"}, headers=admin)
    assert r.status_code == 200, r.get_json()
    saved = r.get_json()
    assert (saved["topup_fully_disabled"], saved["topup_partly_disabled"], saved["hospital_care_per_year"]) == (600, 200, 240)
    assert saved["effective_month"] == "2026-12" and saved["updated_by"] == world.admin.display_name
    assert saved["updated_at"] and len(saved["history"]) == 1
    # November keeps the seed's; December and after the district's
    assert client.get(f"{URL}?month=2026-11", headers=staff).get_json()["topup_fully_disabled"] == 500
    assert client.get(f"{URL}?month=2027-03", headers=staff).get_json()["topup_fully_disabled"] == 600
    # this month by default on PUT, and a second save of the same month edits that version
    r = client.put(URL, json={"hospital_care_per_year": 300}, headers=admin)
    assert r.status_code == 200 and r.get_json()["effective_month"] == "2026-11"
    assert client.get(f"{URL}?month=2026-12", headers=staff).get_json()["hospital_care_per_year"] == 240  # its own version
    assert session.scalar(select(AuditLog.id).where(AuditLog.entity == "care_subsidy")) is not None


def test_bad_amounts_and_months_are_refused_with_a_message(client, session, world):
    """Seed 000 item 7's amounts: whole yuan, not negative; a change from a month gone by or more than a
    year ahead is refused, in Chinese or English; township staff read them and cannot change them."""
    admin = factories.headers(session, world.admin)
    for body, field in (({"topup_fully_disabled": -1}, "topup_fully_disabled"),
                        ({"hospital_care_per_year": "很多"}, "hospital_care_per_year"),
                        ({"topup_partly_disabled": 100001}, "topup_partly_disabled"),
                        ({"topup_partly_disabled": 1.5}, "topup_partly_disabled"),
                        ({"effective_month": "2026-13"}, "effective_month"),
                        ({"effective_month": "2026-10"}, "effective_month"),
                        ({"effective_month": "2028-01"}, "effective_month")):
        r = client.put(URL, json=body, headers=admin)
        assert r.status_code == 422 and field in r.get_json()["errors"] and r.get_json()["message"], (body, r.get_json())
    past = client.put(URL, json={"effective_month": "2026-10"}, headers=admin).get_json()["message"]
    assert past == "只能从本月或以后的月份起调整补助标准"
    en = client.put(URL, json={"effective_month": "2026-10"}, headers={**admin, **EN}).get_json()["message"]
    assert en == "Amounts can change from this month or a later one only"
    assert client.put(URL, json={"topup_fully_disabled": 1}, headers=factories.headers(session, world.a.staff)).status_code == 403
    assert client.get(URL, headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert client.get(f"{URL}?month=11-2026", headers=admin).status_code == 422
    assert client.get(URL, headers=admin).get_json()["updated_by"] is None  # nothing half-stored


def homes(session, world):
    a = CareHome(name="甲镇敬老院", place_id=world.a.place.id, beds=40, staff=4, seq=1)
    b = CareHome(name="乙乡敬老院", place_id=world.b.place.id, beds=20, staff=2, seq=2)
    session.add_all([a, b])
    session.flush()
    return a, b


def resident(session, village, home, name, level, start, end=None):
    p = factories.person(session, village, name=name, level=level, status="centralised", support_mode="centralised",
                         care_home_id=home.id)
    session.add(CareResidence(person_id=p.id, care_home_id=home.id, start_on=start, end_on=end))
    session.flush()
    return p


def assessed(session, person, on, level, assessor):
    session.add(Assessment(person_id=person.id, assessed_on=on, assessor_id=assessor.id, self_care_level=level,
                           housing="own", living_environment="clean", quality_of_life="good", care_quality="good",
                           treated_promptly=True, subsidy_self_controlled=True, rights_infringed=False, overall="good"))
    session.flush()


def test_the_monthly_report_lists_each_resident_with_their_level_that_month_and_the_amount(client, session, world):
    """Seed 000 item 7 (失能、半失能特困人员分别给予500元、200元每人每月补助敬老院): a row per resident of the
    month, their self-care level at its end (the latest assessment by then), the amount, totals; who moved
    in later or left before is not in it; township staff see their own homes; exported as XLSX and CSV."""
    a, b = homes(session, world)
    v = world.a.villages[0]
    full = resident(session, v, a, "张全失", "fully_disabled", date(2026, 1, 5))
    left = resident(session, v, a, "李半失", "partly_disabled", date(2025, 6, 1), end=date(2026, 11, 5))
    resident(session, v, a, "王自理", "self_care", date(2026, 3, 1))
    resident(session, v, a, "赵后来", "fully_disabled", date(2026, 12, 1))
    resident(session, v, a, "钱早走", "fully_disabled", date(2025, 1, 1), end=date(2026, 10, 31))
    resident(session, world.b.villages[0], b, "孙乙乡", "partly_disabled", date(2026, 2, 1))
    # 张全失 was 半失能 until an assessment of 12 November
    assessed(session, full, date(2026, 3, 1), "partly_disabled", world.a.staff)
    assessed(session, full, date(2026, 11, 12), "fully_disabled", world.a.staff)

    admin = factories.headers(session, world.admin)
    r = client.get("/api/reports/care-topup?month=2026-11", headers=admin)
    assert r.status_code == 200, r.get_json()
    rep = r.get_json()
    assert rep["title"] == "测试旗2026年11月敬老院失能、半失能特困人员补助表"
    assert rep["headers"][3:] == ["姓名", "自理能力", "入住日期", "离开日期", "补助金额（元）"]
    rows = {row[3]: (row[2], row[4], row[6], row[7]) for row in rep["rows"][:-1]}
    assert rows == {"张全失": ("甲镇敬老院", "失能", "", 500), "李半失": ("甲镇敬老院", "半失能", "2026-11-05", 200),
                    "王自理": ("甲镇敬老院", "自理", "", 0), "孙乙乡": ("乙乡敬老院", "半失能", "", 200)}
    assert rep["rows"][-1][0] == "合计" and rep["rows"][-1][-1] == 900 and rep["rows"][-1][3] == "4人"
    assert any("500" in n and "荣昌府办规〔2023〕8号第7项" in n for n in rep["notes"])
    # October: 张全失 was still 半失能 (the March assessment), 钱早走 still there; 李半失 too
    october = {row[3]: row[7] for row in client.get("/api/reports/care-topup?month=2026-10", headers=admin).get_json()["rows"][:-1]}
    assert october == {"张全失": 200, "李半失": 200, "王自理": 0, "钱早走": 500, "孙乙乡": 200}
    # the district's own amounts from December do not change November
    client.put(URL, json={"topup_fully_disabled": 800, "effective_month": "2026-12"}, headers=admin)
    assert client.get("/api/reports/care-topup?month=2026-11", headers=admin).get_json()["rows"][-1][-1] == 900
    assert {row[3]: row[7] for row in client.get("/api/reports/care-topup?month=2026-12",
                                                  headers=admin).get_json()["rows"][:-1]}["赵后来"] == 800

    # township staff: their township's homes only, and not another township's
    staff_b = factories.headers(session, world.b.staff)
    mine = client.get("/api/reports/care-topup?month=2026-11", headers=staff_b).get_json()
    assert [row[3] for row in mine["rows"][:-1]] == ["孙乙乡"]
    assert client.get(f"/api/reports/care-topup?month=2026-11&place_id={world.a.place.id}", headers=staff_b).status_code == 403
    assert client.get("/api/reports/care-topup?month=2026-11", headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert client.get("/api/reports/care-topup?month=2026-14", headers=admin).status_code == 422
    # each resident shown is an audited read
    assert session.scalar(select(AuditLog.id).where(AuditLog.action == "care_topup_report",
                                                    AuditLog.person_id == full.id)) is not None

    got = client.get("/api/reports/care-topup?month=2026-11&format=csv", headers=admin)
    assert got.status_code == 200 and got.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(got.get_data().decode("utf-8-sig"))))
    assert lines[0][3] == "姓名" and ["合计", "", "", "4人"] == lines[5][:4] and lines[5][-1] == "900"
    x = client.get("/api/reports/care-topup?month=2026-11&format=xlsx", headers=admin)
    assert x.status_code == 200 and x.get_data()[:2] == b"PK"
    assert left.id  # listed above with the day they left
