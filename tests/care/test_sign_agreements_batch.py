"""care.sign_agreements, the batch a roster import signs with: the rules of one agreement, checked
for the batch at once; a batch that breaks any of them is refused whole and nothing of it stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditLog
from server.auth.actor import Actor
from server.care import service
from server.care.models import CareAgreement
from server.errors import ServiceError
from tests import factories


def agreements_of(session, persons) -> list[tuple[int, int, str]]:
    return sorted(session.execute(select(CareAgreement.person_id, CareAgreement.caregiver_id, CareAgreement.status)
                                  .where(CareAgreement.person_id.in_([p.id for p in persons]))).all())


def batch(persons, caregiver, **over) -> list[dict]:
    day = factories.today() - timedelta(days=3)
    return [{"person_id": p.id, "caregiver_id": caregiver.id, "relation": "neighbour", "signed_on": day,
             "start_on": day, **over} for p in persons]


@pytest.fixture()
def newcomers(session, world):
    return [factories.person(session, world.a.villages[k % 2], name=f"新人{k}") for k in range(3)]


def test_a_batch_is_signed_with_a_trail_row_each(session, world, newcomers):
    actor = Actor(user=world.a.staff, address="test")
    ids = service.sign_agreements(session, actor=actor, today=factories.today(),
                                  agreements=batch(newcomers, world.a.caregiver))
    assert len(ids) == 3
    assert agreements_of(session, newcomers) == [(p.id, world.a.caregiver.id, "active") for p in newcomers]
    trail = session.execute(select(AuditLog.person_id, AuditLog.action, AuditLog.detail)
                            .where(AuditLog.entity == "agreement", AuditLog.entity_id.in_(ids))).all()
    assert sorted(trail) == sorted((p.id, "create", {"caregiver_id": world.a.caregiver.id}) for p in newcomers)


def refused(session, actor, agreements) -> ServiceError:
    before = session.scalar(select(func.count()).select_from(CareAgreement))
    with pytest.raises(ServiceError) as info:
        service.sign_agreements(session, actor=actor, today=factories.today(), agreements=agreements)
    assert session.scalar(select(func.count()).select_from(CareAgreement)) == before
    return info.value


def test_a_batch_that_breaks_a_rule_is_refused_whole(session, world, newcomers):
    staff = Actor(user=world.a.staff, address="test")
    caregiver = world.a.caregiver
    gone = newcomers[0].id + 10_000
    assert refused(session, staff, batch(newcomers, caregiver) + [{**batch(newcomers[:1], caregiver)[0],
                                                                   "person_id": gone}]).key == "person_not_found"
    ghost = batch(newcomers, caregiver)
    ghost[1]["caregiver_id"] = caregiver.id + 10_000
    assert refused(session, staff, ghost).key == "caregiver_not_found"

    # a person not (or no longer) supported at home
    moved = factories.person(session, world.a.villages[0], name="已集中", support_mode="centralised",
                             status="centralised")
    assert refused(session, staff, batch([*newcomers, moved], caregiver)).key == "person_not_active"

    # a login that is not an active caregiver
    volunteer = batch(newcomers, caregiver)
    volunteer[2]["caregiver_id"] = world.a.volunteer.id
    assert refused(session, staff, volunteer).key == "not_a_caregiver"
    quit_ = factories.user(session, "caregiver", world.a.villages[1])
    quit_.is_active = False
    session.flush()
    assert refused(session, staff, batch(newcomers, quit_)).key == "not_a_caregiver"

    # another township's person, or its caregiver
    assert refused(session, staff, batch([*newcomers, world.b.person], caregiver)).key == "person_out_of_scope"
    assert refused(session, staff, batch(newcomers, world.b.caregiver)).key == "user_out_of_scope"

    # signed tomorrow; a person twice; a person who has an active agreement already
    tomorrow = factories.today() + timedelta(days=1)
    assert refused(session, staff, batch(newcomers, caregiver, signed_on=tomorrow)).key == "date_in_future"
    assert refused(session, staff, batch([*newcomers, newcomers[0]], caregiver)).key == "agreement_exists"
    assert refused(session, staff, batch([*newcomers, world.a.person], caregiver)).key == "agreement_exists"

    assert agreements_of(session, newcomers) == []
