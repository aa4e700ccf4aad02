"""GET /api/persons/{id}/data-export: everything held about one person, for district admins only."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from server.alerts.service import raise_alert
from server.audit.models import AuditLog
from server.care.models import CareAgreement, CareHome, CareResidence
from server.casework.models import Relief
from server.people.models import Absence
from server.photos.storage import PhotoStore
from server.settings import current
from tests import factories
from tests.care.test_agreement_document import upload
from tests.privacy.conftest import add_visit
from tests.visits.conftest import photo


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


def test_the_export_holds_every_other_record_that_names_the_person_and_their_agreements_paper(
        client, app, session, world, now):
    """PIPL art. 45 (access and copy): a stay in a care home, a stay away, relief paid (money to the
    fen), the signed agreement's paper photo (its file in the archive) — every row of a table that
    names the person, or hangs from one that does, is in the export; another person's are not."""
    p, other = world.a.person, world.b.person
    staff = factories.headers(session, world.a.staff)
    agreement_id = session.scalar(select(CareAgreement.id).where(CareAgreement.person_id == p.id))
    r = upload(client, staff, agreement_id, photo(7))
    assert r.status_code == 201, r.get_json()
    home = CareHome(name="甲镇敬老院", place_id=world.a.place.id, beds=30, staff=3)
    session.add(home)
    session.flush()
    today = now.date()
    session.add_all([CareResidence(person_id=p.id, care_home_id=home.id, start_on=today - timedelta(days=40),
                                   end_on=today - timedelta(days=10)),
                     Absence(person_id=p.id, kind="hospital", start_on=today - timedelta(days=5), end_on=today,
                             recorded_by=world.a.staff.id),
                     Absence(person_id=other.id, kind="family", start_on=today, end_on=today, recorded_by=world.b.staff.id)])
    with app.app_context():
        alerts_settings = current().alerts
    alert, _ = raise_alert(session, kind="visit_gap", township_id=world.a.place.id, person_id=p.id, title="王德明需要救助",
                           dedupe_key="relief-test", settings=alerts_settings, now=now)
    session.add(Relief(alert_id=alert.id, person_id=p.id, township_id=world.a.place.id, amount=Decimal("350.50"),
                       granted_on=today, statement_due=today + timedelta(days=7), created_by=world.a.staff.id))
    session.flush()

    r = client.get(f"/api/persons/{p.id}/data-export", headers=factories.headers(session, world.admin))
    assert r.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(r.data))
    doc = json.loads(z.read("person.json"))
    rest = doc["other_records"]
    assert [(s["care_home_id"], s["end_on"]) for s in rest["careresidence"]] == [
        (home.id, (today - timedelta(days=10)).isoformat())]
    assert [(a["person_id"], a["kind"]) for a in rest["absence"]] == [(p.id, "hospital")]  # not the other's
    assert [(x["amount"], x["alert_id"]) for x in rest["relief"]] == [("350.50", alert.id)]
    [paper] = rest["agreementdocument"]
    assert paper["agreement_id"] == agreement_id and paper["file"] == f"agreements/{paper['id']}.jpg"
    assert z.read(paper["file"])[:2] == b"\xff\xd8" and doc["missing_files"] == []
    # the themed sections are not repeated; nothing of the other person's anywhere in it
    assert not set(rest) & {"visit", "careagreement", "alert", "auditlog"}
    assert all(row.get("person_id") in (None, p.id) for rows in rest.values() for row in rows)
