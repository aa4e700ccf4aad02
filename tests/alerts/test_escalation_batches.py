"""Escalation in sets: however many alerts are due, each batch is the same handful of statements,
and every one climbs with its event and one notification per district admin."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from server.alerts.models import Alert, AlertEvent
from server.alerts.service import AlertSettings, escalate_due, raise_alert
from server.notify.models import Notification
from tests import factories

SETTINGS = AlertSettings(sla_minutes={"urgent": 240, "normal": 1440})


def due_alerts(session, world, n: int) -> list[int]:
    at = factories.now() - timedelta(days=2)
    return [raise_alert(session, kind="visit_gap", township_id=world.a.place.id, title=f"逾期{k}",
                        dedupe_key=f"due:{n}:{k}", settings=SETTINGS, now=at)[0].id for k in range(n)]


def statements_of(session, call) -> tuple[int, object]:
    seen = []
    engine = session.get_bind()
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        result = call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(seen), result


@pytest.mark.parametrize("n", [10, 300])
def test_the_statements_do_not_grow_with_the_alerts_due(session, world, n):
    ids = due_alerts(session, world, n)
    session.flush()
    now = factories.now()
    used, escalated = statements_of(session, lambda: escalate_due(session, settings=SETTINGS,
                                                                  today=factories.today(), now=now))
    assert sorted(escalated) == sorted(ids)
    assert used <= 12, used  # one batch: select, two updates, events, notifications, the empty select
    assert session.scalar(select(func.count()).select_from(Alert).where(Alert.id.in_(ids),
                                                                          Alert.level == "district")) == n
    assert session.scalar(select(func.count()).select_from(AlertEvent).where(
        AlertEvent.alert_id.in_(ids), AlertEvent.kind == "escalated")) == n
    first = session.get(Alert, ids[0])
    assert (first.level, first.sla_due_at) == ("district", now + timedelta(minutes=1440))
    note = session.scalar(select(Notification).where(Notification.user_id == world.admin.id,
                                                     Notification.alert_id == ids[0]))
    assert (note.kind, note.title, note.body, note.url, note.urgent, note.dedupe_key) == (
        "escalation", "【上报】逾期0", f"{world.a.place.name}未在时限内处理：逾期0", f"/#/alerts/{ids[0]}", True,
        f"alert:{ids[0]}:district")
    assert escalate_due(session, settings=SETTINGS, today=factories.today(), now=now) == []


def test_batches_of_a_few_cover_every_alert_once(session, world):
    ids = due_alerts(session, world, 23)
    escalated = escalate_due(session, settings=SETTINGS, today=factories.today(), now=factories.now(), batch_size=5)
    assert sorted(escalated) == sorted(ids) and len(set(escalated)) == 23
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == world.admin.id, Notification.kind == "escalation")) == 23
