"""GET /api/persons/{id}/data-export: everything held about one person, for district admins only."""

import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import select

from server.alerts.service import raise_alert
from server.audit.models import AuditLog
from server.photos.storage import PhotoStore
from server.settings import current
from tests import factories
from tests.privacy.conftest import add_visit


def test_admin_gets_everything_about_the_person_and_the_export_is_audited(client, app, session, world, now):
    p = world.a.person
    visit, rows = add_visit(session, p, world.a.caregiver, now - timedelta(days=2), media_dir=app.config["MEDIA_DIR"],
                            photo_seeds=[1])
    with app.app_context():
        alerts_settings = current().alerts
    raise_alert(session, kind="visit_gap", township_id=world.a.place.id, person_id=p.id, title="王德明已25天没有走访",
                dedupe_key="gap-test", settings=alerts_settings, now=now)
    add_visit(session, world.b.person, world.b.caregiver, now - timedelta(days=1))  # someone else's: not exported
    staff = factories.headers(session, world.a.staff)
    assert client.get(f"/api/persons/{p.id}", headers=staff).status_code == 200  # a read, for the trail

    r = client.get(f"/api/persons/{p.id}/data-export", headers=factories.headers(session, world.admin))
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert "no-store" in r.headers["Cache-Control"]
    assert f"person-{p.id}-export.zip" in r.headers["Content-Disposition"]
    z = zipfile.ZipFile(io.BytesIO(r.data))
    doc = json.loads(z.read("person.json"))

    assert doc["person"]["id_number"] == p.id_number and "*" not in doc["person"]["id_number"]  # whole, theirs
    assert doc["person"]["name"] == "王德明" and doc["person"]["home_lat"] == 42.3
    assert [a["caregiver_id"] for a in doc["agreements"]] == [world.a.caregiver.id]
    [v] = doc["visits"]
    assert v["id"] == visit.id and (v["lat"], v["lon"], v["accuracy_m"]) == (42.3003, 119.9003, 12.0)
    assert v["health"] == "well" and v["status"] == "exception" and v["exceptions"] == ["too_short"]
    [ph] = v["photos"]
    assert ph["file"] == f"photos/{rows[0].id}.jpg" and ph["exif_lat"] == 42.3001
    assert z.read(ph["file"]) == PhotoStore(app.config["MEDIA_DIR"]).path(rows[0].sha256).read_bytes()
    [alert] = doc["alerts"]
    assert alert["title"] == "王德明已25天没有走访" and [e["kind"] for e in alert["events"]] == ["raised"]
    assert doc["notifications"] and all(n["alert_id"] == alert["id"] for n in doc["notifications"])
    assert doc["assessments"] == [] and doc["activities"] == [] and doc["missing_files"] == []
    trail = [(a["user_id"], a["action"]) for a in doc["audit"]]
    assert (world.a.staff.id, "read") in trail
    assert trail[-1] == (world.admin.id, "export")
    assert sorted(z.namelist()) == sorted(["person.json", ph["file"]])

    logged = session.scalars(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [(a.user_id, a.person_id, a.entity) for a in logged] == [(world.admin.id, p.id, "person")]


def test_staff_and_others_get_403_and_nothing_is_logged(client, session, world):
    p = world.a.person
    for user in (world.a.staff, world.a.caregiver, world.a.volunteer):
        r = client.get(f"/api/persons/{p.id}/data-export",
                       headers=factories.headers(session, user, **{"Accept-Language": "en"}))
        assert r.status_code == 403
        body = r.get_json()
        assert body["reason"] == "forbidden_role" and body["code"] == 403 and body["message"] == "Your role may not do this"
    assert client.get(f"/api/persons/{p.id}/data-export").status_code == 401
    assert session.scalars(select(AuditLog).where(AuditLog.action == "export")).all() == []


def test_unknown_person_is_404(client, session, world):
    r = client.get("/api/persons/999999/data-export", headers=factories.headers(session, world.admin))
    assert r.status_code == 404 and r.get_json()["reason"] == "person_not_found"


def test_the_export_holds_the_volunteer_activities_that_served_the_person(client, session, world):
    from server.activities.models import ActivityPerson, VolunteerActivity

    held = factories.today()
    mine = VolunteerActivity(team_id=world.a.team.id, kind="visit", held_on=held, place_id=world.a.place.id)
    other = VolunteerActivity(team_id=world.a.team.id, kind="visit", held_on=held, place_id=world.a.place.id)
    session.add_all([mine, other])
    session.flush()
    session.add(ActivityPerson(activity_id=mine.id, person_id=world.a.person.id))
    session.flush()
    r = client.get(f"/api/persons/{world.a.person.id}/data-export", headers=factories.headers(session, world.admin))
    doc = json.loads(zipfile.ZipFile(io.BytesIO(r.data)).read("person.json"))
    assert [a["id"] for a in doc["activities"]] == [mine.id]
