"""Real HTTP servers on 127.0.0.1 standing in for a Web Push service and an SMS gateway.

The push service does what a real one must: it checks the VAPID token (RFC 8292: an ES256 JWT
whose `aud` is this origin, signed by the key in `k`) and, with the subscription's private key
and auth secret, decrypts the message (RFC 8291, aes128gcm), keeping the plain text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Subscriber:
    """A browser's side of a subscription: its key pair and auth secret."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def keys(self) -> dict:
        public = self.private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                            serialization.PublicFormat.UncompressedPoint)
        return {"p256dh": b64u(public), "auth": b64u(self.auth)}


class _Server:
    def __init__(self, handler_cls):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.httpd.owner = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class PushService(_Server):
    """Accepts pushes at /push/<name>; /push/gone-* answers 410. Decrypts with the registered subscriber."""

    def __init__(self):
        self.subscribers: dict[str, Subscriber] = {}
        self.received: list[dict] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        super().__init__(_PushHandler)

    def endpoint(self, name: str, subscriber: Subscriber) -> str:
        self.subscribers[f"/push/{name}"] = subscriber
        return f"{self.url}/push/{name}"


def verify_vapid(header: str, audience: str) -> dict:
    scheme, _, params = header.partition(" ")
    assert scheme == "vapid", header
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    token, key = fields["t"], fields["k"]
    head_b64, claims_b64, sig_b64 = token.split(".")
    head = json.loads(unb64u(head_b64))
    assert head["alg"] == "ES256" and head.get("typ", "JWT") == "JWT"
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64u(key))
    sig = unb64u(sig_b64)
    public.verify(encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")),
                  f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unb64u(claims_b64))
    assert claims["aud"] == audience, claims
    assert claims["exp"] > time.time() and claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith("mailto:") or claims["sub"].startswith("https:")
    return {"claims": claims, "key": key}


class _PushHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        owner: PushService = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/push/gone"):
            self.send_response(410)
            self.end_headers()
            return
        try:
            vapid = verify_vapid(self.headers["Authorization"], owner.url)
            subscriber = owner.subscribers[self.path]
            assert self.headers["Content-Encoding"] == "aes128gcm"
            plain = http_ece.decrypt(body, private_key=subscriber.private_key, auth_secret=subscriber.auth,
                                     version="aes128gcm")
            with owner.lock:
                owner.received.append({"path": self.path, "payload": json.loads(plain), "ttl": self.headers["TTL"],
                                       "urgency": self.headers.get("Urgency"), "topic": self.headers.get("Topic"),
                                       "vapid": vapid})
            self.send_response(201)
        except Exception as exc:  # a bad message is a test failure, reported by the test
            owner.errors.append(repr(exc))
            self.send_response(400)
        self.end_headers()


class SmsGateway(_Server):
    """Checks the HMAC signature; answers the status codes it is told to, in turn, then 200."""

    def __init__(self, secret: str, script: list[int] | None = None):
        self.secret = secret
        self.script = list(script or [])
        self.received: list[dict] = []
        self.attempts = 0
        super().__init__(_SmsHandler)


class _SmsHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        owner: SmsGateway = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        owner.attempts += 1
        expected = "sha256=" + hmac.new(owner.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, self.headers.get("X-Zhaoying-Signature", "")):
            self.send_response(401)
            self.end_headers()
            return
        status = owner.script.pop(0) if owner.script else 200
        if status == 200:
            owner.received.append(json.loads(body))
        self.send_response(status)
        self.end_headers()
