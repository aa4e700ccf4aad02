"""Notifications over real HTTP on loopback: Web Push decrypted by the receiving service, the SMS
gateway checking the signature, quiet hours, and the fallback when push does not arrive."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.notify import service
from server.notify.channels import generate_vapid_pem, public_key_b64, vapid_from
from server.notify.models import Delivery, PushSubscription
from tests import factories
from tests.notify.receivers import PushService, SmsGateway, Subscriber

SH = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=SH)
NIGHT = datetime(2026, 11, 20, 23, 30, tzinfo=SH)
PEM = generate_vapid_pem()


def settings(app, **over):
    return service.NotifySettings.from_config({**app.config, "VAPID_PRIVATE_KEY": PEM, "SMS_BACKOFF_SECONDS": 0.01,
                                               **over})


def subscribe(session, push, user, name):
    sub = Subscriber()
    service.subscribe(session, user_id=user.id, endpoint=push.endpoint(name, sub), **sub.keys())
    return sub


def test_push_is_encrypted_signed_and_decrypted_by_the_service(app, session, world):
    with PushService() as push:
        subscribe(session, push, world.a.staff, "staff-phone")
        notes = service.notify(session, user_ids=[world.a.staff.id], kind="visit_gap", title="李秀英已12天无人走访",
                               body="请安排上门", dedupe_key="k1", urgent=True, url="/#/alerts/1")
        counts = service.deliver(session, notes, settings(app), now=NOON)
    assert push.errors == []
    assert counts["push_sent"] == 1 and counts["sms_sent"] == 0
    msg = push.received[0]
    assert msg["payload"] == {"title": "李秀英已12天无人走访", "body": "请安排上门", "url": "/#/alerts/1",
                              "id": notes[0].id, "urgent": True}
    assert msg["ttl"] == "86400" and msg["urgency"] == "high" and msg["topic"]
    assert msg["vapid"]["key"] == public_key_b64(vapid_from(PEM))
    rows = session.scalars(select(Delivery).where(Delivery.notification_id == notes[0].id)).all()
    assert [(d.channel, d.status, d.http_status) for d in rows] == [("webpush", "sent", 201)]


def test_a_gone_subscription_is_removed_and_sms_takes_over(app, session, world):
    world.a.caregiver.phone = "13900001234"
    session.add(world.a.caregiver)
    with PushService() as push, SmsGateway("s3cret") as sms:
        subscribe(session, push, world.a.caregiver, "gone-1")
        notes = service.notify(session, user_ids=[world.a.caregiver.id], kind="reminder", title="本月走访提醒",
                               body="王德明本月还需走访", dedupe_key="k2")
        counts = service.deliver(session, notes, settings(app, SMS_WEBHOOK_URL=f"{sms.url}/sms",
                                                          SMS_WEBHOOK_SECRET="s3cret"), now=NOON)
    assert counts["push_gone"] == 1 and counts["sms_sent"] == 1
    assert session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    assert sms.received == [{"to": "13900001234", "text": "【照应】本月走访提醒：王德明本月还需走访",
                             "notification_id": notes[0].id, "urgent": False}]


def test_sms_retries_with_backoff_and_logs_each_delivery(app, session, world):
    world.a.staff.phone = "13900005678"
    session.add(world.a.staff)
    with SmsGateway("s3cret", script=[503, 500]) as sms:
        notes = service.notify(session, user_ids=[world.a.staff.id], kind="visit_gap", title="t", body="b",
                               dedupe_key="k3", urgent=True)
        counts = service.deliver(session, notes, settings(app, VAPID_PRIVATE_KEY=None,
                                                          SMS_WEBHOOK_URL=f"{sms.url}/sms",
                                                          SMS_WEBHOOK_SECRET="s3cret"), now=NOON)
    assert sms.attempts == 3 and len(sms.received) == 1 and counts["sms_sent"] == 1


def test_a_wrong_secret_is_refused_by_the_gateway(app, session, world):
    world.a.staff.phone = "13900005678"
    session.add(world.a.staff)
    with SmsGateway("right") as sms:
        notes = service.notify(session, user_ids=[world.a.staff.id], kind="k", title="t", body="b", dedupe_key="k4")
        counts = service.deliver(session, notes, settings(app, VAPID_PRIVATE_KEY=None, SMS_WEBHOOK_URL=f"{sms.url}/sms",
                                                          SMS_WEBHOOK_SECRET="wrong"), now=NOON)
    assert counts["sms_failed"] == 1 and sms.received == [] and sms.attempts == 1  # a 4xx is final
    d = session.scalar(select(Delivery).where(Delivery.notification_id == notes[0].id))
    assert (d.channel, d.status, d.http_status) == ("sms", "failed", 401)


def test_quiet_hours_hold_back_all_but_urgent(app, session, world):
    with PushService() as push:
        subscribe(session, push, world.a.staff, "night")
        calm = service.notify(session, user_ids=[world.a.staff.id], kind="reminder", title="calm", body="b",
                              dedupe_key="q1", now=NIGHT)
        urgent = service.notify(session, user_ids=[world.a.staff.id], kind="visit_gap", title="urgent", body="b",
                                dedupe_key="q2", urgent=True, now=NIGHT)
        counts = service.deliver(session, calm + urgent, settings(app), now=NIGHT)
        assert counts["held"] == 1 and [m["payload"]["title"] for m in push.received] == ["urgent"]
        assert calm[0].delivered_at is None
        morning = datetime(2026, 11, 21, 7, 5, tzinfo=SH)
        service.deliver_pending(session, settings(app), now=morning.astimezone(timezone.utc))
        assert [m["payload"]["title"] for m in push.received] == ["urgent", "calm"]


def test_the_same_message_is_not_said_twice(session, world):
    first = service.notify(session, user_ids=[world.a.staff.id, world.b.staff.id], kind="k", title="t", body="b",
                           dedupe_key="same")
    again = service.notify(session, user_ids=[world.a.staff.id, world.b.staff.id], kind="k", title="t", body="b",
                           dedupe_key="same")
    assert len(first) == 2 and again == []


def test_vapid_key_and_subscription_api(app_config, session, world, monkeypatch):
    from server import create_app
    from server.notify import channels

    monkeypatch.setattr(channels, "resolve", lambda host, port, **kw: [(2, 1, 6, "", ("142.250.196.106", port))])

    client = create_app({**app_config, "VAPID_PRIVATE_KEY": PEM}).test_client()
    key = client.get("/api/push/vapid-public-key").get_json()["public_key"]
    assert key == public_key_b64(vapid_from(PEM)) and len(key) == 87
    h = factories.headers(session, world.a.caregiver, **{"Accept-Language": "en"})
    sub = {"endpoint": "https://fcm.googleapis.com/fcm/send/x1", "expirationTime": None, "keys": Subscriber().keys()}
    assert client.post("/api/push/subscriptions", json=sub, headers=h).status_code == 201
    assert client.post("/api/push/subscriptions", json=sub, headers=h).status_code == 201  # same browser again
    assert session.scalar(select(func.count()).select_from(PushSubscription)) == 1
    bad = client.post("/api/push/subscriptions", json={"endpoint": "not a url", "keys": {}}, headers=h)
    assert bad.status_code == 422 and {"endpoint", "keys"} <= set(bad.get_json()["errors"])
    r = client.delete("/api/push/subscriptions", json={"endpoint": sub["endpoint"]}, headers=h)
    assert r.status_code == 204 and session.scalar(select(func.count()).select_from(PushSubscription)) == 0


def test_no_vapid_key_is_a_clear_503(client):
    r = client.get("/api/push/vapid-public-key", headers={"Accept-Language": "en"})
    assert r.status_code == 503 and r.get_json()["message"] == "Web Push is not configured on this server"


def test_inbox_api(client, session, world):
    mine = service.notify(session, user_ids=[world.a.staff.id], kind="k", title="mine", body="b", dedupe_key="i1")
    theirs = service.notify(session, user_ids=[world.b.staff.id], kind="k", title="theirs", body="b", dedupe_key="i1")
    h = factories.headers(session, world.a.staff)
    assert [n["title"] for n in client.get("/api/notifications", headers=h).get_json()] == ["mine"]
    assert client.post(f"/api/notifications/{theirs[0].id}/read", headers=h).status_code == 404
    assert client.post(f"/api/notifications/{mine[0].id}/read", headers=h).status_code == 204
    assert client.get("/api/notifications?unread=true", headers=h).get_json() == []
