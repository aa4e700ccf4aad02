"""Issue 30, several machines: what one server writes and another reads lives in the database or
the object store. Two `zhaoying serve` nodes, each with an instance folder of its own, on one
database (PostgreSQL in `make test`'s second pass, a SQLite file in its first) and one S3 bucket
on loopback (moto, as the photo tests use): a roster's dry run made on node A is applied on node
B, and a photo checked in on A is served by B; of two `zhaoying scheduler` processes the leader is
killed with SIGKILL and the standby runs the next due job within a minute, no job twice."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.db import make_engine
from server.notify.channels import generate_vapid_pem
from server.notify.models import JobRun
from tests import factories
from tests.scratchdb import scratch_database
from tests.imports.conftest import make_xlsx
from tests.imports.test_imports_api import roster
from tests.photos.conftest import Bucket
from tests.photos.s3server import CheckedMotoServer
from tests.visits.conftest import photo, visit_fields

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    with scratch_database(tmp_path_factory, "nodes") as url:
        yield url


@pytest.fixture(scope="module")
def bucket():
    server = CheckedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield Bucket(f"http://{host}:{port}")
    server.stop()


@pytest.fixture(scope="module")
def world(database_url):
    engine = make_engine(database_url)
    with Session(engine) as session:
        world = factories.World.build(session)
        session.commit()
        names = {"staff": world.a.staff.username, "caregiver": world.a.caregiver.username,
                 "person": world.a.person.id, "township": world.a.place.id}
    engine.dispose()
    return names


class Node:
    def __init__(self, url: str, process: subprocess.Popen):
        self.url, self.process = url, process

    def call(self, method: str, path: str, *, token: str | None = None, body: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, dict | bytes, dict]:
        headers = {"Content-Type": content_type, "Accept-Language": "en"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                data, status, got = r.read(), r.status, dict(r.headers)
        except urllib.error.HTTPError as e:
            data, status, got = e.read(), e.code, dict(e.headers)
        return status, (json.loads(data) if got.get("Content-Type", "").startswith("application/json") else data), got

    def login(self, username: str) -> str:
        status, body, _ = self.call("POST", "/api/auth/login",
                                    body=json.dumps({"username": username, "password": factories.PASSWORD}).encode())
        assert status == 200, body
        return body["access_token"]


@pytest.fixture(scope="module")
def nodes(database_url, bucket, world, tmp_path_factory):
    shared = {"DATABASE_URL": database_url, "SECRET_KEY": "several-machines", "VAPID_PRIVATE_KEY": generate_vapid_pem(),
              "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8", "PYTHONPATH": str(ROOT),
              **{k: str(v) for k, v in bucket.config.items()}}
    zhaoying = [sys.executable, "-c", "from server.cli import main; main()"]
    started = []
    for name in ("a", "b"):
        instance = tmp_path_factory.mktemp(f"node-{name}")  # nothing shared on disk
        env = {**os.environ, **shared, "INSTANCE_DIR": str(instance), "MEDIA_DIR": str(instance / "media")}
        port = _free_port()
        process = subprocess.Popen([*zhaoying, "serve", "--port", str(port), "--workers", "1", "--threads", "4"],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(Node(f"http://127.0.0.1:{port}", process))
    try:
        for node in started:
            for _ in range(300):
                try:
                    urllib.request.urlopen(node.url + "/api/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                pytest.fail("a node did not start")
        yield started
    finally:
        for node in started:
            node.process.terminate()
            node.process.wait(timeout=30)


def _multipart(fields: dict, files: list[tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = b""
    for key, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{v}\r\n'.encode()
    for field, data, filename in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_a_dry_run_on_one_node_is_applied_on_the_other(nodes, world, database_url):
    a, b = nodes
    body, ctype = _multipart({"kind": "persons"}, [("file", make_xlsx(roster(3)), "花名册.xlsx")])
    status, dry, _ = a.call("POST", "/api/imports", token=a.login(world["staff"]), body=body, content_type=ctype)
    assert status == 201, dry
    assert dry["counts"]["created"] == 3
    status, applied, _ = b.call("POST", f"/api/imports/{dry['id']}/apply", token=b.login(world["staff"]), body=b"{}")
    assert status == 200, applied
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM person WHERE name LIKE '人员%'")) == 3
        assert conn.scalar(sa.text("SELECT status FROM importjob WHERE id = :id"), {"id": dry["id"]}) == "applied"
    engine.dispose()


def test_a_photo_checked_in_on_one_node_is_served_by_the_other(nodes, world, bucket):
    a, b = nodes
    fields = visit_fields(world["person"])
    fields["observations"] = json.dumps(fields["observations"])
    picture = photo(4242)
    body, ctype = _multipart(fields, [("photos", picture, "p.jpg")])
    status, visit, _ = a.call("POST", "/api/visits", token=a.login(world["caregiver"]), body=body, content_type=ctype)
    assert status == 201, visit
    url = visit["photos"][0]["url"]
    assert any(key.startswith("photos/") for key in bucket.keys())
    status, served_by_b, headers = b.call("GET", url, token=b.login(world["caregiver"]))  # the redirect, followed
    assert status == 200 and served_by_b[:3] == b"\xff\xd8\xff"  # a JPEG, from the bucket
    status, served_by_a, _ = a.call("GET", url, token=a.login(world["caregiver"]))
    assert served_by_a == served_by_b


# a `zhaoying` whose clock starts at the instant CLOCK_AT and runs at the wall clock's pace (the
# scheduler waits on real time); each process is started at the instant the others' clocks show
TRAVELLED = ("import datetime, os, time_machine; time_machine.travel(datetime.datetime.fromtimestamp("
             "float(os.environ['CLOCK_AT']), datetime.timezone.utc), tick=True).start(); "
             "from server.cli import main; main()")


def _scheduler(name: str, env: dict, tmp_path, clock_at: float) -> tuple[subprocess.Popen, Path]:
    instance = tmp_path / name
    instance.mkdir()
    log = tmp_path / f"{name}.log"
    with open(log, "w") as out:  # the child keeps its own handle
        process = subprocess.Popen([sys.executable, "-c", TRAVELLED, "scheduler", "--retry-seconds", "15"],
                                   env={**env, "INSTANCE_DIR": str(instance), "CLOCK_AT": str(clock_at)},
                                   stdout=out, stderr=subprocess.STDOUT)
    return process, log


def _wait_for(log: Path, text: str, deadline: float) -> float:
    while time.monotonic() < deadline:
        if text in log.read_text():
            return time.monotonic()
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {log.name}: {log.read_text()[-3000:]}")


def test_the_standby_scheduler_takes_over_from_a_killed_leader_and_runs_the_next_due_job_once(
        database_url, world, tmp_path, frozen_at):
    zone = ZoneInfo("Asia/Shanghai")
    # the next due job: the next day's reminders at 09:00 (REMINDER_HOUR's default); the schedulers'
    # clocks start 30 s before it and run at the wall clock's pace, told apart from nothing this
    # process's clock says (it is frozen), only from how long ago the first was started
    due = (frozen_at + timedelta(days=1)).astimezone(zone).replace(hour=9, minute=0, second=0, microsecond=0)
    # their clock is the test's, set by time_machine: not a libfaketime preload the run may have
    # (`faketime … make test`), under which a waiting APScheduler never wakes
    inherited = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME")}
    env = {**inherited, "DATABASE_URL": database_url, "SECRET_KEY": "several-machines", "PYTHONPATH": str(ROOT),
           "PYTHONUNBUFFERED": "1"}
    begun = time.monotonic()
    clock_at = lambda: (due - timedelta(seconds=30)).timestamp() + (time.monotonic() - begun)  # noqa: E731
    leader, leader_log = _scheduler("a", env, tmp_path, clock_at())
    standby = None
    try:
        _wait_for(leader_log, "caught up", begun + 30)
        standby, standby_log = _scheduler("b", env, tmp_path, clock_at())
        _wait_for(standby_log, "standby", begun + 30)
        leader.send_signal(signal.SIGKILL)  # no clean exit: the lock goes with the dead process's connection
        leader.wait(timeout=10)
        killed = time.monotonic()
        took_over = _wait_for(standby_log, "leader", killed + 60)
        engine = make_engine(database_url)
        day = due.date().isoformat()
        query = sa.select(JobRun.started_at).where(JobRun.job == "daily_reminders", JobRun.period == day)
        deadline = killed + 90
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                started = conn.execute(query).scalars().all()
            if started:
                break
            time.sleep(0.5)
        assert len(started) == 1, standby_log.read_text()[-3000:]
        assert due <= started[0] < due + timedelta(minutes=1)  # on time, by the scheduler's clock
        _wait_for(standby_log, "job daily_reminders at", deadline)  # logged once its delivery is done too
        assert "job daily_reminders at" not in leader_log.read_text()
        with engine.connect() as conn:  # every job's period claimed once, the month close by the first leader only
            assert conn.execute(sa.text("SELECT job, period FROM jobrun GROUP BY job, period HAVING count(*) > 1")
                                ).all() == []
            assert conn.scalar(sa.text("SELECT count(*) FROM jobrun WHERE job = 'month_close'")) == 1
        engine.dispose()
        print(f"standby took over {took_over - killed:.1f} s after the SIGKILL")
    finally:
        for process in (leader, standby):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)
