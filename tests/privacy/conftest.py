import io
import random
import uuid
from datetime import datetime, timedelta

import pytest
from PIL import Image

from server.photos import pipeline
from server.photos import service as photos
from server.photos.storage import PhotoStore
from server.visits.models import Visit
from tests import factories
from tests.conftest import SH


def jpeg(seed: int) -> bytes:
    rng = random.Random(seed)
    im = Image.new("RGB", (640, 480))
    for x in range(0, 640, 80):
        for y in range(0, 480, 80):
            im.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), (x, y, x + 80, y + 80))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def add_visit(session, person, caregiver, when: datetime, *, media_dir=None, photo_seeds=(), lat=42.3003,
              lon=119.9003, status="exception", exceptions=("too_short",)) -> tuple[Visit, list]:
    """A visit stored as a check-in leaves it, with photos (taken at ``when``) in ``media_dir``."""
    v = Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=caregiver.id, mode="home",
              started_at=when, ended_at=when + timedelta(minutes=3), lat=lat, lon=lon, accuracy_m=12.0,
              status=status, exceptions=list(exceptions), exception_detail={"duration_minutes": 3.0},
              content_hash="x" * 64, received_at=when, health="well", mood="good")
    session.add(v)
    session.flush()
    rows = []
    if photo_seeds:
        processed = [pipeline.process(jpeg(s), limits=pipeline.Limits(max_bytes=10 << 20, max_pixels=10 ** 7),
                                      local_zone=SH) for s in photo_seeds]
        rows = photos.attach(session, photos=processed, store=PhotoStore(media_dir), visit_id=v.id)
        for r in rows:
            r.created_at = when
            r.exif_lat, r.exif_lon = 42.3001, 119.9001
        session.flush()
    return v, rows


@pytest.fixture
def now():
    return factories.now()
