"""Residents are 特困人员 all the same: the March review (seed 004 item 4: 对特困人员…每年3月统一核查1次)
and the yearly free health check for those of 65 and over (seed 000 item 4: 每年为65周岁以上特困人员
进行一次免费健康体检) are due to care-home residents too, not only to the home-care roster."""

from datetime import date, datetime

import time_machine
from sqlalchemy import select

from server.care.models import CareHome, CareResidence
from tests import factories

SH = factories.SH
EN = {"Accept-Language": "en"}
MARCH = datetime(2027, 3, 10, 10, 0, tzinfo=SH)


def resident(session, world, *, name, born=date(1948, 3, 2), status="centralised"):
    home = session.scalar(select(CareHome).where(CareHome.name == "甲镇敬老院"))
    if home is None:
        home = CareHome(seq=1, name="甲镇敬老院", place_id=world.a.place.id, beds=40, staff=4)
        session.add(home)
        session.flush()
    p = factories.person(session, world.a.villages[1], name=name, born=born, status=status,
                         support_mode="centralised", care_home_id=home.id)
    session.add(CareResidence(person_id=p.id, care_home_id=home.id, start_on=date(2026, 11, 1)))
    session.flush()
    return p


def test_a_resident_is_due_the_march_review_and_one_who_left_before_is_not(client, session, world):
    living = resident(session, world, name="赵桂兰")
    with time_machine.travel(MARCH, tick=False):
        h = factories.headers(session, world.a.staff, **EN)
        # one who died in February is no longer due
        gone = resident(session, world, name="孙已故")
        r = client.post(f"/api/persons/{gone.id}/exit", json={"exited_on": "2027-02-20", "reason": "deceased"}, headers=h)
        assert r.status_code == 201, r.get_json()
        listing = client.get("/api/reviews", headers=h).get_json()
        assert listing["campaign"] == "2027-03"
        assert sorted(p["name"] for p in listing["not_reviewed"]) == ["王德明", "赵桂兰"]
        assert listing["coverage"][0]["due"] == 2
        body = {"person_id": living.id, "campaign": "2027-03", "method": "home_survey", "result": "continue",
                "reviewed_on": "2027-03-10"}
        r = client.post("/api/reviews", json=body, headers=h)
        assert r.status_code == 201, r.get_json()
        r = client.post("/api/reviews", json={**body, "person_id": gone.id}, headers=h)
        assert (r.status_code, r.get_json()["reason"]) == (422, "review_not_due")
        listing = client.get("/api/reviews", headers=h).get_json()
        assert [p["name"] for p in listing["not_reviewed"]] == ["王德明"]
        assert [r["name"] for r in listing["reviewed"]] == ["赵桂兰"]


def test_a_resident_of_65_is_due_the_health_check(client, session, world):
    with time_machine.travel(MARCH, tick=False):
        living = resident(session, world, name="赵桂兰")
        resident(session, world, name="年轻住院人", born=date(1970, 1, 1))
        h = factories.headers(session, world.a.staff, **EN)
        cov = client.get("/api/campaigns/health_check", headers=h).get_json()
        assert sorted(p["name"] for p in cov["persons"]) == ["王德明", "赵桂兰"]
        body = {"person_id": living.id, "done_on": "2027-03-10", "family_doctor_signed": True}
        r = client.post("/api/campaigns/health_check/records", json=body, headers=h)
        assert r.status_code == 201, r.get_json()
        cov = client.get("/api/campaigns/health_check", headers=h).get_json()
        assert cov["total"]["due"] == 2 and cov["total"]["done"] == 1
        # the clean-up of a home stays home care's
        cleanup = client.get("/api/campaigns/cleanup", headers=h).get_json()
        assert [p["name"] for p in cleanup["persons"]] == ["王德明"]
