"""Messages to thousands at once in one INSERT … SELECT: once per (user, dedupe key), however
often the job runs, and cut to the columns' length."""

import sqlalchemy as sa
from sqlalchemy import func, select

from server.auth import roles
from server.auth.models import User
from server.notify import service
from server.notify.models import Notification
from tests import factories


def staff_reminders(place_id: int, key: str):
    """A reminder to every active township staff member of one township, as a job's SELECT would name them."""
    return select(User.id, sa.literal("reminder"), sa.literal("提醒" * 100), sa.literal("请安排走访"),
                  sa.literal(key), sa.literal("/#/home"), sa.literal(False), sa.null()) \
        .where(User.role == roles.TOWNSHIP_STAFF, User.place_id == place_id, User.is_active)


def test_each_user_gets_the_message_once_however_often_the_job_runs(session, world):
    now = factories.now()
    township = world.a.place
    staff = [factories.user(session, roles.TOWNSHIP_STAFF, township) for _ in range(3)]
    first = service.notify_select(session, staff_reminders(township.id, "remind:2026-11-18"), now=now)
    again = service.notify_select(session, staff_reminders(township.id, "remind:2026-11-18"), now=now)
    named_twice = service.notify_select(
        session, sa.union_all(staff_reminders(township.id, "remind:2026-11-19"),
                              staff_reminders(township.id, "remind:2026-11-19")), now=now)
    total = session.scalar(select(func.count()).select_from(User).where(
        User.role == roles.TOWNSHIP_STAFF, User.place_id == township.id, User.is_active))
    assert (first, again, named_twice) == (total, 0, total)
    mine = session.scalars(select(Notification).where(Notification.user_id == staff[0].id)
                           .order_by(Notification.dedupe_key)).all()
    assert [(n.dedupe_key, n.kind, len(n.title), n.body, n.url, n.urgent, n.delivered_at) for n in mine] == [
        ("remind:2026-11-18", "reminder", 120, "请安排走访", "/#/home", False, None),
        ("remind:2026-11-19", "reminder", 120, "请安排走访", "/#/home", False, None)]
    assert mine[0].created_at == now


def test_a_job_naming_nobody_adds_nothing(session, world):
    assert service.notify_select(session, staff_reminders(-1, "remind:none"), now=factories.now()) == 0
