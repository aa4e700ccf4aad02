"""The OpenAPI layer, one per app (tests build many apps in one process)."""

import marshmallow as ma
from flask_smorest import Api as _Api
from flask_smorest.error_handler import ErrorSchema as _ErrorSchema

from server.errors import error_payload


class ErrorSchema(_ErrorSchema):
    reason = ma.fields.String(metadata={"description": "stable key of the message, for programs"})


class Api(_Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        return error_payload(error)


API_SETTINGS = {
    "API_TITLE": "zhaoying 照应",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # served from the installed swagger-ui-bundle package (server/security.py), never a CDN
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/static/",
    "API_SPEC_OPTIONS": {
        "info": {"description": "Home-visit care for people in extreme difficulty under decentralised support."},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    },
}


def make_api() -> Api:
    return Api()
