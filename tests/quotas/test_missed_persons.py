"""Issue 13 item 3: a township whose persons fell short of the month's quota gets one alert for
the month ("2026-11 有2人走访未达标"), and the persons are one tap away (/api/coverage/missed)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from server import jobs
from server.alerts.models import Alert
from server.audit.models import AuditLog
from tests import factories
from tests.test_jobs import visit

SH = ZoneInfo("Asia/Shanghai")
CLOSE = datetime(2026, 12, 1, 0, 30, tzinfo=SH)


def closed_november(session, world, db, settings):
    factories.home_visits_policy(session, self_care=(2, None))  # a local rule: 2 home visits a month
    a = world.a
    a.caregiver.phone = "13900003333"
    session.add(a.caregiver)
    second = factories.person(session, a.villages[1], name="赵桂兰", sex="F", caregiver=a.caregiver,
                              phone="13800004444")
    third = factories.person(session, a.villages[1], name="钱秀英", sex="F", caregiver=a.caregiver)
    for when in (datetime(2026, 11, 3, 10, tzinfo=SH), datetime(2026, 11, 20, 10, tzinfo=SH)):
        visit(session, third, a.caregiver, when)  # met
    visit(session, second, a.caregiver, datetime(2026, 11, 30, 23, 0, tzinfo=SH))  # one of two
    visit(session, a.person, a.caregiver, datetime(2026, 12, 1, 0, 5, tzinfo=SH))  # December's, not November's
    assert jobs.run("month_close", db, at=CLOSE, settings=settings)["quota_missed"] == 2  # a's township and b's
    return second


def test_one_alert_per_township_and_the_persons_one_tap_away(client, session, world, db, settings):
    second = closed_november(session, world, db, settings)
    alert = session.scalar(select(Alert).where(Alert.kind == "quota_missed", Alert.place_id == world.a.place.id))
    assert (alert.title, alert.person_id, alert.detail) == ("2026-11 有2人走访未达标", None, {"month": "2026-11"})
    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=SH), tick=False):
        h = factories.headers(session, world.a.staff)
        listed = client.get("/api/alerts", headers=h).get_json()
        assert [(a["title"], a["detail"]) for a in listed if a["kind"] == "quota_missed"] == [
            ("2026-11 有2人走访未达标", {"month": "2026-11"})]
        r = client.get(f"/api/coverage/missed?place_id={alert.place_id}&month=2026-11", headers=h)
        assert r.status_code == 200, r.get_json()
        got = r.get_json()
        assert (got["name"], got["month"]) == (world.a.place.name, "2026-11")
        assert [(p["name"], p["quota_visits"], p["quota"], p["caregiver_phone"], p["phone"]) for p in got["persons"]] == [
            ("王德明", 0, 2, "13900003333", world.a.person.phone), ("赵桂兰", 1, 2, "13900003333", "13800004444")]
        # the last closed month by default, and a village of the township alone
        assert client.get("/api/coverage/missed", headers=h).get_json() == got
        village = client.get(f"/api/coverage/missed?place_id={world.a.villages[1].id}&month=2026-11", headers=h)
        assert [p["name"] for p in village.get_json()["persons"]] == ["赵桂兰"]
        # a month not closed: nobody listed
        assert client.get("/api/coverage/missed?month=2026-12", headers=h).get_json()["persons"] == []
    reads = session.scalars(select(AuditLog.person_id).where(AuditLog.action == "missed_persons")).all()
    assert second.id in reads and world.a.person.id in reads


def test_the_list_keeps_to_the_places_a_user_manages(client, session, world, db, settings):
    closed_november(session, world, db, settings)
    other = factories.headers(session, world.b.staff)
    r = client.get(f"/api/coverage/missed?place_id={world.a.place.id}&month=2026-11", headers=other)
    assert r.status_code == 403
    assert session.scalar(select(AuditLog.id).where(AuditLog.action == "missed_persons")) is None
    assert client.get("/api/coverage/missed?month=2026-11",
                      headers=factories.headers(session, world.a.caregiver)).status_code == 403
    assert client.get("/api/coverage/missed?month=2026-13", headers=other).status_code == 422
    assert client.get("/api/coverage/missed?place_id=999999&month=2026-11", headers=other).status_code == 404
    district = client.get(f"/api/coverage/missed?place_id={world.a.place.id}&month=2026-11",
                          headers=factories.headers(session, world.admin)).get_json()
    assert [p["name"] for p in district["persons"]] == ["王德明", "赵桂兰"]
