"""A campaign's frequency is the district's to set, from a later year (issue 29 part 8: "campaign
frequencies" in the district's hands). Until then the seeds': 各镇街每季度组织开展一次 (seed 000 item
11, the clean-up) and 每年…进行一次免费健康体检 (seed 000 item 4). A year already begun keeps its
periods, so no record of it is orphaned."""

from datetime import date, datetime

import time_machine
from sqlalchemy import func, select

from server import jobs
from server.audit.models import AuditLog
from server.campaigns.models import CampaignFrequency
from tests import factories
from tests.campaigns.test_campaigns import SH, alerts_for

EN = {"Accept-Language": "en"}


def test_the_district_sets_a_monthly_clean_up_from_next_year_and_this_years_quarters_stay(client, session, world):
    admin = factories.headers(session, world.admin, **EN)
    r = client.get("/api/campaigns/cleanup/frequency", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200
    assert r.get_json() == {"kind": "cleanup", "frequency": "quarter", "default_frequency": "quarter", "versions": []}
    r = client.put("/api/campaigns/cleanup/frequency", headers=admin, json={"frequency": "month", "from_year": 2027})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["frequency"] == "quarter"  # 2026 keeps its quarters
    assert [(v["from_year"], v["frequency"], v["updated_by"]) for v in body["versions"]] == [(2027, "month", world.admin.id)]
    assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "campaign_frequency")) == 1
    staff = factories.headers(session, world.a.staff)
    # November 2026: still 2026-Q4
    assert client.get("/api/campaigns/cleanup", headers=staff).get_json()["period"] == "2026-Q4"
    with time_machine.travel(datetime(2027, 2, 10, 10, 0, tzinfo=SH), tick=False):
        staff = factories.headers(session, world.a.staff)  # a login of that day
        cov = client.get("/api/campaigns/cleanup", headers=staff).get_json()
        assert (cov["period"], cov["starts_on"], cov["ends_on"]) == ("2027-02", "2027-02-01", "2027-02-28")
        r = client.post("/api/campaigns/cleanup/records", headers=staff,
                        json={"person_id": world.a.person.id, "done_on": "2027-02-09", "items": ["home_clean"]})
        assert r.status_code == 201 and r.get_json()["period"] == "2027-02"
        # January was a month of its own: a record of February does not answer it
        jan = client.get("/api/campaigns/cleanup?period=2027-01", headers=staff).get_json()
        assert (jan["total"]["due"], jan["total"]["done"]) == (1, 0)
        # a quarter of 2027 is not a period any more; 2026's quarters still are
        bad = client.get("/api/campaigns/cleanup?period=2027-Q1", headers={**staff, **EN})
        assert bad.status_code == 422 and "month" in str(bad.get_json()["errors"])
        assert client.get("/api/campaigns/cleanup?period=2026-Q4", headers=staff).status_code == 200
        assert client.get("/api/campaigns/cleanup?period=2026-11", headers=staff).status_code == 422
        # the health check keeps the seed's year
        assert client.get("/api/campaigns/health_check", headers=staff).get_json()["period"] == "2027"


def test_the_period_after_a_change_of_frequency_is_alerted_once_it_ends(client, session, world, app_config, settings):  # noqa: F811
    db = app_config["DATABASE"]
    admin = factories.headers(session, world.admin)
    assert client.put("/api/campaigns/cleanup/frequency", headers=admin,
                      json={"frequency": "half_year", "from_year": 2027}).status_code == 200
    # the first instant of 2027 in Shanghai ends 2026-Q4, the last quarter at the old frequency
    jobs.run("campaign_watch", db, at=datetime(2027, 1, 1, 0, 0, 1, tzinfo=SH), settings=settings)
    assert {a.detail["period"] for a in alerts_for(session, "2026-Q4")} == {"2026-Q4"}
    jobs.run("campaign_watch", db, at=datetime(2027, 4, 1, 9, 0, tzinfo=SH), settings=settings)
    assert alerts_for(session, "2027-Q1") == []  # no quarter ends in 2027
    jobs.run("campaign_watch", db, at=datetime(2027, 7, 1, 0, 0, 1, tzinfo=SH), settings=settings)
    assert len(alerts_for(session, "2027-H1")) == 2  # both townships' persons not done


def test_bad_frequencies_are_refused_and_nothing_is_stored(client, session, world):
    admin = factories.headers(session, world.admin, **EN)
    cases = [
        ({"frequency": "month", "from_year": 2026}, 422, "campaign_frequency_year"),  # the year in progress
        ({"frequency": "month", "from_year": 2032}, 422, "campaign_frequency_year"),  # more than five years ahead
        ({"frequency": "fortnight", "from_year": 2027}, 422, "validation"),
        ({"from_year": 2027}, 422, "validation"),
        ({"frequency": "month", "from_year": "next"}, 422, "validation"),
    ]
    for body, status, reason in cases:
        r = client.put("/api/campaigns/cleanup/frequency", headers=admin, json=body)
        assert (r.status_code, r.get_json()["reason"]) == (status, reason), body
    r = client.put("/api/campaigns/cleanup/frequency", headers=admin, json={"frequency": "month", "from_year": 2026})
    assert r.get_json()["message"] == ("A frequency can change only from a later year (2027 on, at most five years "
                                       "ahead): this year's periods stay as they began")
    zh = client.put("/api/campaigns/cleanup/frequency", headers=factories.headers(session, world.admin),
                    json={"frequency": "month", "from_year": 2026})
    assert zh.get_json()["message"].startswith("频次只能从以后的年份（2027年起")
    for who in (world.a.staff, world.a.volunteer, world.a.caregiver):
        r = client.put("/api/campaigns/cleanup/frequency", headers=factories.headers(session, who),
                       json={"frequency": "month", "from_year": 2027})
        assert r.status_code == 403
    assert client.put("/api/campaigns/nothing/frequency", headers=admin,
                      json={"frequency": "month", "from_year": 2027}).status_code == 404
    assert session.scalar(select(func.count()).select_from(CampaignFrequency)) == 0


def test_setting_the_frequency_already_in_force_drops_the_later_versions(client, session, world):
    admin = factories.headers(session, world.admin)
    put = lambda body: client.put("/api/campaigns/health_check/frequency", headers=admin, json=body)  # noqa: E731
    assert put({"frequency": "half_year", "from_year": 2028}).status_code == 200
    assert put({"frequency": "quarter", "from_year": 2029}).status_code == 200
    versions = put({"frequency": "year", "from_year": 2028}).get_json()["versions"]
    assert versions == []  # back to the seed's from 2028 on
    assert put({"frequency": "half_year", "from_year": 2027}).status_code == 200
    body = put({"frequency": "quarter", "from_year": 2029}).get_json()
    assert [(v["from_year"], v["frequency"]) for v in body["versions"]] == [(2027, "half_year"), (2029, "quarter")]
    assert date(2026, 11, 18) == factories.today()
