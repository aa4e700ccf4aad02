"""A burst of check-ins with big photos (issue 30 M4): 16 at once, each with three 16 MP PNGs, on
`zhaoying serve --workers 4` (threaded, eight threads a worker) over SQLite; the workers' RSS summed
before, at its peak (sampled every 50 ms) and after. The floor, measured in the same run, is the
same burst with three 1 MP PNGs.

    bench/photo_burst.py [CHECK_INS] [WORKERS]

Not part of `make test`.
"""

from __future__ import annotations

import io
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from PIL import Image, ImageDraw  # noqa: E402

from checkin_throughput import seed  # noqa: E402


def png(width: int, height: int) -> bytes:
    im = Image.new("RGB", (width, height), (200, 220, 210))
    draw = ImageDraw.Draw(im)
    rnd = random.Random(width)
    for _ in range(200):  # a few strokes: it stays small packed, as the probe's (169 KB) did
        draw.line([(rnd.randrange(width), rnd.randrange(height)) for _ in range(2)], fill=(40, 80, 60), width=9)
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def workers_rss(master: int) -> int:
    """The summed VmRSS of the master's children, in KB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                for line in (stat.parent / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total


def multipart(fields: dict, photos: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for i, data in enumerate(photos):
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p{i}.png"\r\n'
                  f"Content-Type: image/png\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def burst(port: int, token: str, person_id: int, photo: bytes, n: int, master: int) -> tuple[int, int, list[int]]:
    peak, stop, statuses = [0], threading.Event(), []

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], workers_rss(master))
            time.sleep(0.05)

    def check_in():
        start = datetime.now(timezone.utc) - timedelta(minutes=30)
        body, ctype = multipart({"client_id": str(uuid.uuid4()), "person_id": person_id, "mode": "home",
                                 "started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=20)).isoformat(),
                                 "lat": 42.3, "lon": 119.9, "accuracy_m": 10, "services": '["wellbeing_call"]',
                                 "observations": '{"health": "well", "mood": "good"}'}, [photo] * 3)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/visits", data=body, method="POST",
                                     headers={"Content-Type": ctype, "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                statuses.append(r.status)
        except urllib.error.HTTPError as e:
            statuses.append(e.code)

    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [threading.Thread(target=check_in) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(1)
    stop.set()
    sampler.join()
    return peak[0], workers_rss(master), statuses


def main(n: int = 16, workers: int = 4) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="zhaoying-burst-"))
    url = f"sqlite:///{tmp / 'burst.db'}"
    token, person_id = seed(url)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(tmp), "SECRET_KEY": "bench", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([str(ROOT / ".venv/bin/zhaoying"), "serve", "--workers", str(workers), "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        small, big = png(1000, 1000), png(4000, 4000)
        burst(port, token, person_id, small, workers * 2, server.pid)  # warm every worker
        base = workers_rss(server.pid)
        floor_peak, floor_after, floor_status = burst(port, token, person_id, small, n, server.pid)
        before = workers_rss(server.pid)
        peak, after, statuses = burst(port, token, person_id, big, n, server.pid)
    finally:
        server.terminate()
        server.wait()
    mb = lambda kb: kb / 1024  # noqa: E731
    print(f"{n} check-ins at once, 3 photos each, {workers} workers × 8 threads; workers' RSS {mb(base):.0f} MB at rest")
    print(f"floor  3 × 1 MP PNG ({len(small) // 1024} KB each): peak +{mb(floor_peak - base):.0f} MB, "
          f"after +{mb(floor_after - base):.0f} MB, answers {sorted(set(floor_status))}")
    print(f"burst  3 × 16 MP PNG ({len(big) // 1024} KB each): peak +{mb(peak - before):.0f} MB, "
          f"after +{mb(after - before):.0f} MB, answers {sorted(set(statuses))}; "
          f"peak growth {(peak - before) / max(1, floor_peak - base):.1f}× the floor's")


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:3]])
