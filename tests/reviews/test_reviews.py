"""The periodic review (seed 004 item 4): 特困 and A-class 低保 in March; B and C class 低保 in
March and September. Campaigns are Shanghai months: overdue from the 1st of the next one."""

from datetime import date, datetime, timezone

import time_machine
from sqlalchemy import select

from server import jobs
from server.alerts.models import Alert
from server.care.models import CareAgreement
from server.notify.models import Notification
from server.people.models import PersonExit
from server.quotas.models import SchedulePolicy
from server.reviews.models import ReviewRecord
from tests import factories

SH = factories.SH
EN = {"Accept-Language": "en"}
LAST_SECOND_OF_MARCH = datetime(2027, 3, 31, 15, 59, 59, tzinfo=timezone.utc)  # 23:59:59 in Shanghai
FIRST_OF_APRIL = datetime(2027, 3, 31, 16, 0, 0, tzinfo=timezone.utc)  # 00:00 on 1 April in Shanghai


def names(listing):
    return [p["name"] for p in listing["not_reviewed"]]


def review(client, session, staff, person, **body):
    body = {"person_id": person.id, "campaign": "2027-03", "method": "home_survey", "result": "continue",
            "reviewed_on": "2027-03-10", **body}
    return client.post("/api/reviews", json=body, headers=factories.headers(session, staff, **EN))


def test_a_march_without_a_review_is_overdue_on_1_april_shanghai_time(client, session, world, app_config, settings):
    db = app_config["DATABASE"]
    with time_machine.travel(LAST_SECOND_OF_MARCH, tick=False):
        h = factories.headers(session, world.a.staff, **EN)  # a token of that day
        listing = client.get("/api/reviews", headers=h).get_json()
        assert (listing["campaign"], listing["open"], listing["overdue"]) == ("2027-03", True, False)
        assert names(listing) == ["王德明"]
        assert jobs.run("review_overdue", db, at=LAST_SECOND_OF_MARCH, settings=settings) == \
            {"skipped": "no review campaign ended last month"}
    with time_machine.travel(FIRST_OF_APRIL, tick=False):
        h = factories.headers(session, world.a.staff, **EN)
        listing = client.get("/api/reviews", headers=h).get_json()
        assert (listing["campaign"], listing["open"], listing["overdue"]) == ("2027-03", False, True)
        assert names(listing) == ["王德明"]
        assert listing["coverage"] == [{"township_id": world.a.place.id, "name": "甲镇", "due": 1, "reviewed": 0,
                                        "rate": 0.0}]
    r = jobs.run("review_overdue", db, at=FIRST_OF_APRIL, settings=settings)
    assert r["campaign"] == "2027-03" and r["alerts_raised"] == 2
    assert jobs.run("review_overdue", db, at=FIRST_OF_APRIL, settings=settings)["skipped"] == "already done"
    titles = session.scalars(select(Alert.title).where(Alert.kind == "review_overdue").order_by(Alert.id)).all()
    assert titles == ["甲镇有1人未按期完成2027-03复核", "乙乡有1人未按期完成2027-03复核"]


def test_recording_a_review_takes_the_person_off_the_list_and_counts_in_coverage(client, session, world):
    second = factories.person(session, world.a.villages[1], name="张桂兰", sex="F", born=date(1948, 2, 3))
    factories.person(session, world.a.villages[1], name="赵有福", assistance_category="special_hardship")  # not due
    with time_machine.travel(datetime(2027, 3, 12, 10, tzinfo=SH), tick=False):
        h = factories.headers(session, world.admin, **EN)
        assert names(client.get("/api/reviews", headers=h).get_json()) == ["王德明", "张桂兰", "李秀英"]
        r = review(client, session, world.a.staff, world.a.person, method="platform_check")
        assert r.status_code == 201, r.get_json()
        listing = client.get("/api/reviews", headers=h).get_json()
        assert names(listing) == ["张桂兰", "李秀英"]
        assert [(c["name"], c["due"], c["reviewed"], c["rate"]) for c in listing["coverage"]] == [
            ("甲镇", 2, 1, 0.5), ("乙乡", 1, 0, 0.0)]
        [done] = listing["reviewed"]
        assert (done["name"], done["method"], done["result"], done["reviewed_on"]) == (
            "王德明", "platform_check", "continue", "2027-03-10")
        r = review(client, session, world.a.staff, world.a.person)
        assert r.status_code == 409 and r.get_json()["message"] == \
            "That person's review for this campaign is already recorded"
        assert review(client, session, world.b.staff, second).status_code == 403  # another township's person


def test_bad_reviews_are_refused(client, session, world):
    with time_machine.travel(datetime(2027, 3, 12, 10, tzinfo=SH), tick=False):
        r = review(client, session, world.a.staff, world.a.person, campaign="2027-04")
        assert r.status_code == 422
        assert r.get_json()["message"] == \
            "Not a review month: everyone in month 3, B and C class 低保 again in month 9"
        r = review(client, session, world.a.staff, world.a.person, campaign="2027-09")  # 特困: March only
        assert r.status_code == 422 and r.get_json()["reason"] == "date_in_future"
        assert review(client, session, world.a.staff, world.a.person, reviewed_on="2027-03-13").status_code == 422
        assert review(client, session, world.a.staff, world.a.person, method="phoned").status_code == 422
        assert review(client, session, world.a.caregiver, world.a.person).status_code == 403
        assert session.scalar(select(ReviewRecord.id)) is None


def test_b_and_c_class_dibao_again_in_september(client, session, world):
    b = factories.person(session, world.a.villages[0], name="孙丽", sex="F", born=date(1970, 1, 1),
                         assistance_category="dibao", dibao_class="B")
    factories.person(session, world.a.villages[0], name="钱进", assistance_category="dibao", dibao_class="A")
    with time_machine.travel(datetime(2027, 9, 3, 10, tzinfo=SH), tick=False):
        h = factories.headers(session, world.a.staff, **EN)
        listing = client.get("/api/reviews", headers=h).get_json()
        assert (listing["campaign"], listing["yearly"], names(listing)) == ("2027-09", False, ["孙丽"])
        assert review(client, session, world.a.staff, world.a.person, campaign="2027-09",
                      reviewed_on="2027-09-02").status_code == 422  # 特困: not due in September
        assert review(client, session, world.a.staff, b, campaign="2027-09", reviewed_on="2027-09-02").status_code == 201
        assert names(client.get("/api/reviews", headers=h).get_json()) == []
        # the review month is the district's to move: then September follows it by six months
    session.merge(SchedulePolicy(id=1, review_month=4))
    session.flush()
    with time_machine.travel(datetime(2027, 10, 3, 10, tzinfo=SH), tick=False):
        h = factories.headers(session, world.a.staff, **EN)
        listing = client.get("/api/reviews", headers=h).get_json()
        assert (listing["campaign"], listing["open"]) == ("2027-10", True)


def test_a_review_that_ends_aid_goes_through_the_exit(client, session, world):
    with time_machine.travel(datetime(2027, 3, 12, 10, tzinfo=SH), tick=False):
        r = review(client, session, world.a.staff, world.a.person, result="exit", note="家庭收入超过标准")
        assert r.status_code == 201
    record = session.scalar(select(PersonExit).where(PersonExit.person_id == world.a.person.id))
    assert (record.exited_on, record.reason) == (date(2027, 3, 10), "not_eligible")
    assert session.scalar(select(CareAgreement.end_on).where(CareAgreement.person_id == world.a.person.id)) == \
        date(2027, 3, 10)


def test_the_reminder_runs_while_the_campaign_is_open_once_a_day(session, world, app_config, settings):
    db = app_config["DATABASE"]
    at = datetime(2027, 3, 15, 9, 30, tzinfo=SH)
    assert jobs.run("review_reminder", db, at=at, settings=settings)["notified"] == 2
    assert jobs.run("review_reminder", db, at=at, settings=settings) == {"skipped": "already done"}
    [note] = session.scalars(select(Notification).where(Notification.user_id == world.a.staff.id,
                                                        Notification.kind == "review")).all()
    assert note.body == "2027-03复核进行中：本镇还有1人未复核，请在本月底前完成。"
    assert jobs.run("review_reminder", db, at=datetime(2027, 4, 1, 9, 30, tzinfo=SH), settings=settings) == \
        {"skipped": "no review campaign open"}
