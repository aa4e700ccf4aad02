"""Fault replay: N photo check-ins through `zhaoying serve --workers 4` on PostgreSQL while a chaos
thread kill -9s random gunicorn workers and the clients cut connections mid-upload or give up
on a reply after a few milliseconds. Every check-in is resent by its client, same client_id and
same bytes (as the PWA's outbox does), until it is answered 200 or 201.

At the end it checks: exactly N visits stored (one per client_id), none lost, each with its one
photo row, every photo row's files on disk, and no file in MEDIA_DIR that no photo row refers to
(an orphan, or a ``.part`` left by a killed write). It prints the counts of kills, cut
connections and retries, and exits non-zero when a check fails or the run overruns its time.

It creates its own database (bench_replay_<pid>) beside DATABASE_URL's and drops it afterwards,
and serves on a free loopback port with INSTANCE_DIR and MEDIA_DIR in a temporary folder.

Run: .venv/bin/python bench/fault_replay.py [N]      (default N=1000)
     env: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres), REPLAY_CLIENTS (8),
          REPLAY_TIMEOUT_S (600), REPLAY_KILL_EVERY_S (1.0), REPLAY_KEEP=1 keeps the database and folder
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.pictures import jpeg  # noqa: E402
from bench.scratch import drop_database, free_port, scratch_database  # noqa: E402
from server.auth.models import User  # noqa: E402
from server.auth.service import issue_token  # noqa: E402
from server.care.models import CareAgreement  # noqa: E402
from server.db import make_engine  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.people import idnumber  # noqa: E402
from server.people.models import Person  # noqa: E402
from server.photos.storage import PhotoStore  # noqa: E402
from server.places import service as places  # noqa: E402

HOME = (42.3, 119.9)
PERSONS_PER_CAREGIVER = 3
CUT_UPLOAD = 0.10  # share of attempts that close the socket part-way through the body
CUT_REPLY = 0.05  # share of attempts that send it all, then give up on the reply after a few ms


# --------------------------------------------------------------------------- setup





@dataclass
class Carer:
    token: str
    persons: list[int]


def seed(url: str, caregivers: int) -> list[Carer]:
    """A district, a township, two villages, and caregivers each with persons under agreement
    whose confirmed home is at HOME."""
    upgrade(url=url)
    engine = make_engine(url)
    out = []
    with Session(engine) as s:
        d = places.create(s, actor=None, name="故障旗", level="district")
        t = places.create(s, actor=None, name="故障镇", level="township", parent_id=d.id)
        villages = [places.create(s, actor=None, name=f"故障{k}村", level="village", parent_id=t.id) for k in (1, 2)]
        signed = date.today() - timedelta(days=60)
        serial = 0
        for k in range(caregivers):
            village = villages[k % 2]
            u = User(username=f"replay{k:02d}", password_hash="x", role="caregiver", display_name=f"照料人{k}",
                     place_id=village.id)
            s.add(u)
            s.flush()
            persons = []
            for j in range(PERSONS_PER_CAREGIVER):
                serial += 1
                born = date(1940 + serial % 20, 1 + serial % 12, 1 + serial % 28)
                p = Person(name=f"对象{k}-{j}", sex="M", birth_date=born,
                           id_number=idnumber.make("150430", born, serial % 499 + 1, "M"), self_care_level="self_care",
                           village_id=village.id, home_lat=HOME[0], home_lon=HOME[1], home_location_state="confirmed")
                s.add(p)
                s.flush()
                s.add(CareAgreement(person_id=p.id, caregiver_id=u.id, relation="relative", signed_on=signed,
                                    start_on=signed))
                persons.append(p.id)
            out.append(Carer(token=issue_token(s, user=u, ttl=timedelta(hours=3)).token, persons=persons))
        s.commit()
    engine.dispose()
    return out




@dataclass
class Item:
    client_id: str
    carer: int
    body: bytes
    content_type: str
    attempts: int = 0
    status: int | None = None
    error: str = ""


def make_item(i: int, carer: int, person_id: int, rng: random.Random) -> Item:
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=40)
    fields = {
        "client_id": str(uuid.uuid4()), "person_id": person_id, "mode": "home",
        "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=30)).isoformat(),
        "lat": HOME[0] + rng.uniform(-0.0004, 0.0004), "lon": HOME[1] + rng.uniform(-0.0004, 0.0004),
        "accuracy_m": 15, "services": ["home_cleaning", "regular_meals"],
        "observations": {"health": "well", "living_environment": "clean", "mood": "good"},
    }
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        values = value if key == "services" else [json.dumps(value, ensure_ascii=False) if key == "observations" else str(value)]
        for v in values:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + jpeg(i) + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return Item(client_id=fields["client_id"], carer=carer, body=b"".join(parts),
                content_type=f"multipart/form-data; boundary={boundary}")


# --------------------------------------------------------------------------- the server



def server_command() -> list[str]:
    script = Path(sys.executable).parent / "zhaoying"
    return [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]


def check_import_path(env: dict) -> str:
    """The server must run this checkout's code, not the editable install's."""
    where = subprocess.run([sys.executable, "-c", "import server; print(server.__file__)"], env=env, cwd=tempfile.gettempdir(),
                           capture_output=True, text=True, check=True).stdout.strip()
    if not where.startswith(str(ROOT)):
        sys.exit(f"the server would import {where}, not {ROOT}: set PYTHONPATH")
    return where


def start_server(port: int, env: dict, log: Path, workers: int = 4) -> subprocess.Popen:
    proc = subprocess.Popen([*server_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                            env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"zhaoying serve exited ({proc.returncode}); see {log}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/api/quotas")
            c.getresponse().read()
            c.close()
            if len(workers_of(proc.pid)) >= workers:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("zhaoying serve did not start")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def workers_of(master: int) -> list[int]:
    """The gunicorn workers: the master's children, read from /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                out.append(int(entry))
    return out


# --------------------------------------------------------------------------- clients and chaos

@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    kills: int = 0
    cut_uploads: int = 0
    cut_replies: int = 0
    retries: int = 0
    outcomes: Counter = field(default_factory=Counter)  # what each attempt met

    def add(self, **kw):
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)

    def met(self, what: str):
        with self.lock:
            self.outcomes[what] += 1


def attempt(port: int, item: Item, token: str, rng: random.Random, tally: Tally) -> int | None:
    """One send; the status, or None when there was no answer (cut by us or by a dead worker)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": item.content_type, "Accept-Language": "en",
               "X-Device-Time": datetime.now(timezone.utc).isoformat()}
    roll = rng.random()
    if roll < CUT_UPLOAD:
        # close the socket after part of the body, as a phone losing its signal mid-upload
        head = (f"POST /api/visits HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(item.body)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(head + item.body[: rng.randrange(1, len(item.body))])
        except OSError:
            pass
        tally.add(cut_uploads=1)
        tally.met("cut upload")
        return None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/api/visits", body=item.body, headers=headers)
        if roll < CUT_UPLOAD + CUT_REPLY:
            # everything sent; the phone gives up before the answer comes (the server may store it)
            conn.sock.settimeout(rng.uniform(0.001, 0.05))
        r = conn.getresponse()
        body = r.read()
        tally.met(str(r.status))
        if r.status >= 400:
            item.error = f"{r.status} {body[:300]!r}"
        return r.status
    except TimeoutError:
        tally.add(cut_replies=1)
        tally.met("cut reply")
        return None
    except (OSError, http.client.HTTPException) as exc:
        tally.met(type(exc).__name__)  # a worker killed under the request
        return None
    finally:
        conn.close()


def client(port: int, items: list[Item], carers: list[Carer], tally: Tally, deadline: float, seed_: int) -> None:
    rng = random.Random(seed_)
    for item in items:
        while time.monotonic() < deadline:
            item.attempts += 1
            status = attempt(port, item, carers[item.carer].token, rng, tally)
            if status in (200, 201):
                item.status = status
                break
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                item.status = status  # refused: resending the same body will not help
                break
            tally.add(retries=1)
            time.sleep(rng.uniform(0.02, 0.2))  # the outbox's backoff, shortened


def chaos(master: int, every: float, tally: Tally, stop: threading.Event, seed_: int) -> None:
    rng = random.Random(seed_)
    while not stop.wait(rng.uniform(0.5 * every, 1.5 * every)):
        pids = workers_of(master)
        if pids:
            try:
                os.kill(rng.choice(pids), signal.SIGKILL)
                tally.add(kills=1)
            except ProcessLookupError:
                pass


# --------------------------------------------------------------------------- checks

def check(url: str, media: Path, items: list[Item]) -> tuple[list[tuple[str, object, bool]], list[str]]:
    engine = make_engine(url)
    ids = [i.client_id for i in items]
    with engine.connect() as conn:
        visits = conn.execute(sa.text("SELECT id, client_id FROM visit")).all()
        photos = conn.execute(sa.text("SELECT visit_id, sha256 FROM visitphoto")).all()
    engine.dispose()
    per_client = Counter(v.client_id for v in visits)
    ours = set(ids)
    stored = sum(1 for c in per_client if c in ours)
    duplicates = sum(n - 1 for n in per_client.values() if n > 1)
    strangers = sum(1 for c in per_client if c not in ours)
    lost = len(ours - set(per_client))
    photos_per_visit = Counter(p.visit_id for p in photos)
    without_photo = sum(1 for v in visits if photos_per_visit[v.id] == 0)
    extra_photo_rows = sum(n - 1 for n in photos_per_visit.values() if n > 1)
    store = PhotoStore(media)
    expected = {store.path(p.sha256, thumb=t) for p in photos for t in (False, True)}
    on_disk = {p for p in media.rglob("*") if p.is_file()} if media.exists() else set()
    orphans = sorted(on_disk - expected)
    missing = sorted(expected - on_disk)
    refused = [f"{i.client_id}: {i.error}" for i in items if i.status not in (200, 201)]
    rows = [
        ("check-ins sent (N)", len(items), True),
        ("visits stored", len(visits), len(visits) == len(items)),
        ("client_ids stored", stored, stored == len(items)),
        ("duplicates", duplicates, duplicates == 0),
        ("lost", lost, lost == 0),
        ("visits not ours", strangers, strangers == 0),
        ("check-ins never answered 200/201", len(refused), not refused),
        ("visits without a photo row", without_photo, without_photo == 0),
        ("extra photo rows", extra_photo_rows, extra_photo_rows == 0),
        ("photo files missing", len(missing), not missing),
        ("orphan files in MEDIA_DIR", len(orphans), not orphans),
    ]
    notes = [f"orphan: {p}" for p in orphans[:5]] + [f"missing: {p}" for p in missing[:5]] + refused[:5]
    return rows, notes


# --------------------------------------------------------------------------- main

def main(n: int = 1000) -> int:
    clients = int(os.environ.get("REPLAY_CLIENTS", "8"))
    budget = float(os.environ.get("REPLAY_TIMEOUT_S", "600"))
    kill_every = float(os.environ.get("REPLAY_KILL_EVERY_S", "1.0"))
    keep = os.environ.get("REPLAY_KEEP") == "1"
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="zhaoying-replay-"))
    media = tmp / "media"
    admin, url = scratch_database("bench_replay")
    proc = None
    try:
        carers = seed(url, clients)
        rng = random.Random(14)
        items = [make_item(i, i % clients, carers[i % clients].persons[(i // clients) % PERSONS_PER_CAREGIVER], rng)
                 for i in range(n)]
        env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(tmp), "MEDIA_DIR": str(media),
               "SECRET_KEY": "fault-replay", "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        where = check_import_path(env)
        port = free_port()
        proc = start_server(port, env, tmp / "serve.log")
        print(f"fault replay: {n} photo check-ins, {clients} clients, `zhaoying serve --workers 4` on 127.0.0.1:{port}, "
              f"database {url.rsplit('/', 1)[1]}, server code {Path(where).parent}")
        print(f"machine: {os.cpu_count()} cores; kill -9 a worker every ~{kill_every:g} s; "
              f"{CUT_UPLOAD:.0%} of attempts cut mid-upload, {CUT_REPLY:.0%} give up on the reply")

        tally = Tally()
        deadline = t0 + budget
        stop = threading.Event()
        monkey = threading.Thread(target=chaos, args=(proc.pid, kill_every, tally, stop, 99), daemon=True)
        threads = [threading.Thread(target=client, args=(port, items[k::clients], carers, tally, deadline, k), daemon=True)
                   for k in range(clients)]
        started = time.monotonic()
        monkey.start()
        for th in threads:
            th.start()
        for th in threads:
            th.join(max(0.0, deadline - time.monotonic()) + 5)
        stop.set()
        monkey.join()
        elapsed = time.monotonic() - started
        overran = any(th.is_alive() for th in threads) or time.monotonic() > deadline
        stop_server(proc)
        proc = None
        time.sleep(0.5)

        rows, notes = check(url, media, items)
        attempts = sum(i.attempts for i in items)
        print(f"sent in {elapsed:.1f} s: {attempts} attempts ({attempts / elapsed:.1f}/s)")
        print(f"  worker kills (kill -9)     {tally.kills}")
        print(f"  cut mid-upload             {tally.cut_uploads}")
        print(f"  cut before the reply       {tally.cut_replies}")
        print(f"  retries                    {tally.retries}")
        print(f"  answers met per attempt    {dict(sorted(tally.outcomes.items()))}")
        print(f"  answered 201 / 200 (replay) {sum(i.status == 201 for i in items)} / {sum(i.status == 200 for i in items)}")
        ok = not overran
        for label, value, good in rows:
            ok &= good
            print(f"  {'ok  ' if good else 'FAIL'} {label:<34} {value}")
        if overran:
            print(f"  FAIL did not finish within {budget:g} s")
        for note in notes:
            print(f"       {note}")
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if proc is not None:
            stop_server(proc)
        if keep:
            print(f"kept: {url} and {tmp}")
        else:
            drop_database(admin, url)
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(*[int(a) for a in sys.argv[1:2]]))
