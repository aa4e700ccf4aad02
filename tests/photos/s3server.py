"""An S3-compatible server on loopback for the tests: moto in server mode (its S3 keeps the
objects), with the check real S3 makes of a presigned URL in front of it.

moto (5.2) serves a presigned GET without checking its signature or its expiry. Real S3 answers
403 AccessDenied ("Request has expired") once X-Amz-Date + X-Amz-Expires has passed, and 403
SignatureDoesNotMatch for a URL whose signature is not that of its method, key and query. The
middleware below does both, SigV4 as AWS documents it (the same arithmetic botocore signs with),
against the process's clock — which the tests freeze and move with time-machine, so an expiry is
tested to the second without sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from server import clock

ACCESS_KEY, SECRET_KEY, REGION = "zhaoying-test", "zhaoying-test-secret", "us-east-1"


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _signature(secret: str, *, method: str, path: str, query: list[tuple[str, str]], host: str) -> str:
    params = dict(query)
    amz_date = params["X-Amz-Date"]
    scope = params["X-Amz-Credential"].split("/", 1)[1]
    date, region, service, _ = scope.split("/")
    canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query) if k != "X-Amz-Signature")
    signed = params["X-Amz-SignedHeaders"]
    headers = {"host": host}
    canonical_headers = "".join(f"{h}:{headers[h]}\n" for h in signed.split(";"))
    canonical = "\n".join([method, path, canonical_query, canonical_headers, signed, "UNSIGNED-PAYLOAD"])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _denied(start_response, code: str, message: str):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            "</Error>").encode()
    start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]


class PresignedCheck:
    """WSGI middleware: a request carrying X-Amz-Signature in its query is a presigned URL; it
    passes only with a valid signature, before its expiry."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        params = dict(query)
        if "X-Amz-Signature" in params:
            signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            # the tests' frozen clock (the project's one clock), not the machine's
            if clock.now() > signed_at + timedelta(seconds=int(params["X-Amz-Expires"])):
                return _denied(start_response, "AccessDenied", "Request has expired")
            expected = _signature(SECRET_KEY, method=environ["REQUEST_METHOD"],
                                  path=quote(environ.get("RAW_URI", environ["PATH_INFO"]).split("?")[0], safe="/%-_.~"),
                                  query=query, host=environ["HTTP_HOST"])
            if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
                return _denied(start_response, "SignatureDoesNotMatch",
                               "The request signature we calculated does not match the signature you provided.")
        return self.app(environ, start_response)


class CheckedMotoServer(ThreadedMotoServer):
    """moto's threaded server, its WSGI app behind ``PresignedCheck``."""

    def _server_entry(self) -> None:
        app = PresignedCheck(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
