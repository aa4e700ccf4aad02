import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server import demo
from server.auth.models import User
from server.auth.service import make_hasher
from tests import factories
from tests.test_demo import ANNEX_1

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges


def test_annex1_report_on_the_demo_equals_the_seed(client, session):
    demo.load(session, hasher=make_hasher(time_cost=1, memory_kib=8))
    admin = session.scalar(select(User).where(User.username == "admin"))
    h = factories.headers(session, admin)
    r = client.get("/api/reports/annex1", headers=h)
    assert r.status_code == 200
    rows = r.get_json()["rows"]
    assert [tuple(row[1:5]) for row in rows[:-1]] == [tuple(a) for a in ANNEX_1]
    assert rows[-1] == ["合计", "", 2700, 24, 184, ""]
    x = client.get("/api/reports/annex1?format=xlsx", headers=h)
    ws = load_workbook(io.BytesIO(x.data)).active
    values = list(ws.iter_rows(values_only=True))
    # seed 001 annex 1's headers, as the form prints them, with its 备注 column
    assert values[0] == ("序号", "乡镇苏木街道", "分散供养人数", "其中：全失能人数", "半失能人数", "备注")
    assert values[-1] == ("合计", None, 2700, 24, 184, None)
    homes = client.get("/api/reports/care-homes", headers=h).get_json()["rows"]
    assert homes[-1] == ["合计", "", 733, 341, 441, 100, 79]  # annex 2's totals
    assert homes[0] == [1, "敖汉旗新惠中心敬老院", 130, 62, 78, 16, 16]
    # a township's staff see their township's row only
    staff = session.scalar(select(User).where(User.username == "staff02"))
    mine = client.get("/api/reports/annex1", headers=factories.headers(session, staff)).get_json()["rows"]
    assert mine == [[1, "贝子府镇", 325, 1, 14, ""], ["合计", "", 325, 1, 14, ""]]


def test_coverage_agreements_and_volunteer_reports(client, session, world):
    from tests.quotas.test_quotas import ago, visit

    visit(session, world.a.person, world.a.caregiver, when=ago(hours=2))
    visit(session, world.a.person, world.a.caregiver, when=ago(hours=1))
    visit(session, world.a.person, world.a.caregiver, when=ago(minutes=30), status="exception")
    h = factories.headers(session, world.admin)
    cov = client.get("/api/reports/coverage", headers=h).get_json()
    assert cov["headers"][:5] == ["乡镇", "村/居委会", "在册人数", "已探访人数", "探访覆盖率"]
    assert ["甲镇", "甲镇1村", 1, 1, "100%", "1/1", "0/0", "0/0"] in cov["rows"]
    assert cov["rows"][-1][:5] == ["合计", "", 2, 1, "50%"]
    agr = client.get("/api/reports/agreements", headers=h).get_json()
    mine = next(r for r in agr["rows"] if r[1] == "王德明")
    # the seeds' default: one 探访 a month of any verified mode; the exception does not count
    assert mine[4] == "亲属" and mine[7:] == [1, 2, 0, 0, 2, 1, "达标"]
    assert agr["policy"]["levels"]["self_care"]["default"] is True
    assert agr["notes"] == [cov["policy"]["text"]] and "上门入户、电话视频、远程监测计入" in agr["notes"][0]
    vol = client.get("/api/reports/volunteers", headers=h).get_json()
    assert {tuple(r) for r in vol["rows"]} == {("甲镇", "甲镇志愿服务队", 0, 0, "否"), ("乙乡", "乙乡志愿服务队", 0, 0, "否")}
    csv = client.get("/api/reports/agreements?format=csv", headers=h)
    assert csv.data.decode("utf-8").startswith("\ufeff村/居委会,特困人员")
    assert csv.data.decode("utf-8").rstrip().endswith(agr["notes"][0])  # the policy applied, under the table
    assert client.get("/api/reports/nothing", headers=h).status_code == 404
    assert client.get("/api/reports/annex1", headers=factories.headers(session, world.a.caregiver)).status_code == 403
    r = client.get(f"/api/reports/coverage?place_id={world.b.place.id}", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 403


def test_dashboard_twelve_months(client, session, world):
    from tests.quotas.test_quotas import ago, visit

    visit(session, world.a.person, world.a.caregiver, when=ago(hours=2))
    r = client.get("/api/reports/dashboard", headers=factories.headers(session, world.a.staff)).get_json()
    assert len(r["months"]) == 12 and r["months"][-1]["visited"] == 1 and r["months"][-1]["active"] == 1
