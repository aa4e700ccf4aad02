import io
from datetime import timedelta

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
    assert values[2] == ("序号", "乡镇苏木街道", "分散供养人数", "其中：全失能人数", "半失能人数", "备注")
    assert values[-1] == ("合计", None, 2700, 24, 184, None)
    homes = client.get("/api/reports/care-homes", headers=h).get_json()["rows"]
    assert homes[-1] == ["合计", "", 733, 341, 441, 100, 79, "", ""]  # annex 2's totals (负责人, 联系电话 not in the demo)
    assert homes[0] == [1, "敖汉旗新惠中心敬老院", 130, 62, 78, 16, 16, "", ""]
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
    assert cov["headers"] == ["乡镇", "村/居委会", "在册人数", "已探访人数", "月探访率", "全自理履约达标", "半失能履约达标",
                              "全失能履约达标"]
    assert ["甲镇", "甲镇1村", 1, 1, "100%", "1/1", "0/0", "0/0"] in cov["rows"]
    assert cov["rows"][-1][:5] == ["合计", "", 2, 1, "50%"]
    agr = client.get("/api/reports/agreements", headers=h).get_json()
    mine = next(r for r in agr["rows"] if r[1] == "王德明")
    # the seeds' default: one 探访 a month of any verified mode; the exception does not count
    assert mine[4] == "亲属" and mine[7:] == [1, 2, 0, 0, 2, 1, "达标", ""]
    assert agr["policy"]["levels"]["self_care"]["default"] is True
    assert agr["notes"][0] == cov["policy"]["text"] and "上门入户、电话视频、远程监测计入" in agr["notes"][0]
    assert "尚未结算，数据统计于" in agr["notes"][-1] and cov["notes"][-1] == agr["notes"][-1]
    vol = client.get("/api/reports/volunteers", headers=h).get_json()
    assert {tuple(r) for r in vol["rows"]} == {("甲镇", "甲镇志愿服务队", 0, 0, "否"), ("乙乡", "乙乡志愿服务队", 0, 0, "否")}
    csv = client.get("/api/reports/agreements?format=csv", headers=h)
    assert csv.data.decode("utf-8").startswith("\ufeff村/居委会,特困人员")
    assert agr["notes"][0] in csv.data.decode("utf-8")  # the policy applied, under the table
    assert csv.data.decode("utf-8").rstrip().endswith(agr["notes"][-1])  # and what the figures are
    assert client.get("/api/reports/nothing", headers=h).status_code == 404
    assert client.get("/api/reports/annex1", headers=factories.headers(session, world.a.caregiver)).status_code == 403
    r = client.get(f"/api/reports/coverage?place_id={world.b.place.id}", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 403


def test_dashboard_twelve_months(client, session, world):
    from tests.quotas.test_quotas import ago, visit

    visit(session, world.a.person, world.a.caregiver, when=ago(hours=2))
    r = client.get("/api/reports/dashboard", headers=factories.headers(session, world.a.staff)).get_json()
    assert len(r["months"]) == 12 and r["months"][-1]["visited"] == 1 and r["months"][-1]["active"] == 1


def test_the_dashboards_months_and_the_coverage_trend_count_each_month_by_the_visited_rule(client, session, world):
    """Each past month is counted in one grouped query (quotas.visited_by_month): every visit in
    its own Shanghai month, only a visit that counts, a volunteer visit where the policy counts
    those, a person once a month however they were visited."""
    from server.activities.models import ActivityPerson, VolunteerActivity
    from server.alerts.models import Alert
    from server.timeutil import month_bounds, months_to
    from tests.quotas.test_quotas import visit

    local = factories.now().astimezone(factories.SH)
    months = months_to(local.year, local.month, 12)  # months[11]: this month

    def start(k):
        return month_bounds(*months[k], factories.SH)[0]

    p = world.a.person
    q = factories.person(session, world.a.villages[1], name="周桂香", caregiver=world.a.caregiver)
    r = factories.person(session, world.a.villages[1], name="吴长生")
    cg = world.a.caregiver
    visit(session, p, cg, when=start(10) + timedelta(hours=1))
    visit(session, p, cg, when=start(10) + timedelta(days=3))  # twice in a month: visited once
    visit(session, p, cg, when=start(8) + timedelta(days=2), status="exception")  # not counted (yet)
    visit(session, q, cg, when=start(8) - timedelta(seconds=1))  # the last second of month 7, Shanghai time
    visit(session, world.b.person, world.b.caregiver, when=start(9) + timedelta(days=5))

    def volunteers(day, *persons):
        a = VolunteerActivity(team_id=world.a.team.id, kind="visit", held_on=day, place_id=world.a.place.id)
        session.add(a)
        session.flush()
        session.add_all([ActivityPerson(activity_id=a.id, person_id=x.id) for x in persons])
        session.flush()

    volunteers(start(9).astimezone(factories.SH).date(), r)
    volunteers((start(10) + timedelta(days=10)).astimezone(factories.SH).date(), p)  # p by caregiver too
    for k, town in ((10, world.a), (6, world.a), (10, world.b)):
        session.add(Alert(kind="quota_missed", place_id=town.place.id, title="t", dedupe_key=f"t:{k}:{town.place.id}",
                          created_at=start(k) + timedelta(hours=2), sla_due_at=start(k) + timedelta(days=2)))
    session.flush()

    def by_month(rows, key):
        return [row[key] for row in rows]

    staff = client.get("/api/reports/dashboard", headers=factories.headers(session, world.a.staff)).get_json()
    assert by_month(staff["months"], "month") == [f"{y:04d}-{m:02d}" for y, m in months]
    assert by_month(staff["months"], "visited") == [0] * 7 + [1, 0, 1, 1, 0]
    assert by_month(staff["months"], "active") == [3] * 12
    assert by_month(staff["months"], "alerts") == [0] * 6 + [1, 0, 0, 0, 1, 0]
    admin = client.get("/api/reports/dashboard", headers=factories.headers(session, world.admin)).get_json()
    assert by_month(admin["months"], "visited") == [0] * 7 + [1, 0, 2, 1, 0]
    assert by_month(admin["months"], "active") == [4] * 12
    assert by_month(admin["months"], "alerts") == [0] * 6 + [1, 0, 0, 0, 2, 0]
    trend = client.get("/api/coverage", headers=factories.headers(session, world.a.staff)).get_json()["trend"]
    assert [(t["month"], t["visited"], t["active"]) for t in trend] == [
        (f"{y:04d}-{m:02d}", v, 3) for (y, m), v in zip(months[6:], [0, 1, 0, 1, 1, 0])]
    # where the district's policy leaves volunteer visits out, the month they made is not visited
    schedule = client.get("/api/quotas/schedule", headers=factories.headers(session, world.admin)).get_json()
    keep = {k: schedule[k] for k in ("volunteer_activities_per_month", "health_check_min_age", "review_month")}
    assert client.put("/api/quotas/schedule", json={**keep, "volunteer_visits_count": False},
                      headers=factories.headers(session, world.admin)).status_code == 200
    staff = client.get("/api/reports/dashboard", headers=factories.headers(session, world.a.staff)).get_json()
    assert by_month(staff["months"], "visited") == [0] * 7 + [1, 0, 0, 1, 0]
