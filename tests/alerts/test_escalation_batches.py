"""Escalation in sets: however many alerts are due, each batch is the same handful of statements,
and every one climbs with its event; a person's own alert brings each district admin a message of
its own, the scheduler's visit alerts one digest per township (issue 13 item 3)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from server.alerts.models import Alert, AlertEvent
from server.alerts.service import AlertSettings, escalate_due, raise_alert
from server.notify.models import Notification
from tests import factories

SETTINGS = AlertSettings(sla_minutes={"urgent": 240, "normal": 1440})


def due_alerts(session, world, n: int, kind: str = "self_care_worse", township=None) -> list[int]:
    at = factories.now() - timedelta(days=2)
    township = township or world.a
    return [raise_alert(session, kind=kind, township_id=township.place.id, title=f"逾期{k}",
                        dedupe_key=f"due:{kind}:{township.place.id}:{n}:{k}", settings=SETTINGS, now=at)[0].id
            for k in range(n)]


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
    assert used <= 12, used  # one batch: the ids into a temporary table, events, notifications, a count, the update
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


@pytest.mark.parametrize("n", [10, 300])
def test_the_scheduled_visit_alerts_climb_as_one_digest_per_township(session, world, n):
    gaps = due_alerts(session, world, n, kind="visit_gap")
    missed = due_alerts(session, world, 1, kind="quota_missed", township=world.b)
    own = due_alerts(session, world, 2)
    session.flush()
    now = factories.now()
    used, escalated = statements_of(session, lambda: escalate_due(session, settings=SETTINGS,
                                                                  today=factories.today(), now=now))
    assert sorted(escalated) == sorted(gaps + missed + own)
    assert used <= 20, used  # one batch, then a digest per township: not a statement per alert
    told = session.scalars(select(Notification).where(Notification.user_id == world.admin.id,
                                                      Notification.kind == "escalation")
                           .order_by(Notification.id)).all()
    digests = [(m.title, m.body, m.url, m.urgent, m.alert_id) for m in told if m.alert_id is None]
    assert digests == [
        (f"【上报】{world.a.place.name}：{n}条走访提醒超时未处理",
         f"{world.a.place.name}有{n}条走访提醒（探访间隔、走访未达标）未在时限内处理，请在提醒列表中查看。", "/#/alerts",
         False, None),
        (f"【上报】{world.b.place.name}：1条走访提醒超时未处理",
         f"{world.b.place.name}有1条走访提醒（探访间隔、走访未达标）未在时限内处理，请在提醒列表中查看。", "/#/alerts",
         False, None)]
    assert sorted(m.alert_id for m in told if m.alert_id is not None) == sorted(own)  # a person's own: one each
    assert session.scalar(select(func.count()).select_from(Alert).where(Alert.id.in_(gaps),
                                                                          Alert.level == "district")) == n
    # escalated once: the next run finds nothing and says nothing
    assert escalate_due(session, settings=SETTINGS, today=factories.today(), now=now + timedelta(minutes=15)) == []
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "escalation", Notification.user_id == world.admin.id)) == len(told)
