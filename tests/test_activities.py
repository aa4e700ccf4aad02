from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.activities.models import VolunteerActivity
from tests import factories
from tests.visits.conftest import fetch, multipart, photo

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


def body(world, **over):
    return {"team_id": world.a.team.id, "kind": "festival_visit", "held_on": factories.today().isoformat(),
            "place_id": world.a.villages[0].id, "participants": 6, "people_served": 12, "note": "重阳节慰问", **over}


def test_a_volunteer_logs_an_activity_with_photos(client, session, world):
    h = factories.headers(session, world.a.volunteer)
    r = client.post("/api/activities", data=multipart(body(world), [photo(901)]), headers=h)
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert out["kind"] == "festival_visit" and out["people_served"] == 12 and len(out["photos"]) == 1
    url = out["photos"][0]["url"]
    assert fetch(client, url, h)[0] == 200
    assert fetch(client, url, factories.headers(session, world.a.staff))[0] == 200
    assert fetch(client, url, factories.headers(session, world.b.volunteer))[0] == 403
    month = factories.today().strftime("%Y-%m")
    listed = client.get(f"/api/activities?team_id={world.a.team.id}&month={month}", headers=h).get_json()
    assert [a["id"] for a in listed] == [out["id"]]
    assert client.get("/api/activities", headers=factories.headers(session, world.b.volunteer)).get_json() == []


def test_bad_activities_store_nothing(client, session, world):
    h = factories.headers(session, world.a.volunteer, **EN)
    cases = [
        (body(world, team_id=world.b.team.id), 403),
        (body(world, place_id=world.b.villages[0].id), 422),
        (body(world, held_on=(factories.today() + timedelta(days=2)).isoformat()), 422),
        (body(world, kind="party"), 422),
        (body(world, participants=-1), 422),
        (body(world, team_id=99999), 404),
    ]
    for payload, status in cases:
        r = client.post("/api/activities", json=payload, headers=h)
        assert r.status_code == status and r.get_json()["message"], (payload, r.get_json())
    assert session.scalar(select(func.count()).select_from(VolunteerActivity)) == 0
    assert client.post("/api/activities", json=body(world), headers=factories.headers(session, world.a.caregiver)).status_code == 403


def test_a_resend_from_the_outbox_is_stored_once(client, session, world):
    h = factories.headers(session, world.a.volunteer)
    payload = body(world, client_id="0b5f3e0a-3c1e-4b7e-9a55-6f1f3e2d9c11")
    first = client.post("/api/activities", json=payload, headers=h)
    again = client.post("/api/activities", json=payload, headers=h)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert session.scalar(select(func.count()).select_from(VolunteerActivity)) == 1
    other = client.post("/api/activities", json=payload, headers=factories.headers(session, world.a.staff))
    assert other.status_code == 422
