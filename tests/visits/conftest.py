import io
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from tests import factories

FILES = Path(__file__).parent / "files"
HOME = (42.3, 119.9)


def photo(seed: int, size=(1200, 900)) -> bytes:
    """A distinct photo per seed (blocks of random colour), so perceptual hashes differ."""
    rng = random.Random(seed)
    im = Image.new("RGB", size)
    step = max(100, size[0] // 12)  # large flat blocks keep big test photos small in bytes
    for x in range(0, size[0], step):
        for y in range(0, size[1], step):
            im.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), (x, y, x + step, y + step))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def visit_fields(person: int, **over) -> dict:
    start = now() - timedelta(minutes=40)
    fields = {
        "client_id": str(uuid.uuid4()),
        "person_id": person,
        "mode": "home",
        "started_at": start.isoformat(),
        "ended_at": (start + timedelta(minutes=30)).isoformat(),
        "lat": HOME[0] + 0.0003,
        "lon": HOME[1] + 0.0003,
        "accuracy_m": 15,
        "services": ["home_cleaning", "regular_meals"],
        "observations": {"health": "well", "living_environment": "clean", "mood": "good"},
    }
    mode = over.get("mode", "home")
    if mode != "home":  # the care that fits a call (catalogue.services_for_mode); a remote check's device
        fields["services"] = ["wellbeing_call"] if mode in ("phone", "video") else []
        if mode == "remote":
            fields["monitor_device"] = "camera"
    fields.update(over)
    return {k: v for k, v in fields.items() if v is not None}


def multipart(fields: dict, photos: list[bytes], name: str = "p.jpg") -> dict:
    data = {}
    for key, value in fields.items():
        if key == "observations":
            data[key] = json.dumps(value, ensure_ascii=False)
        elif key == "services":
            data[key] = list(value)
        else:
            data[key] = str(value)
    data["photos"] = [(io.BytesIO(p), name) for p in photos]
    return data


class Checkin:
    """Posts check-ins as the caregiver of township 甲镇's person."""

    def __init__(self, client, session, world):
        self.client, self.session, self.world = client, session, world
        self.headers = factories.headers(session, world.a.caregiver, **{"Accept-Language": "en"})
        self.person = world.a.person

    def post(self, photos=None, *, headers=None, **over):
        fields = visit_fields(self.person.id, **over)
        h = headers or self.headers
        if photos is None and fields.get("mode", "home") == "home":
            photos = [photo(hash(fields["client_id"]) % 10_000)]
        if photos:
            return self.client.post("/api/visits", data=multipart(fields, photos), headers=h,
                                    content_type="multipart/form-data")
        return self.client.post("/api/visits", json=fields, headers=h)


@pytest.fixture
def checkin(client, session, world):
    return Checkin(client, session, world)


def media_files(app) -> list[Path]:
    root = Path(app.config["MEDIA_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def fetch(client, url: str, headers: dict):
    """GET and close (file responses hold an open file until closed)."""
    with client.get(url, headers=headers) as r:
        return r.status_code, dict(r.headers), r.data, r.mimetype
