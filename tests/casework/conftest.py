import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from server.care.models import CareAgreement
from server.visits.models import Visit
from tests import factories


@pytest.fixture
def exception_visit(session, world):
    """A visit of world.a's person waiting for review, started ``days_ago`` days before now."""
    def make(days_ago: int = 1) -> Visit:
        agreement = session.scalar(select(CareAgreement).where(CareAgreement.person_id == world.a.person.id))
        started: datetime = factories.now() - timedelta(days=days_ago)
        v = Visit(client_id=str(uuid.uuid4()), person_id=world.a.person.id, caregiver_id=world.a.caregiver.id,
                  agreement_id=agreement.id, mode="home", started_at=started, ended_at=started + timedelta(minutes=30),
                  status="exception", exceptions=["outside_geofence"], content_hash=uuid.uuid4().hex)
        session.add(v)
        session.flush()
        return v
    return make
