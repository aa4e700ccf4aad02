"""The locust users of bench/load.py (run headless by it; never against anything but 127.0.0.1).

Caregivers log in once, then read their progress and inbox and check in: phone visits as JSON
(mode="phone", no photo) and home visits as multipart with a small JPEG, GPS near the person's
home. Township staff log in once, then read visit exceptions, coverage, person searches and
alerts. ``FloorUser`` hits the bare constant-JSON endpoint of bench/floor_app.py.

LOAD_WORLD names a JSON file written by bench/load.py: {"password", "caregivers": [{"username",
"person_id", "lat", "lon"}], "staff": [username], "names": [search strings]}.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from datetime import datetime, timedelta, timezone

from locust import FastHttpUser, between, constant, task
from pictures import jpeg  # bench/, which locust puts on the path

WORLD: dict = {}
if os.environ.get("LOAD_WORLD"):
    with open(os.environ["LOAD_WORLD"], encoding="utf-8") as f:
        WORLD = json.load(f)
WAIT = float(os.environ.get("LOAD_WAIT_S", "0"))
_carers = itertools.count()
_staff = itertools.count()


def wait_time():
    return between(0, 2 * WAIT) if WAIT else constant(0)




def _times(minutes: int) -> tuple[str, str]:
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=minutes + 10)
    return start.isoformat(), (start + timedelta(minutes=minutes)).isoformat()


class _LoggedIn(FastHttpUser):
    abstract = True
    wait_time = wait_time()

    def login(self, username: str) -> None:
        with self.client.post("/api/auth/login", json={"username": username, "password": WORLD["password"]},
                              name="POST /api/auth/login", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"login {username}: {r.status_code}")
                self.stop()
                return
            self.headers = {"Authorization": f"Bearer {r.json()['access_token']}", "Accept-Language": "en"}


class CaregiverUser(_LoggedIn):
    weight = 3

    def on_start(self):
        me = WORLD["caregivers"][next(_carers) % len(WORLD["caregivers"])]
        self.person, self.home = me["person_id"], (me["lat"], me["lon"])
        self.rng = random.Random(me["person_id"])
        self.login(me["username"])

    @task(3)
    def progress(self):
        self.client.get("/api/me/progress", headers=self.headers, name="GET /api/me/progress")

    @task(2)
    def inbox(self):
        self.client.get("/api/notifications", headers=self.headers, name="GET /api/notifications")

    @task(2)
    def phone_visit(self):
        started, ended = _times(8)
        body = {"client_id": str(uuid.uuid4()), "person_id": self.person, "mode": "phone", "started_at": started,
                "ended_at": ended, "services": ["wellbeing_call"], "observations": {"health": "well", "mood": "good"}}
        self.client.post("/api/visits", json=body, headers=self.headers, name="POST /api/visits phone")

    @task(1)
    def home_visit(self):
        started, ended = _times(30)
        fields = {"client_id": str(uuid.uuid4()), "person_id": str(self.person), "mode": "home", "started_at": started,
                  "ended_at": ended, "lat": str(self.home[0] + self.rng.uniform(-3e-4, 3e-4)),
                  "lon": str(self.home[1] + self.rng.uniform(-3e-4, 3e-4)), "accuracy_m": "15",
                  "observations": json.dumps({"health": "well", "living_environment": "clean", "mood": "good"})}
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
        parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="services"\r\n\r\n{s}\r\n'.encode()
                  for s in ("home_cleaning", "regular_meals")]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
                     "Content-Type: image/jpeg\r\n\r\n".encode() + jpeg(self.rng.getrandbits(32)) + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        self.client.post("/api/visits", data=b"".join(parts), name="POST /api/visits home+photo",
                         headers={**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})


class StaffUser(_LoggedIn):
    weight = 1

    def on_start(self):
        self.rng = random.Random()
        self.login(WORLD["staff"][next(_staff) % len(WORLD["staff"])])

    @task(2)
    def exceptions(self):
        self.client.get("/api/visits?status=exception", headers=self.headers, name="GET /api/visits?status=exception")

    @task(1)
    def coverage(self):
        self.client.get("/api/coverage", headers=self.headers, name="GET /api/coverage")

    @task(2)
    def search(self):
        self.client.get("/api/persons", params={"q": self.rng.choice(WORLD["names"])}, headers=self.headers,
                        name="GET /api/persons?q=")

    @task(2)
    def alerts(self):
        self.client.get("/api/alerts", headers=self.headers, name="GET /api/alerts")


class FloorUser(FastHttpUser):
    wait_time = wait_time()

    @task
    def floor(self):
        self.client.get("/floor", name="GET /floor")
