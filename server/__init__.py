"""zhaoying (照应): the Flask app factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, send_from_directory
from flask_compress import Compress
from flask_smorest.spec.plugins import integerconverter2paramschema
from werkzeug.middleware.proxy_fix import ProxyFix

from server import db, guards, security
from server import settings as settings_module
from server.auth.service import make_hasher
from server.config import PROJECT_ROOT, ConfigError, load_settings
from server.errors import ServiceError, fail
from server.extensions import API_SETTINGS, make_api
from server.fields import IdConverter
from server.photos.storage import StorageUnavailable
from server.wiring import Settings
# the rooms that subscribe to the events of the rooms below them (server/*/events.py), or register
# their answers with them (people's scopes, an alert's visit, a report), imported here so that
# every process — the app, the scheduler, a command — has them listening
from server.activities import service as _volunteer_scope  # noqa: F401  (whom a volunteer sees)
from server.care import service as _caregiver_scope  # noqa: F401  (whom a caregiver sees, and who cares for whom)
from server.casework import evaluations as _evaluation_reports  # noqa: F401  (its reports, by name)
from server.casework import fraud as _fraud_watch  # noqa: F401  (visits rejected as not done: 疑似虚报)
from server.casework import relief as _relief_events  # noqa: F401  (a relief paid on resolving an alert; 临时救助月报)
from server.pairing import service as _cadre_scope  # noqa: F401  (whom a cadre sees, and checks in under)
from server.quotas import events as _month_events  # noqa: F401  (closed months: what amends them)
from server.reports import events as _care_month  # noqa: F401  (a closed month's care-home record)
from server.quotas import policy as _late_days  # noqa: F401  (when a visit is submitted late)
from server.spotchecks import service as _spot_check_badge  # noqa: F401  (the staff home's tile)
from server.users import service as _password_audit  # noqa: F401  (one's own password change, audited)
from server.visits import alert_context as _alert_context  # noqa: F401  (the visit beside an alert)

PWA_DIR = PROJECT_ROOT / "pwa"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. No side effects: it never migrates, seeds or writes files.

    ``config`` overrides the settings read from the environment; a ``DATABASE``
    entry (a ``server.db.Database``) replaces the one built from DATABASE_URL.
    """
    config = dict(config or {})
    env = dict(os.environ)
    if config.get("INSTANCE_DIR"):
        # files generated into an instance folder (secret key, VAPID key) come from the one in use
        env["INSTANCE_DIR"] = str(config["INSTANCE_DIR"])
    settings = load_settings(env)
    settings.update(config)
    app = Flask(__name__, instance_path=str(settings["INSTANCE_DIR"]), static_folder=None)
    app.config.update(API_SETTINGS)
    app.config["JSON_AS_ASCII"] = False
    app.config.update(settings)
    app.config.setdefault("MAX_CONTENT_LENGTH", max_content_length(settings))
    if not app.config.get("SECRET_KEY"):
        raise ConfigError("SECRET_KEY is unset and instance/secret_key is missing: run `zhaoying init` first")
    app.json.ensure_ascii = False

    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=app.config["PROXY_COUNT"])

    app.extensions[settings_module.EXTENSION_KEY] = Settings.from_config(app.config)

    database = app.config.pop("DATABASE", None) or db.Database(app.config["DATABASE_URL"])
    db.init_app(app, database)
    guards.init_app(app)
    app.extensions["zhaoying.hasher"] = make_hasher(
        time_cost=app.config["ARGON2_TIME_COST"], memory_kib=app.config["ARGON2_MEMORY_KIB"]
    )

    # every id in a path is <id:…>: out of the database's range it is a 404, not a query
    app.url_map.converters["id"] = IdConverter
    api = make_api()
    api.register_converter(IdConverter, integerconverter2paramschema)
    api.init_app(app)
    app.extensions["zhaoying.api"] = api
    from server.activities import service as activities_service
    from server.activities.routes import blp as activities_blp
    from server.activities.schemas import ActivityCreateSchema, ActivityMultipartSchema
    from server.alerts.routes import blp as alerts_blp
    from server.assessments.routes import blp as assessments_blp
    from server.audit.routes import blp as audit_blp
    from server.auth.routes import blp as auth_blp
    from server.campaigns.routes import blp as campaigns_blp
    from server.care.routes import blp as agreements_blp
    from server.care.routes import homes_blp
    from server.casework.routes import blp as casework_blp
    from server.homeservices import service as homeservices_service
    from server.homeservices.routes import blp as homeservices_blp
    from server.homeservices.schemas import (
        ServiceRecordCreateSchema,
        ServiceRecordMultipartSchema,
    )
    from server.imports.routes import blp as imports_blp
    from server.intake.routes import blp as intake_blp
    from server.lifecycle.routes import blp as lifecycle_blp
    from server.notify.routes import blp as notify_blp
    from server.pairing.routes import blp as pairing_blp
    from server.pairing.routes import festivals_blp
    from server.people.routes import blp as persons_blp
    from server.photos import service as photos_service
    from server.photos.routes import blp as photos_blp
    from server.places.routes import blp as places_blp
    from server.privacy.routes import blp as privacy_blp
    from server.quotas.routes import blp as quotas_blp
    from server.reports.routes import blp as reports_blp
    from server.reviews.routes import blp as reviews_blp
    from server.spotchecks.routes import blp as spotchecks_blp
    from server.users.routes import blp as users_blp
    from server.visits import service as visits_service
    from server.visits.routes import blp as visits_blp
    from server.visits.schemas import VisitCreateSchema, VisitMultipartSchema

    # The check-in body is parsed by hand (multipart or JSON); its two shapes are named here
    # so the documented request body is whole.
    api.spec.components.schema("VisitCreate", schema=VisitCreateSchema)
    api.spec.components.schema("VisitMultipart", schema=VisitMultipartSchema)
    api.spec.components.schema("ActivityCreate", schema=ActivityCreateSchema)
    api.spec.components.schema("ActivityMultipart", schema=ActivityMultipartSchema)
    api.spec.components.schema("ServiceRecordCreate", schema=ServiceRecordCreateSchema)
    api.spec.components.schema("ServiceRecordMultipart", schema=ServiceRecordMultipartSchema)
    # a photo is read on its owner's rule: each owning domain tells the photos which
    photos_service.register_reader("visit", visits_service.read_photo)
    photos_service.register_reader("activity", activities_service.read_photo)
    photos_service.register_reader("service", homeservices_service.read_photo)
    for blueprint in (auth_blp, users_blp, places_blp, persons_blp, agreements_blp, audit_blp, visits_blp, photos_blp,
                      quotas_blp, alerts_blp, notify_blp, homes_blp,
                      assessments_blp, activities_blp, reports_blp, privacy_blp, imports_blp,
                      homeservices_blp, campaigns_blp, lifecycle_blp, reviews_blp, pairing_blp, festivals_blp,
                      casework_blp, spotchecks_blp):
        api.register_blueprint(blueprint)
    api.register_blueprint(intake_blp)  # issue 29 part 4
    # issue 29 part 5: the agreement's paper and the organisations holding agreements; the care
    # content comes from the visits' catalogue; an organisation's staff check in for its persons
    from server.auth.roles import CAREGIVER
    from server.care import documents as agreement_documents
    from server.care import organisations as care_organisations
    from server.care.document_routes import blp as agreement_papers_blp
    from server.visits import catalogue as visit_catalogue

    agreement_documents.uses_catalogue(services_for=visit_catalogue.services_for,
                                       codes=lambda: frozenset(visit_catalogue.SERVICES))
    visits_service.checks_in_by(CAREGIVER)(care_organisations.checkin_tie)
    api.register_blueprint(agreement_papers_blp)

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError):
        return error.payload()

    @app.errorhandler(StorageUnavailable)
    def _storage_unavailable(error: StorageUnavailable):
        # the request's transaction is rolled back and its files discarded; the outbox sends again later
        app.logger.warning("photo store: %s", error)
        return ServiceError(503, "photo_store_unavailable").payload()

    photo_settings = app.extensions[settings_module.EXTENSION_KEY].photos
    security.init_app(app, docs_public=app.config["API_DOCS_PUBLIC"],
                      photo_origin=photo_settings.storage.public_origin() if photo_settings.storage else None)
    # gzip or brotli for the shell and the API's JSON: a weak rural link pays for every byte
    for key, value in COMPRESS_SETTINGS.items():
        app.config.setdefault(key, value)
    Compress(app)
    _serve_pwa(app, Path(app.config.get("PWA_DIR") or PWA_DIR))
    return app


COMPRESS_SETTINGS = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                           "application/manifest+json", "image/svg+xml"],
    "COMPRESS_MIN_SIZE": 500,
}


def max_content_length(c) -> int:
    """The largest request body: a check-in's photos within their pixel budget (a camera JPEG is
    well under a byte a pixel, so at most PHOTO_MAX_TOTAL_PIXELS bytes, and never more than every
    photo at its byte limit) or a roster file, plus 1 MiB of form fields."""
    photos = min(c["PHOTO_MAX_BYTES"] * c["PHOTO_MAX_COUNT"], c["PHOTO_MAX_TOTAL_PIXELS"])
    return max(photos, c["IMPORT_MAX_BYTES"]) + 1024 * 1024


def _serve_pwa(app: Flask, root: Path) -> None:
    """The PWA is static files; every path that is not the API falls back to them."""

    @app.get("/")
    def pwa_index():
        return _pwa_file(root, "index.html")

    @app.get("/<path:filename>")
    def pwa_file(filename: str):
        if filename == "api" or filename.startswith("api/"):
            fail(404, "not_found")
        return _pwa_file(root, filename)


def _pwa_file(root: Path, filename: str):
    mimetype = "application/manifest+json" if filename.endswith(".webmanifest") else None
    response = send_from_directory(root, filename, max_age=0, mimetype=mimetype)
    # read whole (the shell's files are small): a body held in memory is compressed with gzip
    # too, and conditional requests are answered on the compressed variant's ETag
    opened = response.response
    response.direct_passthrough = False
    response.make_sequence()
    opened.close()
    # The service worker and the shell must be revalidated so a new version reaches phones.
    response.headers["Cache-Control"] = "no-cache"
    return response
