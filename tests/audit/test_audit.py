import sqlite3

import pytest
from sqlalchemy import select

from server.audit.models import AuditLog
from server.auth.actor import Actor
from server.auth.models import User
from server.db import Database
from server.migrate import upgrade
from server.people import service as people
from server.people.models import Person
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


def test_a_list_keeps_sqlites_write_lock_free_until_it_commits(tmp_path, database_url):
    """Issue 13: a staff list writes its trail as it commits. Written before the page was shaped,
    the trail's INSERT took SQLite's one write lock for the rest of the request, and any other
    writer (a caregiver's check-in) waited behind every list being shaped."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's one write lock; PostgreSQL's writers do not share one")
    url = f"sqlite:///{tmp_path / 'lock.db'}"
    upgrade(url=url)
    db = Database(url)
    with db.session() as s:
        built = factories.World.build(s)
        s.commit()
        staff_id, person_id = built.a.staff.id, built.a.person.id
    with db.session() as lister:
        staff = lister.get(User, staff_id)
        page, _ = people.list_persons(lister, actor=Actor(staff, "10.1.2.3"))
        assert person_id in [p.id for p in page]
        # meanwhile another request writes, without waiting for the list
        other = sqlite3.connect(tmp_path / "lock.db", timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE person SET address = '新址' WHERE id = ?", (person_id,))
        other.execute("COMMIT")
        other.close()
        lister.commit()
    with db.session() as s:
        assert [(r.action, r.user_id, r.address) for r in trail(s, person_id)] == [("list", staff_id, "10.1.2.3")]
        assert s.get(Person, person_id).address == "新址"
    db.engine.dispose()
