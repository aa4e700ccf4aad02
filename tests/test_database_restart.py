"""Issue 30, several machines: the database going away answers 503 with Retry-After, never a 500,
and nothing is lost. The whole of it on PostgreSQL: a cluster of the test's own (pg_createcluster),
two `zhaoying serve` nodes on it, caregivers checking in from six threads, and `pg_ctlcluster … restart` in
the middle: every check-in is stored once after the restart, those refused during it were 503s
with Retry-After, and the clients' replays (same client_id, as the app's outbox sends them) did the
rest."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.db import make_engine
from server.migrate import upgrade
from tests import factories
from tests.visits.conftest import visit_fields

ROOT = Path(__file__).resolve().parents[1]


# --- a request while the database cannot be reached (both engines) ---------------------------------


@pytest.fixture
def unreachable_app(app_config):
    from server import create_app
    from server.db import Database

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere?connect_timeout=2"
    return create_app({**app_config, "DATABASE": Database(url)})


@pytest.mark.parametrize("language, text", [("zh-CN", "服务器暂时连不上数据库"), ("en", "cannot reach its database")])
def test_a_request_while_the_database_is_away_is_a_503_with_retry_after(unreachable_app, language, text):
    response = unreachable_app.test_client().post("/api/auth/login", json={"username": "a", "password": "b"},
                                                  headers={"Accept-Language": language})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["reason"] == "database_unavailable" and text in response.json["message"]


def test_a_commit_that_loses_the_database_is_a_503_and_stores_nothing(client, session, world, monkeypatch):
    """The connection breaks at the request's commit: the caregiver is told to send it again (not a
    201 for a visit that is not there); the replay is stored once."""
    from server.visits.models import Visit

    auth = factories.headers(session, world.a.caregiver)
    fields = visit_fields(world.a.person.id, mode="phone")  # a call: no photo to send
    real_commit = Session.commit
    broken = {"left": 1}

    def commit(self):
        if broken["left"]:
            broken["left"] -= 1
            raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))
        return real_commit(self)

    monkeypatch.setattr(Session, "commit", commit)
    response = client.post("/api/visits", json=fields, headers=auth)
    assert response.status_code == 503, response.json
    assert response.headers["Retry-After"] == "5" and response.json["reason"] == "database_unavailable"
    stored = lambda: session.scalars(sa.select(Visit).where(Visit.client_id == fields["client_id"])).all()  # noqa: E731
    assert stored() == []
    again = client.post("/api/visits", json=fields, headers=auth)
    assert again.status_code == 201, again.json
    assert len(stored()) == 1


# --- PostgreSQL restarted under load ----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _version() -> str:
    return sorted(os.listdir("/etc/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]


@pytest.fixture(scope="module")
def cluster():
    """A PostgreSQL cluster of this test's own on a free port, so restarting it disturbs nothing
    else: (version, name, url of its database)."""
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
        pytest.skip("a PostgreSQL restart is PostgreSQL's (make test's second pass)")
    if shutil.which("pg_createcluster") is None or os.geteuid() != 0:
        pytest.fail("pg_createcluster (postgresql-common) as root is needed: `make test` installs it")
    version, name, port = _version(), f"zhaoying_restart_{os.getpid()}", _free_port()
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, timeout=120)  # noqa: E731
    run("pg_createcluster", version, name, "-p", str(port), "--", "--auth=trust")
    try:
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start")
        admin = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE zhaoying")
        admin.dispose()
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/zhaoying"
        upgrade(url=url)
        yield version, name, url
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=120)


class Client:
    """A caregiver's phone: checks in, and sends again what was not stored, as the outbox does."""

    def __init__(self, base: str, username: str, person: int):
        self.base, self.username, self.person = base, username, person
        self.stored: list[str] = []  # client_ids answered 201 (or 200, a replay)
        self.refusals: list[tuple[int, str, dict]] = []  # the 503s: status, Retry-After, body
        self.wrong: list[tuple[int, str]] = []  # anything else
        self.token = None

    def call(self, path: str, body: dict) -> tuple[int, dict, dict]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read()), dict(r.headers)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw), dict(e.headers)
            except ValueError:
                return e.code, {"raw": raw[:300].decode("utf-8", "replace")}, dict(e.headers)

    def until_done(self, path: str, body: dict, deadline: float) -> dict | None:
        while time.monotonic() < deadline:
            status, answer, headers = self.call(path, body)
            if status in (200, 201):
                return answer
            if status == 503:
                self.refusals.append((status, headers.get("Retry-After"), answer))
                time.sleep(0.2)  # the outbox waits Retry-After; a test waits less
                continue
            self.wrong.append((status, json.dumps(answer, ensure_ascii=False)[:300]))
            return None
        self.wrong.append((0, f"not stored before the deadline: {body.get('client_id')}"))
        return None

    def run(self, stop: threading.Event, deadline: float) -> None:
        login = self.until_done("/api/auth/login", {"username": self.username, "password": factories.PASSWORD}, deadline)
        if login is None:
            return
        self.token = login["access_token"]
        while not stop.is_set():
            fields = visit_fields(self.person, mode="phone", client_id=str(uuid.uuid4()))
            if self.until_done("/api/visits", fields, deadline) is None:
                return
            self.stored.append(fields["client_id"])


def test_postgresql_restarted_under_load_answers_503_with_retry_after_and_loses_nothing(cluster, tmp_path):
    version, name, url = cluster
    engine = make_engine(url)
    with Session(engine) as session:
        world = factories.World.build(session)
        phones = [(world.a.caregiver.username, world.a.person.id), (world.b.caregiver.username, world.b.person.id)]
        session.commit()
    servers, bases = [], []
    try:
        for node in ("a", "b"):  # two app servers on the one database, as a district runs them
            port = _free_port()
            env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "restart", "ARGON2_TIME_COST": "1",
                   "ARGON2_MEMORY_KIB": "8", "PYTHONPATH": str(ROOT), "INSTANCE_DIR": str(tmp_path / node),
                   "MEDIA_DIR": str(tmp_path / node / "media")}
            with open(tmp_path / f"serve-{node}.log", "w") as log:  # the child keeps its own handle
                servers.append(subprocess.Popen(
                    [sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(port),
                     "--workers", "2", "--threads", "4"], env=env, stdout=subprocess.DEVNULL, stderr=log))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/api/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail("a server did not start")
        # six phones, three on each node
        clients = [Client(bases[k % 2], *phones[(k // 2) % 2]) for k in range(6)]
        stop, deadline = threading.Event(), time.monotonic() + 120
        threads = [threading.Thread(target=c.run, args=(stop, deadline)) for c in clients]
        for t in threads:
            t.start()
        time.sleep(2.0)  # under load
        before = sum(len(c.stored) for c in clients)
        began = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"], check=True,
                       capture_output=True, timeout=120)
        restarted = time.monotonic() - began
        time.sleep(3.0)  # and after it
        stop.set()
        for t in threads:
            t.join(timeout=150)
        stored = [cid for c in clients for cid in c.stored]
        refusals = [r for c in clients for r in c.refusals]
        assert [w for c in clients for w in c.wrong] == []  # never a 500, never a lost check-in
        assert before > 0 and len(stored) > before  # it ran before the restart and after it
        assert refusals, "no request met the restart"
        assert {(r[0], r[1], r[2].get("reason")) for r in refusals} == {(503, "5", "database_unavailable")}
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT client_id, count(*) FROM visit GROUP BY client_id")).all()
        assert dict(rows) == {cid: 1 for cid in stored}  # every check-in answered stored is stored, once
        print(f"restart took {restarted:.1f} s; {len(stored)} check-ins stored, {len(refusals)} answered 503 "
              f"meanwhile, 0 lost, 0 errors")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        engine.dispose()
