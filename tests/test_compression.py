"""Issue 11: the shell and the API's JSON go out compressed to a client that accepts it (a 3G-like
link pays for every byte), and as they are to one that does not."""

import gzip
import json
from pathlib import Path

import brotli
import pytest

PWA = Path(__file__).resolve().parents[1] / "pwa"


@pytest.mark.parametrize("encoding, decode", [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_a_script_goes_out_compressed(client, encoding, decode):
    r = client.get("/app.js", headers={"Accept-Encoding": encoding})
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in r.headers["Vary"]
    original = (PWA / "app.js").read_bytes()
    assert decode(r.data) == original
    assert int(r.headers["Content-Length"]) == len(r.data) < len(original) / 2


def test_json_goes_out_compressed_when_accepted(client):
    r = client.get("/api/visits/catalogue", headers={"Accept-Encoding": "gzip, deflate"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(r.data))
    assert {s["code"] for s in body["services"]} >= {"home_cleaning", "bathing"}


def test_nothing_is_compressed_for_a_client_that_does_not_accept_it(client):
    for path in ("/app.js", "/api/visits/catalogue"):
        r = client.get(path, headers={"Accept-Encoding": "identity"})
        assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert client.get("/app.js", headers={"Accept-Encoding": "identity"}).data == (PWA / "app.js").read_bytes()


def test_a_compressed_file_is_revalidated(client):
    first = client.get("/staff.js", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    again = client.get("/staff.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
