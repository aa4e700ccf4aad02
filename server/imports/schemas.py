import json

import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from server.errors import message
from server.fields import Id
from server.guards import control_paths
from server.imports.models import IMPORT_KINDS
from server.imports.service import FIRST_PAGE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadSchema(ma.Schema):
    """multipart/form-data: the file, what it lists, and (district admins) the township."""

    file = Upload(required=True, metadata={"description": ".xlsx or .csv (GB18030/GBK, UTF-8, UTF-8 with BOM)"})
    kind = ma.fields.String(load_default="persons", validate=validate.OneOf(IMPORT_KINDS))
    place_id = Id(load_default=None, allow_none=True,
                                 metadata={"description": "the township; district admins only (staff: their own)"})


class JsonObject(ma.fields.Field):
    """A form field holding a JSON object (multipart forms carry text only)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            out = json.loads(value) if isinstance(value, str) else value
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            raise ma.ValidationError("a JSON object") from None
        if not isinstance(out, dict) or len(out) > 200:
            raise ma.ValidationError("a JSON object of at most 200 entries")
        if control_paths(out):
            raise ma.ValidationError(message("control_characters"))
        return out


class ImportFormSchema(ma.Schema):
    kind = ma.fields.String(load_default="persons", validate=validate.OneOf(IMPORT_KINDS))
    place_id = Id(load_default=None, allow_none=True)
    mapping = JsonObject(load_default=None, allow_none=True)


class KindQuerySchema(ma.Schema):
    kind = ma.fields.String(load_default="persons", validate=validate.OneOf(IMPORT_KINDS))


class ExportQuerySchema(KindQuerySchema):
    place_id = Id(load_default=None, metadata={"description": "the township (staff: their own)"})


class ApplyQuerySchema(ma.Schema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")),
                              metadata={"description": "xlsx: the printable logins sheet instead of JSON "
                                                       f"(or send Accept: {XLSX})"})
    sheet = ma.fields.Boolean(load_default=False, metadata={
        "description": "JSON only: also carry the printable logins sheet, base64, in logins_sheet — the passwords "
                       "are issued once, so a screen that shows them and offers the sheet needs both from one call"})


class RowErrorSchema(ma.Schema):
    row = ma.fields.Integer(metadata={"description": "the row number Excel shows"})
    column = ma.fields.String(metadata={"description": "the column's header as written in the file"})
    message = ma.fields.String()


class PlanRowSchema(ma.Schema):
    """A row of the preview, in the roster's words."""

    row = ma.fields.Integer(metadata={"description": "the row number Excel shows"})
    action = ma.fields.String(metadata={"description": "create | update | unchanged"})
    name = ma.fields.String()
    changes = ma.fields.Dict(metadata={
        "description": "{field: {column, from, to}} in the roster's words (救助类别：低保 → 特困)"})
    id_number_masked = ma.fields.String(metadata={"description": "persons, pairings"})
    person_id = Id(allow_none=True, metadata={"description": "persons, pairings: the existing person (null: new)"})
    caregiver = ma.fields.Dict(metadata={"description": "persons: {name, phone, new_login}"})
    agreement = ma.fields.String(allow_none=True, metadata={"description": "persons: sign | replace | keep"})
    cadre = ma.fields.Dict(metadata={"description": "pairings: {name, phone, unit, new_login}"})
    warning = ma.fields.String(allow_none=True, metadata={
        "description": "pairings: where the cadre then stands outside the \"321\" rule"})
    phone = ma.fields.String(metadata={"description": "volunteers"})
    user_id = Id(allow_none=True, metadata={"description": "volunteers: the existing login (null: new)"})
    team = ma.fields.String(allow_none=True, metadata={"description": "volunteers: the team's name"})
    new_team = ma.fields.Boolean(metadata={"description": "volunteers: the team is new"})


class MissingSchema(ma.Schema):
    """In the township but not in the file: listed, never deleted."""

    id = Id(metadata={"description": "the person (persons, pairings) or the volunteer's login"})
    name = ma.fields.String()
    village = ma.fields.String(allow_none=True, metadata={"description": "persons, pairings"})
    id_number_masked = ma.fields.String(metadata={"description": "persons, pairings"})
    phone = ma.fields.String(metadata={"description": "volunteers"})


class CountsSchema(ma.Schema):
    rows = ma.fields.Integer()
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    unchanged = ma.fields.Integer()
    errors = ma.fields.Integer(metadata={"description": "error entries"})
    error_rows = ma.fields.Integer()


class ImportSchema(ma.Schema):
    id = Id()
    status = ma.fields.String(metadata={"description": "dry_run | applied | failed | expired"})
    kind = ma.fields.String()
    filename = ma.fields.String()
    sha256 = ma.fields.String()
    size = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    created_by = Id()
    applied_at = ma.fields.DateTime(allow_none=True)
    applied_by = Id(allow_none=True)
    error = ma.fields.String(allow_none=True)
    rows_done = ma.fields.Integer(metadata={"description": "rows written so far by an apply under way (poll it)"})
    township = ma.fields.Dict()
    counts = ma.fields.Nested(CountsSchema)
    applied_counts = ma.fields.Dict()
    plan_rows = ma.fields.Integer(metadata={
        "description": "rows the apply would write or leave alone (the preview keeps up to 200 of them: plan_total)"})
    plan = ma.fields.List(ma.fields.Nested(PlanRowSchema), metadata={
        "description": f"the first {FIRST_PAGE} rows of the preview; the rest from GET /api/imports/{{id}}/plan. The "
                       "preview: every row of a file of up to 200, else 200 rows, those that change something "
                       "first (updated, then new), in the file's order"})
    plan_total = ma.fields.Integer(metadata={"description": "rows of the preview (at most 200; plan_rows: all)"})
    plan_next = ma.fields.String(allow_none=True, metadata={
        "description": "the cursor of the preview's next page, as ``after`` of GET /api/imports/{id}/plan (null: "
                       "none)"})
    errors = ma.fields.List(ma.fields.Nested(RowErrorSchema), metadata={
        "description": f"the first {FIRST_PAGE} errors, in the file's order; the rest from GET "
                       "/api/imports/{id}/errors"})
    errors_total = ma.fields.Integer(metadata={"description": "error entries in all (counts.errors)"})
    errors_next = ma.fields.String(allow_none=True, metadata={
        "description": "the cursor of the next page of errors, as ``after`` of GET /api/imports/{id}/errors (null: "
                       "none)"})
    missing = ma.fields.List(ma.fields.Nested(MissingSchema), metadata={
        "description": f"the first {FIRST_PAGE} of those in the township but not in the file (never deleted); the "
                       "rest from GET /api/imports/{id}/missing"})
    missing_total = ma.fields.Integer(metadata={"description": "how many are in the township but not in the file"})
    missing_next = ma.fields.String(allow_none=True, metadata={
        "description": "the cursor of the next page of missing, as ``after`` of GET /api/imports/{id}/missing "
                       "(null: none)"})
    unknown_headers = ma.fields.List(ma.fields.String(), metadata={"description": "the headers of columns not read"})
    columns = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "how each column of the file's header row was read: column (A, B, …), header, field (the "
                       "layout's column key, null: 未识别), by (mapping | name | meaning | duplicate | null)"})
    fields = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "the layout's columns a file's column may be mapped to: key, header, required"})


class ImportLoginSchema(ma.Schema):
    username = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    persons = ma.fields.List(ma.fields.String())
    one_time_password = ma.fields.String(metadata={"description": "shown this once; only its hash is stored"})


class AppliedSchema(ImportSchema):
    logins = ma.fields.List(ma.fields.Nested(ImportLoginSchema), metadata={
        "description": "the logins this import created, with one-time passwords: returned once, never again"})
    logins_sheet = ma.fields.String(metadata={"description": "with ?sheet=true: the XLSX of ?format=xlsx, base64"})
    address = ma.fields.String(metadata={"description": "the app's address the logins sheet prints (PUBLIC_URL, or "
                                                        "the request's)"})
