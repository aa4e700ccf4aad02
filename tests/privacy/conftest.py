import uuid
from datetime import datetime, timedelta

import pytest

from server.photos import pipeline
from server.photos import service as photos
from server.photos.storage import PhotoStore
from server.visits.models import Visit
from tests import factories
from tests.conftest import SH
from tests.visits.conftest import photo


def add_visit(session, person, caregiver, when: datetime, *, media_dir=None, photo_seeds=(), lat=42.3003,
              lon=119.9003, status="exception", exceptions=("too_short",), store=None) -> tuple[Visit, list]:
    """A visit stored as a check-in leaves it, with photos (taken at ``when``) in ``media_dir``
    (or in ``store``, a photo store)."""
    v = Visit(client_id=str(uuid.uuid4()), person_id=person.id, caregiver_id=caregiver.id, mode="home",
              started_at=when, ended_at=when + timedelta(minutes=3), lat=lat, lon=lon, accuracy_m=12.0,
              status=status, exceptions=list(exceptions), exception_detail={"duration_minutes": 3.0},
              content_hash="x" * 64, received_at=when, health="well", mood="good")
    session.add(v)
    session.flush()
    rows = []
    if photo_seeds:
        processed = [pipeline.process(photo(s, size=(640, 480)), limits=pipeline.Limits(max_bytes=10 << 20, max_pixels=10 ** 7),
                                      local_zone=SH) for s in photo_seeds]
        rows = photos.attach(session, photos=processed, store=store or PhotoStore(media_dir), visit_id=v.id)
        for r in rows:
            r.created_at = when
            r.exif_lat, r.exif_lon = 42.3001, 119.9001
        session.flush()
    return v, rows


@pytest.fixture
def now():
    return factories.now()
