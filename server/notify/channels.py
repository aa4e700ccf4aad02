"""The channels a notification travels by, free of Flask: Web Push (VAPID, RFC 8291/8292) and
an HMAC-signed webhook for a township's SMS gateway. Chrome on Android pushes through FCM,
which does not reach mainland China, so Web Push is never the only way."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlparse

import requests
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from server.config import DEFAULT_PUSH_ENDPOINT_HOSTS

# looked up at call time, so a test can put its own resolver here
resolve = socket.getaddrinfo


@dataclass(frozen=True)
class EndpointPolicy:
    """Which push endpoints the server will ever POST to: https, a host of a known push
    service, and no address inside our own network (a blind SSRF otherwise). ``allow_loopback``
    is for the tests' loopback push service only (http on 127.0.0.1 too); never on by default."""

    hosts: tuple[str, ...] = DEFAULT_PUSH_ENDPOINT_HOSTS
    allow_loopback: bool = False

    @classmethod
    def from_config(cls, c) -> "EndpointPolicy":
        hosts = c.get("PUSH_ENDPOINT_HOSTS") or DEFAULT_PUSH_ENDPOINT_HOSTS
        if isinstance(hosts, str):
            hosts = tuple(h.strip().lower() for h in hosts.split(",") if h.strip())
        return cls(hosts=tuple(hosts), allow_loopback=bool(c.get("PUSH_ALLOW_LOOPBACK")))

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        for pattern in self.hosts:
            if pattern.startswith("*."):
                if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                    return True
            elif host == pattern:
                return True
        return False

    def problem(self, endpoint: str) -> str | None:
        """None when ``endpoint`` may be POSTed to; otherwise what is wrong with it, in words."""
        try:
            url = urlparse(endpoint)
            host, port = url.hostname, url.port
        except ValueError:
            return "not a URL"
        if not host:
            return "not a URL"
        if not self.host_allowed(host):
            return f"{host} is not a known push service"
        if url.scheme != "https" and not (self.allow_loopback and url.scheme == "http"):
            return "a push endpoint must be https"
        try:
            infos = resolve(host, port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return f"{host} does not resolve"
        addresses = {info[4][0] for info in infos}
        if not addresses:
            return f"{host} does not resolve"
        for raw in addresses:
            address = ipaddress.ip_address(raw.split("%", 1)[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            if address.is_loopback:
                if self.allow_loopback:
                    continue
                return f"{host} resolves to a loopback address"
            if (address.is_private or address.is_link_local or address.is_reserved or address.is_multicast
                    or address.is_unspecified or not address.is_global):
                return f"{host} resolves to a private or reserved address"
        if url.scheme != "https" and not all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses):
            return "a push endpoint must be https"
        return None


def generate_vapid_pem() -> str:
    vapid = Vapid()
    vapid.generate_keys()
    return vapid.private_pem().decode()


def vapid_from(pem_or_raw: str) -> Vapid:
    if "BEGIN" in pem_or_raw:
        return Vapid.from_pem(pem_or_raw.encode())
    return Vapid.from_raw(pem_or_raw.encode())


def public_key_b64(vapid: Vapid) -> str:
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class PushTarget:
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushResult:
    subscription_id: int
    status: str  # sent | gone | failed
    http_status: int | None
    error: str | None = None


class WebPushSender:
    """Sends on a pool of threads over reused HTTP sessions (one per thread)."""

    def __init__(self, vapid: Vapid, *, subject: str, ttl: int, timeout: float, workers: int,
                 endpoints: EndpointPolicy | None = None):
        self.vapid, self.subject, self.ttl, self.timeout, self.workers = vapid, subject, ttl, timeout, workers
        self.endpoints = endpoints or EndpointPolicy()
        self._checked: dict[str, tuple[float, str | None]] = {}  # origin -> (until, problem), a minute each
        self._sessions: dict[int, requests.Session] = {}
        self._signed: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def _vapid_headers(self, endpoint: str) -> dict:
        """The VAPID token for the push service's origin, signed once an hour rather than once a
        message (a fan-out goes to a handful of origins). A fresh claims dict each time: py_vapid
        and pywebpush write into the claims they are given."""
        url = urlparse(endpoint)
        aud = f"{url.scheme}://{url.netloc}"
        now = time.time()
        with self._lock:
            cached = self._signed.get(aud)
            if cached is None or cached[0] < now:
                claims = {"sub": self.subject, "aud": aud, "exp": int(now) + 12 * 3600}
                cached = self._signed[aud] = (now + 3600, dict(self.vapid.sign(claims)))
            return dict(cached[1])

    def _session(self) -> requests.Session:
        key = threading.get_ident()
        if key not in self._sessions:
            self._sessions[key] = requests.Session()
        return self._sessions[key]

    def endpoint_problem(self, endpoint: str) -> str | None:
        """The endpoint policy, checked again at send time (a row stored before the policy, or a
        host that now resolves inside our network, is never POSTed); cached a minute per origin."""
        url = urlparse(endpoint)
        origin = f"{url.scheme}://{url.netloc}"
        now = time.monotonic()
        with self._lock:
            cached = self._checked.get(origin)
        if cached is None or cached[0] < now:
            cached = (now + 60, self.endpoints.problem(endpoint))
            with self._lock:
                self._checked[origin] = cached
        return cached[1]

    def send_one(self, target: PushTarget, payload: dict, *, urgent: bool, topic: str | None) -> PushResult:
        problem = self.endpoint_problem(target.endpoint)
        if problem is not None:
            return PushResult(target.subscription_id, "failed", None, f"endpoint refused: {problem}"[:300])
        headers = {"Urgency": "high" if urgent else "normal", **self._vapid_headers(target.endpoint)}
        if topic:
            # RFC 8030 topic: ≤ 32 URL-safe characters; a newer message replaces an undelivered one.
            headers["Topic"] = base64.urlsafe_b64encode(hashlib.sha256(topic.encode()).digest()[:24]).decode()[:32]
        try:
            # pywebpush encrypts (RFC 8291 aes128gcm); the POST is ours, on this thread's session.
            encoded = WebPusher({"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}) \
                .encode(json.dumps(payload, ensure_ascii=False).encode(), "aes128gcm")
        except (WebPushException, ValueError) as exc:
            return PushResult(target.subscription_id, "failed", None, f"bad subscription keys: {exc}"[:300])
        headers.update({"Content-Encoding": "aes128gcm", "TTL": str(self.ttl)})
        try:
            response = self._session().post(target.endpoint, data=encoded["body"], headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            return PushResult(target.subscription_id, "failed", None, str(exc)[:300])
        if response.status_code in (200, 201, 202):
            return PushResult(target.subscription_id, "sent", response.status_code)
        status = "gone" if response.status_code in (404, 410) else "failed"
        return PushResult(target.subscription_id, status, response.status_code, response.text[:300] or None)

    def send_many(self, jobs: list[tuple[PushTarget, dict, bool, str | None]]) -> list[PushResult]:
        if not jobs:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(jobs))) as pool:
            return list(pool.map(lambda j: self.send_one(j[0], j[1], urgent=j[2], topic=j[3]), jobs))


@dataclass(frozen=True)
class WebhookResult:
    status: str  # sent | failed
    http_status: int | None
    attempts: int
    error: str | None = None


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(url: str, secret: str, message: dict, *, retries: int, backoff: float, timeout: float = 10.0,
                 sleep=time.sleep) -> WebhookResult:
    """POST ``message`` as JSON with ``X-Zhaoying-Signature: sha256=<hex HMAC of the body>``;
    retry 5xx, 429 and network errors with exponential backoff; a 4xx is final."""
    body = json.dumps(message, ensure_ascii=False, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "X-Zhaoying-Signature": f"sha256={sign(secret, body)}",
               "X-Zhaoying-Timestamp": str(int(time.time()))}
    error, code = None, None
    for attempt in range(1, retries + 1):
        try:
            r = requests.post(url, data=body, headers=headers, timeout=timeout)
            code = r.status_code
            if r.status_code < 300:
                return WebhookResult("sent", code, attempt)
            error = f"HTTP {r.status_code}"
            if 400 <= r.status_code < 500 and r.status_code != 429:
                return WebhookResult("failed", code, attempt, error)
        except requests.RequestException as exc:
            error, code = str(exc)[:300], None
        if attempt < retries:
            sleep(backoff * 2 ** (attempt - 1))
    return WebhookResult("failed", code, retries, error)
