"""Delivery in bounded batches: a backlog of any size goes out without one statement naming every
user (PostgreSQL's driver takes at most 65,535 parameters, SQLite 32,766), and a run that fails
half-way has recorded what it sent and leaves the rest to the next call."""

import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from server.notify import service
from server.notify.models import Delivery, Notification
from tests import factories
from tests.notify.receivers import PushService, SmsGateway
from tests.notify.test_channels import PEM, subscribe

BULK = 70_000


def settings(app, **over):
    return service.NotifySettings.from_config({**app.config, "VAPID_PRIVATE_KEY": PEM, "SMS_BACKOFF_SECONDS": 0.01,
                                               "QUIET_HOURS": "off", **over})


def seed_pending(session, place_id: int, n: int, now) -> None:
    """``n`` caregiver logins, each with one undelivered reminder: two statements, whatever ``n``."""
    session.execute(sa.text(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n) "
        "INSERT INTO app_user (username, password_hash, role, display_name, place_id, is_active, "
        "must_change_password, failed_logins, created_at) "
        "SELECT 'bulk' || i, 'x', 'caregiver', '照料人' || i, :place, :yes, :no, 0, :now FROM seq"),
        {"n": n, "place": place_id, "yes": True, "no": False, "now": now})
    session.execute(sa.text(
        "INSERT INTO notification (user_id, kind, title, body, urgent, dedupe_key, created_at) "
        "SELECT id, 'reminder', '本月走访提醒', '请安排走访', :no, 'bulk-reminder', :now FROM app_user "
        "WHERE username LIKE 'bulk%'"), {"no": False, "now": now})


def bulk_user(session, k: int):
    from server.auth.models import User

    return session.scalar(select(User).where(User.username == f"bulk{k}"))


def test_seventy_thousand_pending_notifications_are_delivered_in_bounded_batches(app, session, world):
    now = factories.now()
    seed_pending(session, world.a.villages[0].id, BULK, now - timedelta(minutes=5))
    # a few of them can be reached: two by push (first and last batch), two by SMS
    by_sms = {k: bulk_user(session, k) for k in (35_000, BULK - 1)}
    for k, user in by_sms.items():
        user.phone = f"139{k:08d}"
        session.add(user)
    with PushService() as push, SmsGateway("s3cret") as sms:
        for k in (1, BULK):
            subscribe(session, push, bulk_user(session, k), f"phone-{k}")
        counts = service.deliver_pending(session, settings(app, SMS_WEBHOOK_URL=f"{sms.url}/sms",
                                                           SMS_WEBHOOK_SECRET="s3cret"), now=now)
    assert counts == {"push_sent": 2, "push_gone": 0, "push_failed": 0, "sms_sent": 2, "sms_failed": 0, "held": 0}
    assert sorted(m["payload"]["id"] for m in push.received) == sorted(
        session.scalars(select(Notification.id).where(Notification.user_id.in_(
            [bulk_user(session, 1).id, bulk_user(session, BULK).id]))))
    assert sorted(m["to"] for m in sms.received) == sorted(u.phone for u in by_sms.values())
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.dedupe_key == "bulk-reminder", Notification.delivered_at == now)) == BULK
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.delivered_at.is_(None))) == 0
    assert session.scalar(select(func.count()).select_from(Delivery)) == 4
    # caught up: the next call finds nothing
    assert service.deliver_pending(session, settings(app), now=now + timedelta(minutes=15))["push_sent"] == 0


class PushPoolDies:
    """The push sender, failing (as a killed worker or a lost database would) on its ``fail_on``-th batch."""

    def __init__(self, real, fail_on: int):
        self.real, self.fail_on, self.calls = real, fail_on, 0

    def send_many(self, jobs):
        self.calls += 1
        if self.calls == self.fail_on:
            raise RuntimeError("the push pool died")
        return self.real.send_many(jobs)


def test_a_run_that_fails_half_way_leaves_the_rest_to_the_next_call(app, session, world):
    now = factories.now()
    seed_pending(session, world.a.villages[0].id, 7, now - timedelta(hours=1))
    users = [bulk_user(session, k) for k in range(1, 8)]
    with PushService() as push:
        for u in users:
            subscribe(session, push, u, f"p{u.id}")
        good = settings(app, NOTIFY_BATCH_SIZE=3)
        failing = dataclasses.replace(good, pusher=PushPoolDies(good.pusher, fail_on=2))
        session.commit()
        with pytest.raises(RuntimeError, match="push pool died"):
            service.deliver_pending(session, failing, now=now)
        session.rollback()  # what the failed job's session does

        pending = session.scalars(select(Notification).where(Notification.delivered_at.is_(None))
                                  .order_by(Notification.id)).all()
        assert [n.user_id for n in pending] == [u.id for u in users[3:]]  # the first batch went, and stays sent
        assert len(push.received) == 3

        counts = service.deliver_pending(session, good, now=now + timedelta(minutes=15))
    assert counts["push_sent"] == 4
    # every one of the seven pushed exactly once, and logged once
    ids = session.scalars(select(Notification.id).where(Notification.dedupe_key == "bulk-reminder")).all()
    assert sorted(m["payload"]["id"] for m in push.received) == sorted(ids)
    logged = session.execute(select(Delivery.notification_id, func.count()).group_by(Delivery.notification_id)).all()
    assert sorted(logged) == [(i, 1) for i in sorted(ids)]


def test_deliver_names_at_most_a_batch_of_users_per_statement(app, session, world):
    """The urgent path hands deliver() a list of its own; it is cut into batches too."""
    now = factories.now()
    seed_pending(session, world.a.villages[0].id, 10, now)
    notes = session.scalars(select(Notification).where(Notification.dedupe_key == "bulk-reminder")).all()
    sizes = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if not executemany:
            sizes.append(len(parameters))

    engine = session.get_bind().engine
    with PushService() as push, SmsGateway("s3cret") as sms:
        for k in (1, 10):
            subscribe(session, push, bulk_user(session, k), f"u{k}")
        sa.event.listen(engine, "before_cursor_execute", seen)
        try:
            counts = service.deliver(session, notes, settings(app, SMS_WEBHOOK_URL=f"{sms.url}/sms",
                                                              SMS_WEBHOOK_SECRET="s3cret", NOTIFY_BATCH_SIZE=3),
                                     now=now)
        finally:
            sa.event.remove(engine, "before_cursor_execute", seen)
    assert counts["push_sent"] == 2 and all(n.delivered_at == now for n in notes)
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.dedupe_key == "bulk-reminder", Notification.delivered_at == now)) == 10
    # no statement named all ten (the widest is a delivery log row, or a batch of three and a value)
    assert sizes and max(sizes) < 10
