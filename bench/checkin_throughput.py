"""Check-in throughput without photos, several concurrent clients, as a ratio to a bare Flask +
SQLAlchemy insert endpoint (bench/bare_app.py) measured beside it, both served by gunicorn on
loopback against the same SQLite file (or DATABASE_URL). Target: ≥ 50 %.

Run: .venv/bin/python bench/checkin_throughput.py [requests-per-client] [clients]
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from server.auth.models import User  # noqa: E402
from server.auth.service import issue_token  # noqa: E402
from server.care.models import CareAgreement  # noqa: E402
from server.db import make_engine  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.people import idnumber  # noqa: E402
from server.people.models import Person  # noqa: E402
from server.places import service as places  # noqa: E402


def seed(url: str) -> tuple[str, int]:
    upgrade(url=url)
    engine = make_engine(url)
    with Session(engine) as s:
        d = places.create(s, actor=None, name=f"基准旗{uuid.uuid4().hex[:4]}", level="district")
        t = places.create(s, actor=None, name="基准镇", level="township", parent_id=d.id)
        v = places.create(s, actor=None, name="基准村", level="village", parent_id=t.id)
        u = User(username=f"bench{uuid.uuid4().hex[:8]}", password_hash="x", role="caregiver", display_name="基准", place_id=v.id)
        s.add(u)
        s.flush()
        born = datetime(1950, 1, 1).date()
        p = Person(name="基准人", sex="M", birth_date=born, id_number=idnumber.make("159901", born, uuid.uuid4().int % 499 + 1, "M"),
                   self_care_level="self_care", village_id=v.id, home_lat=42.3, home_lon=119.9, home_location_state="confirmed",
                   enrolled_on=born)
        s.add(p)
        s.flush()
        s.add(CareAgreement(person_id=p.id, caregiver_id=u.id, relation="relative", signed_on=born, start_on=born))
        token = issue_token(s, user=u, ttl=timedelta(hours=2)).token
        s.commit()
        person_id = p.id
    engine.dispose()
    return token, person_id


def serve(app_spec: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", os.environ.get("BENCH_WORKERS", "2"), "-k", "gthread", "--threads", os.environ.get("BENCH_THREADS", "4"), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app_spec],
        cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"},
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{app_spec} did not start")


def hammer(port: int, path: str, headers: dict, body_for, per_client: int, clients: int) -> float:
    """Requests per second over ``clients`` keep-alive connections."""
    errors: list[str] = []

    def client(k: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(per_client):
            conn.request("POST", path, body=json.dumps(body_for()), headers={"Content-Type": "application/json", **headers})
            r = conn.getresponse()
            r.read()
            if r.status != 201:
                errors.append(f"{r.status}")
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    return per_client * clients / elapsed


def main(per_client: int = 150, clients: int = 6) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="zhaoying-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    token, person_id = seed(url)
    env = {"DATABASE_URL": url, "INSTANCE_DIR": str(tmp), "SECRET_KEY": "bench"}

    def visit():
        start = datetime.now(timezone.utc) - timedelta(minutes=20)
        return {"client_id": str(uuid.uuid4()), "person_id": person_id, "mode": "phone", "started_at": start.isoformat(),
                "ended_at": (start + timedelta(minutes=10)).isoformat(), "services": ["wellbeing_call"],
                "observations": {"health": "well", "mood": "good"}}

    bare = serve("bare_app:create_app()", 8711, env)
    ours = serve("server:create_app()", 8712, env)
    try:
        hammer(8711, "/bare", {}, visit, 20, clients)  # warm up
        hammer(8712, "/api/visits", {"Authorization": f"Bearer {token}"}, visit, 20, clients)
        floor_runs, our_runs = [], []
        for _ in range(5):  # interleaved rounds
            floor_runs.append(hammer(8711, "/bare", {}, visit, per_client, clients))
            our_runs.append(hammer(8712, "/api/visits", {"Authorization": f"Bearer {token}"}, visit, per_client, clients))
    finally:
        bare.terminate()
        ours.terminate()
        bare.wait()
        ours.wait()
    f, o = statistics.median(floor_runs), statistics.median(our_runs)
    engine = url.split(":")[0]
    print(f"check-in without photos, {clients} clients × {per_client} requests, gunicorn 2×4 threads, {engine}")
    print(f"floor (bare Flask + SQLAlchemy insert): {f:.0f} req/s")
    print(f"ours  (POST /api/visits, verified):     {o:.0f} req/s   ratio {o / f:.0%} of floor (target ≥ 50%)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
