"""db.insert_models stores a row exactly as the model stores it one by one (the ORM), on both
engines: the same text, dates, datetimes, JSON and defaults in every column."""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
import time_machine

from server import db
from server.auth.models import User
from server.care.models import CareAgreement
from server.people.models import Person


def raw(session, table: str, ids: list[int]) -> list[dict]:
    """The rows as the database holds them, the id and the columns unique per row left out."""
    rows = session.connection().exec_driver_sql(f"SELECT * FROM {table} WHERE id IN ({', '.join(map(str, ids))}) "
                                                "ORDER BY id").mappings().all()
    return [{k: v for k, v in r.items() if k not in ("id", "id_number", "username", "person_id")} for r in rows]


@time_machine.travel(datetime(2026, 12, 6, 17, 30, tzinfo=timezone.utc), tick=False)
def test_a_batch_row_is_stored_as_the_orm_stores_it(session, world):
    village = world.a.villages[0]
    person = {"name": "王德明", "sex": "M", "birth_date": date(1950, 5, 17), "self_care_level": "partly_disabled",
              "village_id": village.id, "address": "一组12号", "risk_flags": ["lives_alone", "severe_disability"],
              "enrolled_on": date(2021, 3, 15)}
    one = Person(**person, id_number="150430195005170013")
    session.add(one)
    session.flush()
    [many] = db.insert_models(session, Person, [{**person, "id_number": "150430195005170021"}], key="id_number")
    assert raw(session, "person", [one.id]) == raw(session, "person", [many])
    stored = session.get(Person, many)
    assert stored.risk_flags == ["lives_alone", "severe_disability"] and stored.status == "active"
    assert stored.created_at == datetime(2026, 12, 6, 17, 30, tzinfo=timezone.utc)

    login = {"password_hash": "x", "role": "caregiver", "display_name": "王建国", "phone": None,
             "place_id": village.id, "must_change_password": True}
    user = User(**login, username="13900000001")
    session.add(user)
    session.flush()
    [uid] = db.insert_models(session, User, [{**login, "username": "13900000002"}], key="username")
    assert raw(session, "app_user", [user.id]) == raw(session, "app_user", [uid])

    agreement = {"caregiver_id": uid, "relation": "relative", "signed_on": date(2023, 5, 1),
                 "start_on": date(2023, 5, 1), "created_by": world.a.staff.id}
    first = CareAgreement(**agreement, person_id=one.id)
    session.add(first)
    session.flush()
    [aid] = db.insert_models(session, CareAgreement, [{**agreement, "person_id": many}], key="person_id")
    assert raw(session, "careagreement", [first.id]) == raw(session, "careagreement", [aid])


def test_ids_come_back_in_the_order_of_the_rows(session, world):
    village = world.a.villages[0]
    rows = [{"name": f"人员{k}", "sex": "M", "birth_date": date(1950, 1, 1), "self_care_level": "self_care",
             "village_id": village.id, "id_number": f"1504301950010100{k}{k}", "enrolled_on": date(2020, 1, 1)}
            for k in (3, 1, 2)]
    ids = db.insert_models(session, Person, rows, key="id_number")
    got = dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(ids))).all())
    assert [got[i] for i in ids] == ["人员3", "人员1", "人员2"]
