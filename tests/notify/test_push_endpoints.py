"""Issue 14 part 4: push subscriptions only to https endpoints of known push services that do
not resolve inside our network (a blind SSRF otherwise), checked on subscribe and on send."""

import socket

import pytest
from sqlalchemy import func, select

from server import create_app
from server.config import DEFAULT_PUSH_ENDPOINT_HOSTS, load_settings
from server.notify import channels, service
from server.notify.models import Delivery, PushSubscription
from tests import factories
from tests.notify.receivers import PushService, Subscriber
from tests.notify.test_channels import NOON, PEM

PUBLIC = "142.250.196.106"
ADDRESSES = {"fcm.googleapis.com": PUBLIC, "updates.push.services.mozilla.com": "34.107.221.82",
             "db5p.notify.windows.com": "20.42.65.85", "web.push.apple.com": "17.188.182.6",
             "api.push.apple.com": "17.188.182.7", "evil.push.apple.com": "10.0.0.5",
             "rebind.push.apple.com": "169.254.169.254", "lo.push.apple.com": "127.0.0.1",
             "v6.push.apple.com": "fd00::1", "fcm.googleapis.com.evil.cn": PUBLIC, "127.0.0.1": "127.0.0.1"}


@pytest.fixture
def resolver(monkeypatch):
    def fake(host, port, **kw):
        if host not in ADDRESSES:
            raise socket.gaierror("no such host")
        family = socket.AF_INET6 if ":" in ADDRESSES[host] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (ADDRESSES[host], port))]
    monkeypatch.setattr(channels, "resolve", fake)


def test_the_defaults_are_the_known_push_services_and_no_loopback():
    c = load_settings({"SECRET_KEY": "x"})
    assert c["PUSH_ENDPOINT_HOSTS"] == DEFAULT_PUSH_ENDPOINT_HOSTS and c["PUSH_ALLOW_LOOPBACK"] is False
    policy = channels.EndpointPolicy.from_config(c)
    assert policy.allow_loopback is False
    assert policy.problem("http://127.0.0.1:9/push/x") is not None


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc", "https://updates.push.services.mozilla.com/wpush/v2/abc",
    "https://db5p.notify.windows.com/w/?token=abc", "https://web.push.apple.com/QGx", "https://api.push.apple.com/x"])
def test_known_push_services_are_allowed(resolver, endpoint):
    assert channels.EndpointPolicy().problem(endpoint) is None


@pytest.mark.parametrize("endpoint, why", [
    ("http://fcm.googleapis.com/fcm/send/abc", "https"),
    ("https://attacker.example/x", "not a known push service"),
    ("https://fcm.googleapis.com.evil.cn/x", "not a known push service"),
    ("https://push.apple.com.evil/x", "not a known push service"),
    ("https://127.0.0.1/x", "not a known push service"),
    ("https://evil.push.apple.com/x", "private"),
    ("https://rebind.push.apple.com/x", "private"),
    ("https://lo.push.apple.com/x", "loopback"),
    ("https://v6.push.apple.com/x", "private"),
    ("https://nowhere.push.apple.com/x", "does not resolve"),
    ("not a url", "not a URL"),
])
def test_other_endpoints_are_refused(resolver, endpoint, why):
    assert why in channels.EndpointPolicy().problem(endpoint)


def test_the_api_answers_422(app_config, session, world, resolver):
    client = create_app({**app_config, "VAPID_PRIVATE_KEY": PEM,
                         "PUSH_ENDPOINT_HOSTS": ",".join(DEFAULT_PUSH_ENDPOINT_HOSTS),
                         "PUSH_ALLOW_LOOPBACK": False}).test_client()
    h = factories.headers(session, world.a.caregiver, **{"Accept-Language": "en"})
    keys = Subscriber().keys()
    for endpoint in ("http://127.0.0.1:8000/api/x", "https://evil.push.apple.com/x", "https://169.254.169.254/x",
                     "http://fcm.googleapis.com/fcm/send/x"):
        r = client.post("/api/push/subscriptions", json={"endpoint": endpoint, "keys": keys}, headers=h)
        assert r.status_code == 422, endpoint
        body = r.get_json()
        assert body["reason"] == "push_endpoint_refused" and body["errors"]["endpoint"]
        assert "known push service" in body["message"]
    assert session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    r = client.post("/api/push/subscriptions", json={"endpoint": "https://fcm.googleapis.com/fcm/send/ok", "keys": keys},
                    headers=h)
    assert r.status_code == 201


def test_an_old_bad_row_is_never_posted(app, session, world):
    with PushService() as push:
        sub = Subscriber()
        good = push.endpoint("good", sub)
        # stored before the check existed: an address inside our network, not a push service
        session.add(PushSubscription(user_id=world.a.staff.id, endpoint=good.replace("/push/good", "/push/bad")
                                     .replace("127.0.0.1", "localhost"), **sub.keys()))
        session.flush()
        notes = service.notify(session, user_ids=[world.a.staff.id], kind="visit_gap", title="t", body="b",
                               dedupe_key="k")
        settings = service.NotifySettings.from_config({**app.config, "VAPID_PRIVATE_KEY": PEM})
        counts = service.deliver(session, notes, settings, now=NOON)
        assert counts["push_failed"] == 1 and counts["push_sent"] == 0
        assert push.received == []
        d = session.scalar(select(Delivery).where(Delivery.channel == "webpush"))
        assert "endpoint refused" in d.error and "localhost is not a known push service" in d.error
