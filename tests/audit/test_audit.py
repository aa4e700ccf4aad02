from sqlalchemy import select

from server.audit.models import AuditLog
from tests import factories


def trail(session, person_id):
    return session.scalars(select(AuditLog).where(AuditLog.person_id == person_id).order_by(AuditLog.id)).all()


def test_every_read_is_logged_with_who_and_where(client, session, world):
    h = factories.headers(session, world.a.caregiver)
    client.get(f"/api/persons/{world.a.person.id}", headers=h, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    client.get("/api/persons", headers=h, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    rows = trail(session, world.a.person.id)
    assert [(r.action, r.user_id, r.address) for r in rows] == [
        ("read", world.a.caregiver.id, "10.9.8.7"),
        ("list", world.a.caregiver.id, "10.9.8.7"),
    ]
    assert all(r.at is not None and r.at.tzinfo is not None for r in rows)


def test_refused_reads_are_not_logged_as_reads(client, session, world):
    client.get(f"/api/persons/{world.b.person.id}", headers=factories.headers(session, world.a.caregiver))
    assert trail(session, world.b.person.id) == []


def test_admin_reads_a_persons_trail(client, session, world):
    client.get(f"/api/persons/{world.a.person.id}", headers=factories.headers(session, world.a.staff))
    client.patch(f"/api/persons/{world.a.person.id}", json={"address": "新址"},
                 headers=factories.headers(session, world.a.staff))
    r = client.get(f"/api/audit?person_id={world.a.person.id}", headers=factories.headers(session, world.admin))
    assert r.status_code == 200
    assert [e["action"] for e in r.get_json()] == ["update", "read"]
    assert all(e["user_id"] == world.a.staff.id for e in r.get_json())


def test_audit_is_for_district_admins_only(client, session, world):
    for u in (world.a.staff, world.a.caregiver, world.a.volunteer):
        r = client.get("/api/audit", headers=factories.headers(session, u))
        assert r.status_code == 403
