"""Issue 13 item 4: a slow request never starves the others. `zhaoying serve` runs gunicorn's
threaded workers, so one worker held by a slow client (a phone on a weak signal sending its
upload a byte at a time, or a long report) still answers everyone else at once."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "INSTANCE_DIR": str(tmp_path),
           "SECRET_KEY": "serve-test", "PYTHONPATH": str(ROOT)}
    zhaoying = [sys.executable, "-c", "from server.cli import main; main()"]
    subprocess.run([*zhaoying, "init"], env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen([*zhaoying, "serve", "--port", str(port), "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("zhaoying serve did not start")
    yield port, url
    server.terminate()
    server.wait(timeout=30)


def test_one_worker_held_by_a_slow_upload_still_answers_others(served):
    port, url = served
    slow = socket.create_connection(("127.0.0.1", port))
    try:
        # a body of 100 kB announced, ten bytes sent: the request's thread waits for the rest
        slow.sendall(b"POST /api/visits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n{\"a\": 1, ")
        time.sleep(0.5)
        started = time.monotonic()
        with urllib.request.urlopen(url + "/", timeout=10) as answer:
            assert answer.status == 200 and b"<html" in answer.read().lower()
        assert time.monotonic() - started < 5  # with a sync worker it waits for the slow client
    finally:
        slow.close()
