"""Load: locust, headless, against `zhaoying serve` on PostgreSQL with the demo loaded (seed 001,
2,700 people), with 1, 2 and 4 gunicorn workers, each for a fixed time and user count, beside a
floor measured in the same run: the same locust against a bare Flask endpoint returning a
constant JSON (bench/floor_app.py) under gunicorn with the same worker count.

The mix (bench/locust_zhaoying.py): caregivers (3 of 4 users) log in once, then GET
/api/me/progress, GET /api/notifications, POST /api/visits as phone calls (JSON) and home visits
(multipart, a small JPEG, GPS near the home); township staff log in once, then GET
/api/visits?status=exception, /api/coverage, /api/persons?q=…, /api/alerts.

For each worker count it prints requests/s, p50/p95/p99, failures, the ratio to the floor, then
the scaling 2/1 and 4/1 of both. Only 127.0.0.1. Needs locust: pip install -e '.[bench]'.

Run: .venv/bin/python bench/load.py [seconds] [users]        (default 30 s, 16 users)
     env: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres; the bench creates
          and drops bench_load_<pid> beside it), LOAD_WORKERS (1,2,4), LOAD_WAIT_S (0: no think
          time, a closed loop that saturates the server), LOAD_KEEP=1 keeps the database and folder
"""

from __future__ import annotations

import csv
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.scratch import drop_database, free_port, scratch_database  # noqa: E402
from server.demo import DEMO_PASSWORD  # noqa: E402
from server.migrate import upgrade  # noqa: E402

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        sys.exit(f"{path} is missing: pip install -e '.[bench]'")
    return str(path)








def world(url: str, path: Path) -> dict:
    """Who the locust users log in as, written for bench/locust_zhaoying.py."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        carers = conn.execute(sa.text("""
            SELECT u.username, p.id, p.home_lat, p.home_lon FROM careagreement a
            JOIN app_user u ON u.id = a.caregiver_id JOIN person p ON p.id = a.person_id
            WHERE a.status = 'active' AND u.is_active AND p.home_lat IS NOT NULL ORDER BY random() LIMIT 500""")).all()
        staff = conn.scalars(sa.text("""SELECT username FROM app_user WHERE role = 'township_staff' ORDER BY username""")).all()
        names = conn.scalars(sa.text("SELECT DISTINCT left(name, 2) FROM person ORDER BY 1 LIMIT 200")).all()
    engine.dispose()
    data = {"password": DEMO_PASSWORD, "staff": list(staff), "names": list(names) + ["王", "李", "张", "刘"],
            "caregivers": [{"username": u, "person_id": p, "lat": lat, "lon": lon} for u, p, lat, lon in carers]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


def wait_ready(proc: subprocess.Popen, port: int, path: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}); see {log}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            c.getresponse().read()
            c.close()
            return
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"server on {port} did not start; see {log}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def serve_ours(workers: int, env: dict, tmp: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = tmp / f"serve-{workers}.log"
    proc = subprocess.Popen([tool("zhaoying"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                            env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    wait_ready(proc, port, "/api/quotas", log)
    return proc, port


def serve_floor(workers: int, env: dict, tmp: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn as `zhaoying serve` configures it: sync workers, access log to stdout."""
    port = free_port()
    log = tmp / f"floor-{workers}.log"
    proc = subprocess.Popen([tool("gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--access-logfile", "-",
                             "--timeout", "120", "floor_app:app"],
                            env={**env, "PYTHONPATH": f"{BENCH}{os.pathsep}{env['PYTHONPATH']}"}, cwd=BENCH,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    wait_ready(proc, port, "/floor", log)
    return proc, port


def run_locust(port: int, classes: list[str], users: int, seconds: int, tmp: Path, label: str, env: dict) -> dict:
    prefix = tmp / label
    cmd = [tool("locust"), "-f", str(BENCH / "locust_zhaoying.py"), "--headless", "-u", str(users), "-r", str(users),
           "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
           "--loglevel", "WARNING", "--stop-timeout", "5", *classes]
    with (tmp / f"{label}.out").open("wb") as out:
        subprocess.run(cmd, check=False, env=env, cwd=BENCH, stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as f:
        rows = {r["Name"]: r for r in csv.DictReader(f)}
    return {"rows": rows, **stats(rows["Aggregated"])}


def stats(row: dict) -> dict:
    return {"rps": float(row["Requests/s"]), "n": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "p50": float(row["50%"]), "p95": float(row["95%"]), "p99": float(row["99%"])}


def line(label: str, s: dict) -> str:
    return (f"{label:<34} {s['rps']:8.1f} req/s  p50 {s['p50']:6.0f}  p95 {s['p95']:6.0f}  p99 {s['p99']:6.0f} ms"
            f"  {s['n']:6d} req  {s['failures']} failed")


def main(seconds: int = 30, users: int = 16) -> int:
    worker_counts = [int(w) for w in os.environ.get("LOAD_WORKERS", "1,2,4").split(",")]
    keep = os.environ.get("LOAD_KEEP") == "1"
    tmp = Path(tempfile.mkdtemp(prefix="zhaoying-load-"))
    admin, url = scratch_database("bench_load")
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(tmp), "MEDIA_DIR": str(tmp / "media"),
           "SECRET_KEY": "load-bench", "LOAD_WORLD": str(tmp / "world.json"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    where = subprocess.run([sys.executable, "-c", "import server; print(server.__file__)"], env=env, cwd=tmp,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not where.startswith(str(ROOT)):
        sys.exit(f"the server would import {where}, not {ROOT}: set PYTHONPATH")
    failed = 0
    try:
        t = time.monotonic()
        upgrade(url=url)
        subprocess.run([tool("zhaoying"), "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        w = world(url, tmp / "world.json")
        print(f"load: locust {users} users (3 caregivers : 1 staff), {seconds} s per run, think time "
              f"{os.environ.get('LOAD_WAIT_S', '0')} s, `zhaoying serve` on PostgreSQL {url.rsplit('/', 1)[1]} "
              f"(demo seed 001: {len(w['caregivers'])} caregivers sampled, {len(w['staff'])} staff; set up in "
              f"{time.monotonic() - t:.0f} s), server code {Path(where).parent}")
        print(f"machine: {os.cpu_count()} cores, shared with PostgreSQL and locust itself: expect the scaling to "
              f"flatten past 2 workers; read the ratios, not the absolute numbers")
        results = {}
        for workers in worker_counts:
            proc, port = serve_floor(workers, env, tmp)
            try:
                floor = run_locust(port, ["FloorUser"], users, seconds, tmp, f"floor-{workers}", env)
            finally:
                stop(proc)
            proc, port = serve_ours(workers, env, tmp)
            try:
                ours = run_locust(port, ["CaregiverUser", "StaffUser"], users, seconds, tmp, f"ours-{workers}", env)
            finally:
                stop(proc)
            results[workers] = (floor, ours)
            failed += ours["failures"] + floor["failures"]
            print(f"\n{workers} worker{'s' if workers > 1 else ''}")
            print(line("  floor (bare Flask, constant JSON)", floor))
            print(line("  ours (the mix)", ours) + f"  ratio {ours['rps'] / floor['rps']:.1%} of floor")
            for name, row in sorted(ours["rows"].items()):
                if name != "Aggregated":
                    print(line(f"    {name}", stats(row)))
        if 1 in results:
            print("\nscaling (req/s relative to 1 worker)")
            for workers in worker_counts:
                if workers != 1:
                    f1, o1 = results[1]
                    fw, ow = results[workers]
                    print(f"  {workers}/1: ours {ow['rps'] / o1['rps']:.2f}×   floor {fw['rps'] / f1['rps']:.2f}×")
        print("\nfailures: " + (str(failed) if failed else "none"))
        return 1 if failed else 0
    finally:
        if keep:
            print(f"kept: {url} and {tmp}")
        else:
            drop_database(admin, url)
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(*[int(a) for a in sys.argv[1:3]]))
