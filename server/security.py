"""Response headers every answer carries, and who may read the API documentation.

The PWA runs under a strict Content-Security-Policy (no inline script or style attribute; the
app sets styles through CSSOM). API JSON is never cached (``no-store``); the PWA's files keep
their revalidation headers, downloads and photos their own private ones. Swagger UI is served
from the installed ``swagger-ui-bundle`` package, not a CDN; its page relaxes only style-src
(Swagger UI writes inline styles). Unless API_DOCS_PUBLIC is set, /api/docs and
/api/openapi.json need a staff or district admin bearer token.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request, send_from_directory

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
       "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
       "object-src 'none'")
# the docs page only: Swagger UI sets inline styles; scripts stay 'self'
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

DOCS_PATH = "/api/docs"
DOCS_STATIC = "/api/docs/static/"
OPENAPI_JSON = "/api/openapi.json"
OWN_STATIC = Path(__file__).resolve().parent / "static"


def swagger_ui_dir() -> Path:
    import swagger_ui_bundle

    return Path(swagger_ui_bundle.swagger_ui_path)


def with_photo_origin(csp: str, origin: str | None) -> str:
    """The policy letting the app fetch photos from object storage at ``origin`` (the photo route
    redirects there), or ``csp`` itself when photos come from the app."""
    if not origin:
        return csp
    return (csp.replace("img-src 'self' blob: data:", f"img-src 'self' blob: data: {origin}")
            .replace("connect-src 'self'", f"connect-src 'self' {origin}"))


def init_app(app: Flask, *, docs_public: bool, photo_origin: str | None = None) -> None:
    csp, docs_csp = with_photo_origin(CSP, photo_origin), with_photo_origin(DOCS_CSP, photo_origin)

    @app.after_request
    def _headers(response):
        path = request.path
        docs = path == DOCS_PATH or path.startswith(DOCS_STATIC)
        response.headers["Content-Security-Policy"] = docs_csp if docs else csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if path.startswith("/api/") and response.mimetype == "application/json":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.get(DOCS_STATIC + "<path:filename>")
    def api_docs_static(filename: str):
        if filename == "zhaoying-docs.js":
            return send_from_directory(OWN_STATIC, filename, max_age=0)
        return send_from_directory(swagger_ui_dir(), filename, max_age=3600)

    if not docs_public:
        @app.before_request
        def _docs_behind_login():
            if request.path in (DOCS_PATH, OPENAPI_JSON):
                from server.auth.current import login_required
                from server.auth.roles import STAFF_ROLES

                return login_required(*STAFF_ROLES)(lambda: None)()
            return None
