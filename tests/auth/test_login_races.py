"""The login limits under concurrency: many requests at once against a live threaded server on
a real database (a SQLite file, or a PostgreSQL database of its own), each committing, which
the transactional fixtures cannot show. The hasher counts the real password checks; each check
is slowed a little so that the requests overlap."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session
from werkzeug.serving import make_server

from server import create_app
from server.auth.models import User
from server.db import Database
from server.places import service as places
from tests.scratchdb import scratch_database

PASSWORD = "right-password"


class CountingHasher(PasswordHasher):
    """The app's hasher, counting (and slowing) every verify."""

    def __init__(self, delay: float = 0.15):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.delay = delay
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        with self._lock:
            self.checks += 1
        time.sleep(self.delay)
        return super().verify(hash, password)


@pytest.fixture(scope="module")
def live_url(tmp_path_factory):
    with scratch_database(tmp_path_factory, "races") as url:
        yield url


@pytest.fixture
def live(live_url, tmp_path):
    database = Database(live_url)
    hasher = CountingHasher()
    with Session(database.engine) as s:
        for table in ("loginfailure", "authtoken", "app_user", "place"):
            s.execute(sa.text(f"DELETE FROM {table}"))
        d = places.create(s, actor=None, name="测试旗", level="district")
        town = places.create(s, actor=None, name="甲镇", level="township", parent_id=d.id)
        s.add(User(username="13900000009", password_hash=hasher.hash(PASSWORD), role="caregiver",
                   display_name="王照料", place_id=town.id))
        s.commit()
    app = create_app({"DATABASE": database, "SECRET_KEY": "races", "INSTANCE_DIR": str(tmp_path),
                      "MEDIA_DIR": str(tmp_path / "media"), "VAPID_PRIVATE_KEY": "", "ARGON2_TIME_COST": 1,
                      "ARGON2_MEMORY_KIB": 8})
    app.extensions["zhaoying.hasher"] = hasher
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.hasher = hasher
    server.app = app
    server.database = database
    yield server
    server.shutdown()
    server.server_close()
    thread.join()
    database.engine.dispose()


def post_login(url: str, username: str, password: str) -> tuple[int, dict]:
    body = json.dumps({"username": username, "password": password}).encode()
    req = urllib.request.Request(f"{url}/api/auth/login", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def at_once(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_wrong_passwords_check_at_most_the_allowance(live):
    results = at_once(19, lambda i: post_login(live.url, "13900000009", f"wrong-{i}"))
    answers = Counter((status, body["reason"]) for status, body in results)
    print(f"19 concurrent wrong passwords: {live.hasher.checks} password checks; answers {dict(answers)}")
    assert live.hasher.checks <= 5
    assert answers[(401, "bad_credentials")] <= 4
    assert answers[(429, "account_locked")] >= 15
    assert sum(answers.values()) == 19
    # the account is locked now: even the right password is refused, without a check
    checks = live.hasher.checks
    status, body = post_login(live.url, "13900000009", PASSWORD)
    assert (status, body["reason"]) == (429, "account_locked")
    assert live.hasher.checks == checks


def test_concurrent_guesses_from_one_address_stop_at_the_limit(live):
    # 30 different unknown usernames, so only the address limit (20 in 15 minutes) applies
    results = at_once(30, lambda i: post_login(live.url, f"guess{i:03d}", "wrong"))
    answers = Counter((status, body["reason"]) for status, body in results)
    print(f"30 concurrent guesses from one address: {answers[(401, 'bad_credentials')]} got through, "
          f"{live.hasher.checks} password checks; answers {dict(answers)}")
    assert answers[(401, "bad_credentials")] == 20
    assert answers[(429, "address_throttled")] == 10
    assert live.hasher.checks == 20
    with live.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM loginfailure")) == 20


def test_concurrent_guesses_at_an_unknown_username_lock_like_an_account(live):
    results = at_once(12, lambda i: post_login(live.url, "13900000077", f"wrong-{i}"))
    answers = Counter((status, body["reason"]) for status, body in results)
    assert live.hasher.checks == 5
    assert answers == {(401, "bad_credentials"): 4, (429, "account_locked"): 8}


class ConcurrencyHasher(CountingHasher):
    """Counts the password checks running at the same moment, and the most ever."""

    def __init__(self):
        super().__init__(delay=0.1)
        self.running = self.most = 0

    def verify(self, hash, password):  # noqa: A002
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


def test_simultaneous_right_passwords_neither_lock_nor_fail(live):
    """Issue 30 M1: six logins at once with the right password locked the account for 15 minutes."""
    results = at_once(8, lambda i: post_login(live.url, "13900000009", PASSWORD))
    assert [status for status, _ in results] == [200] * 8
    assert all(body["access_token"] for _, body in results)
    with Session(live.database.engine) as s:
        user = s.scalar(sa.select(User).where(User.username == "13900000009"))
        assert (user.failed_logins, user.locked_until) == (0, None)
        assert s.scalar(sa.text("SELECT count(*) FROM loginfailure")) == 0
    status, _ = post_login(live.url, "13900000009", PASSWORD)
    assert status == 200


def test_right_passwords_beside_wrong_ones_are_not_refused(live):
    results = at_once(9, lambda i: post_login(live.url, "13900000009", PASSWORD if i % 3 else f"wrong-{i}"))
    answers = Counter((status, body.get("reason")) for status, body in results)
    assert answers[(200, None)] == 6
    assert answers[(401, "bad_credentials")] == 3


def test_forty_caregivers_behind_one_address_all_log_in(live):
    """Issue 30 M2: 40 right logins at once from one address (a township office's NAT) met 429s."""
    with Session(live.database.engine) as s:
        town = s.scalar(sa.text("SELECT id FROM place WHERE level = 'township'"))
        digest = live.hasher.hash(PASSWORD)
        s.add_all([User(username=f"1380000{i:04d}", password_hash=digest, role="caregiver", display_name=f"照料{i}",
                        place_id=town) for i in range(40)])
        s.commit()
    results = at_once(40, lambda i: post_login(live.url, f"1380000{i:04d}", PASSWORD))
    assert Counter(status for status, _ in results) == {200: 40}
    with live.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM loginfailure")) == 0
    # and failures still count: the address's allowance is whole for guesses afterwards
    results = at_once(25, lambda i: post_login(live.url, f"guess{i:03d}", "wrong"))
    assert Counter(status for status, _ in results) == {401: 20, 429: 5}


def test_a_process_checks_a_bounded_number_of_passwords_at_once(live):
    """Issue 30 L13: argon2 holds its memory cost (64 MiB) per running hash; a burst of logins on a
    worker's threads ran them all at once."""
    from server.auth.service import HASH_THREADS

    hasher = ConcurrencyHasher()
    live.app.extensions["zhaoying.hasher"] = hasher
    results = at_once(12, lambda i: post_login(live.url, f"nobody{i:02d}", "wrong"))
    assert Counter(status for status, _ in results) == {401: 12}
    assert hasher.checks == 12
    assert 1 <= hasher.most <= HASH_THREADS
