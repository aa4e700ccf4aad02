"""Reminder fan-out to N Web Push subscriptions (default 10,000), as a ratio to plain HTTP POSTs
of the same size to the same local receiver, with the same pool of threads and reused sessions.
Target: ≥ 70 %. The receiver runs in its own process and answers 201 without decrypting.

Run: .venv/bin/python bench/push_fanout.py [N]
"""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from server.notify.channels import (  # noqa: E402
    EndpointPolicy,
    PushTarget,
    WebPushSender,
    generate_vapid_pem,
    vapid_from,
)
from tests.notify.receivers import Subscriber  # noqa: E402

RECEIVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(201); self.send_header("Content-Length", "0"); self.end_headers()
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""

WORKERS = 16


def main(n: int = 10_000) -> None:
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
    port = int(receiver.stdout.readline())
    base = f"http://127.0.0.1:{port}"
    try:
        # a few distinct subscribers, reused: key generation is the browser's cost, not ours
        subs = [Subscriber() for _ in range(50)]
        targets = [PushTarget(i, f"{base}/push/{i}", **subs[i % 50].keys()) for i in range(n)]
        payload = {"title": "本月走访提醒", "body": "请尽快上门看望：李秀英（本月0/4次）", "url": "/#/home", "id": 1,
                   "urgent": False}
        sender = WebPushSender(vapid_from(generate_vapid_pem()), subject="mailto:bench@zhaoying.invalid", ttl=86400,
                               timeout=10, workers=WORKERS,
                               endpoints=EndpointPolicy(hosts=("127.0.0.1",), allow_loopback=True))
        body = b"x" * 230  # about the size of an encrypted reminder

        sessions: dict[int, requests.Session] = {}

        def plain(i):
            import threading

            s = sessions.setdefault(threading.get_ident(), requests.Session())
            r = s.post(f"{base}/push/{i}", data=body, headers={"TTL": "86400", "Content-Encoding": "aes128gcm"},
                       timeout=10)
            return r.status_code

        def run_plain():
            with ThreadPoolExecutor(WORKERS) as pool:
                return list(pool.map(plain, range(n)))

        def run_ours():
            return sender.send_many([(t, payload, False, "reminder") for t in targets])

        run_plain()  # warm up connections
        sender.send_many([(t, payload, False, "reminder") for t in targets[:200]])
        floor_times, our_times = [], []
        for _ in range(2):
            t = time.perf_counter()
            codes = run_plain()
            floor_times.append(time.perf_counter() - t)
            assert set(codes) == {201}
            t = time.perf_counter()
            results = run_ours()
            our_times.append(time.perf_counter() - t)
            assert {r.status for r in results} == {"sent"}, {r.status for r in results}
        f, o = min(floor_times), min(our_times)
        print(f"fan-out to {n} subscriptions, {WORKERS} threads, receiver in its own process")
        print(f"floor (plain HTTP POSTs):                {n / f:.0f}/s")
        print(f"ours  (encrypt + VAPID + POST, pywebpush): {n / o:.0f}/s   ratio {f / o:.0%} of floor (target ≥ 70%)")
    finally:
        receiver.terminate()
        receiver.wait()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
