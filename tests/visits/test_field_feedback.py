"""What a caregiver learns of their own visits: how staff decided (in their inbox), what counts
this month and what waits for review, the shortest visit that counts, their history by month."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from server.notify.models import Notification
from tests import factories
from tests.conftest import SH
from tests.visits.conftest import HOME, now

# months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


@pytest.fixture
def pending_visit(checkin):
    """A home visit of this month, far from home and too short: it waits for review."""
    at = now()
    r = checkin.post(lat=HOME[0] + 0.02, lon=HOME[1], started_at=at.isoformat(), ended_at=at.isoformat())
    body = r.get_json()
    assert body["verification"]["status"] == "exception"
    return body


def inbox(session, user):
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id)))


def review(client, session, user, visit_id, **body):
    return client.post(f"/api/visits/{visit_id}/review", json=body, headers=factories.headers(session, user, **EN))


def test_a_rejected_visit_reaches_the_caregivers_inbox_with_the_reason(client, session, world, pending_visit):
    assert inbox(session, world.a.caregiver) == []
    r = review(client, session, world.a.staff, pending_visit["id"], decision="reject", reason_code="not_at_home",
               note="村委会说当天没见到人")
    assert r.status_code == 200
    [n] = inbox(session, world.a.caregiver)
    assert n.kind == "visit_review" and "未通过审核" in n.title and world.a.person.name in n.title
    assert "核实未上门" in n.body and "村委会说当天没见到人" in n.body and "不计入" in n.body
    assert n.url == f"#/person/{world.a.person.id}"
    # staff hear nothing of their own decision
    assert inbox(session, world.a.staff) == []


def test_an_accepted_visit_says_it_counts(client, session, world, pending_visit):
    r = review(client, session, world.a.staff, pending_visit["id"], decision="accept", reason_code="person_elsewhere")
    assert r.status_code == 200
    [n] = inbox(session, world.a.caregiver)
    assert "审核通过" in n.title and "服务对象当时不在家" in n.body and "计入走访次数" in n.body and "不计入" not in n.body


def test_a_refused_review_tells_nobody(client, session, world, pending_visit):
    r = review(client, session, world.a.staff, pending_visit["id"], decision="accept", reason_code="not_at_home")
    assert r.status_code == 422
    r = review(client, session, world.b.staff, pending_visit["id"], decision="reject", reason_code="not_at_home")
    assert r.status_code == 403
    assert inbox(session, world.a.caregiver) == []


def test_the_month_counter_names_what_waits_for_review(client, session, world, checkin, pending_visit):
    factories.home_visits_policy(session, self_care=(2, 20))  # a local rule: home visits only
    h = factories.headers(session, world.a.caregiver)
    [row] = client.get("/api/me/progress", headers=h).get_json()
    assert (row["done"], row["pending"], row["quota"]) == (0, 1, 2)
    # a phone call waiting for review is not a home visit: under this rule it would not count either
    at = now()
    call = checkin.post(mode="phone", lat=None, lon=None, accuracy_m=None, started_at=at.isoformat(),
                        ended_at=at.isoformat(), services=["wellbeing_call"]).get_json()
    assert call["verification"]["status"] == "exception"
    assert client.get("/api/me/progress", headers=h).get_json()[0]["pending"] == 1

    review(client, session, world.a.staff, pending_visit["id"], decision="accept", reason_code="confirmed_by_call")
    [row] = client.get("/api/me/progress", headers=h).get_json()
    assert (row["done"], row["pending"]) == (1, 0)


def test_the_catalogue_gives_the_shortest_visit_that_counts(client, app):
    body = client.get("/api/visits/catalogue").get_json()
    assert body["min_minutes"]["home"] == app.config["VISIT_MIN_MINUTES_HOME"]
    assert body["min_minutes"]["phone"] >= 0


def test_history_since_a_month(client, session, world, checkin):
    h = factories.headers(session, world.a.caregiver)
    recent = checkin.post().get_json()
    old_start = now() - timedelta(days=200)
    old = checkin.post(started_at=old_start.isoformat(), ended_at=(old_start + timedelta(minutes=30)).isoformat())
    assert old.status_code == 201
    # the month (Shanghai's) the recent visit started in
    since = datetime.fromisoformat(recent["started_at"]).astimezone(SH).strftime("%Y-%m")
    got = client.get(f"/api/visits?person_id={world.a.person.id}&since_month={since}", headers=h)
    ids = [v["id"] for v in got.get_json()]
    assert recent["id"] in ids and old.get_json()["id"] not in ids
    bad = client.get("/api/visits?since_month=2026-13", headers={**h, **EN})
    assert bad.status_code == 422 and "since_month" in bad.get_json()["errors"]
