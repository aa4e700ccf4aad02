"""Issue 14 part 6: security headers on every answer, no-store on API JSON, Swagger UI served
locally, and the API documentation behind a staff login unless API_DOCS_PUBLIC."""

import pytest

from server import create_app
from server.security import CSP
from tests import factories

STRICT = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
          "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
          "object-src 'none'")


def common(r):
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_the_pwa_has_the_strict_csp_and_keeps_revalidation(client):
    assert CSP == STRICT
    for path in ("/", "/app.js", "/sw.js"):
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["Content-Security-Policy"] == STRICT
        assert r.headers["Cache-Control"] == "no-cache"
        common(r)
        r.close()


@pytest.mark.parametrize("path", ["/api/health", "/api/visits/catalogue", "/api/nothing-here"])
def test_api_json_is_never_stored(client, path):
    r = client.get(path)
    assert r.mimetype == "application/json"
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Content-Security-Policy"] == STRICT
    common(r)


def test_an_authenticated_api_answer_too(client, session, world):
    r = client.get("/api/persons", headers=factories.headers(session, world.a.staff))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    common(r)


def test_downloads_keep_private_no_store(client, session, world):
    r = client.get("/api/reports/annex1?format=csv", headers=factories.headers(session, world.admin))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    common(r)


def test_docs_need_a_staff_login_by_default(client, session, world):
    for path in ("/api/docs", "/api/openapi.json"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=factories.headers(session, world.a.caregiver)).status_code == 403
        assert client.get(path, headers=factories.headers(session, world.a.staff)).status_code == 200


def test_swagger_ui_is_served_locally_with_its_own_csp(app_config):
    client = create_app({**app_config, "API_DOCS_PUBLIC": True}).test_client()
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    page = docs.data.decode()
    assert "cdn.jsdelivr" not in page and "/api/docs/static/swagger-ui-bundle.js" in page
    assert "<script>" not in page  # no inline script: script-src stays 'self'
    csp = docs.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self' 'unsafe-inline'" in csp and "frame-ancestors 'none'" in csp
    common(docs)
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "zhaoying-docs.js"):
        r = client.get(f"/api/docs/static/{name}")
        assert r.status_code == 200 and len(r.data) > 100, name
        common(r)
        r.close()
    assert client.get("/api/docs/static/../config.py").status_code == 404
    assert client.get("/api/openapi.json").status_code == 200
