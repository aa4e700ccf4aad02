"""What counts toward the month (seed 002 月探访率, seed 000 item 2 modes): the seeds' default and a
local rule a district admin sets in the app, applied by every report, the month close and the
check-in's verification alike."""

import pytest
from sqlalchemy import select

from server.quotas import close
from server.quotas.models import AgreementMonth
from tests import factories
from tests.quotas.test_quotas import ago, visit

pytestmark = pytest.mark.clock_edges


def _this_month():
    local = factories.now().astimezone(factories.SH)
    return local.year, local.month


def _agreement_row(client, headers, name="王德明"):
    report = client.get("/api/reports/agreements", headers=headers).get_json()
    return next(r for r in report["rows"] if r[1] == name), report


def test_one_home_visit_and_two_calls_meet_the_default_but_not_a_rule_of_two_home_visits(client, session, world):
    person, cg = world.a.person, world.a.caregiver
    assert person.self_care_level == "self_care"  # 全自理
    visit(session, person, cg, when=ago(hours=3))  # 上门入户
    visit(session, person, cg, when=ago(hours=2), mode="phone")  # 电话
    visit(session, person, cg, when=ago(hours=1), mode="video")  # 视频
    admin = factories.headers(session, world.admin)

    # the seeds' default: at least one 探访 a month of any verified mode
    row, report = _agreement_row(client, admin)
    assert report["headers"][7:] == ["应探访次数", "上门入户", "电话视频", "远程监测", "计入探访次数", "异常探访次数",
                                     "履行情况", "更正"]
    assert row[7:] == [1, 1, 2, 0, 3, 0, "达标", ""]
    assert report["notes"][0].startswith("执行标准（默认")
    cov = client.get(f"/api/coverage?place_id={world.a.place.id}", headers=admin).get_json()
    assert cov["total"]["quota_met"] == 1

    # a local rule: two home visits a month for 全自理, set in the app by a district admin
    r = client.put("/api/quotas/self_care", json={"visits_per_month": 2, "min_home": 2}, headers=admin)
    assert r.status_code == 200
    row, report = _agreement_row(client, admin)
    assert row[7:] == [2, 1, 2, 0, 3, 0, "未达标", ""]
    assert report["notes"][0].startswith("执行标准（区（旗）民政局设定）")
    assert "全自理：每月至少探访2次（上门入户、电话视频、远程监测计入），其中上门入户至少2次" in report["notes"][0]
    assert report["policy"]["levels"]["self_care"]["min_home"] == 2
    assert report["policy"]["levels"]["partly_disabled"]["default"] is True
    cov = client.get(f"/api/coverage?place_id={world.a.place.id}", headers=admin).get_json()
    assert cov["total"] == {"active": 1, "visited": 1, "agreements": 1, "quota_met": 0, "excused": 0}
    coverage_report = client.get(f"/api/reports/coverage?place_id={world.a.place.id}", headers=admin).get_json()
    assert coverage_report["rows"][-1][5] == "0/1"

    # the month close writes down the same judgement, the basis of the subsidy
    _close_this_month(session)
    written = session.scalar(select(AgreementMonth).where(AgreementMonth.person_id == person.id))
    assert (written.quota, written.counted, written.fulfilment) == (2, 3, "not_met")


def _close_this_month(session):
    from server.alerts.service import AlertSettings

    year, month = _this_month()
    return close.close_month(session, year=year, month=month, zone=factories.SH, now=factories.now(),
                             alert_settings=AlertSettings({"urgent": 240, "normal": 4320}))


def test_the_month_close_follows_the_default_too(session, world):
    visit(session, world.a.person, world.a.caregiver, when=ago(hours=1), mode="remote")
    assert _close_this_month(session)["agreements"] == 2
    met = dict(session.execute(select(AgreementMonth.person_id, AgreementMonth.fulfilment)).all())
    assert met == {world.a.person.id: "met", world.b.person.id: "not_met"}  # 远程监测 counts; nobody visited b


def test_a_rule_that_counts_home_visits_only_leaves_calls_out(client, session, world):
    factories.home_visits_policy(session, self_care=(1, None))
    visit(session, world.a.person, world.a.caregiver, when=ago(hours=1), mode="phone")
    row, _ = _agreement_row(client, factories.headers(session, world.admin))
    assert row[7:] == [1, 0, 1, 0, 0, 0, "未达标", ""]


def test_english_readers_get_the_policy_in_english(client, session, world):
    cov = client.get("/api/coverage", headers=factories.headers(session, world.a.staff, **{"Accept-Language": "en"}))
    assert cov.get_json()["policy"]["text"].startswith("Policy applied (the default from the papers")
