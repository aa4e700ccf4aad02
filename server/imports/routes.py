import base64

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from server import clock, paging
from server.auth.current import current_actor, hasher, login_required
from server.auth.roles import STAFF_ROLES
from server.db import get_session
from server.downloads import download
from server.errors import fail
from server.imports import service, sheets
from server.imports.schemas import (
    XLSX,
    AppliedSchema,
    ApplyQuerySchema,
    ExportQuerySchema,
    ImportFormSchema,
    ImportSchema,
    KindQuerySchema,
    MissingSchema,
    PlanRowSchema,
    RowErrorSchema,
)
from server.settings import current as current_settings
from server.settings import today

blp = Blueprint("imports", __name__, url_prefix="/api/imports",
                description="Bring in a township's roster (花名册) or volunteer list: dry run, then apply")

_FORM = ImportFormSchema()
_UPLOAD = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary",
             "description": ".xlsx, .xls (Excel 97–2003) or .csv (GB18030/GBK, UTF-8, UTF-8 with BOM)"},
    "kind": {"type": "string", "enum": ["persons", "volunteers", "pairings"], "default": "persons"},
    "place_id": {"type": "integer", "description": "the township; district admins only (staff: their own)"},
    "mapping": {"type": "string", "description": "JSON {the file's header: a column key of the layout, or \"\" to "
                                                 "leave it unread}: remembered for the township's next file"}}}
_XLSX_RESPONSE = {"content_type": XLSX}
_BINARY = {"type": "string", "format": "binary"}


@blp.route("")
class Imports(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": _UPLOAD}}})
    @blp.response(201, ImportSchema)
    def post(self):
        """Upload a roster and get its dry run (nothing changes until it is applied)

        Township staff import for their own township; district admins name it with place_id.
        The answer counts what would be created, updated (with the changed fields) or left alone,
        and holds the first page of each long list: the errors (row as Excel shows it, the column's
        header, a message), the preview, and the persons of the township missing from the file
        (never deleted); each list's total and the cursor of its next page are beside it, the rest
        is read from /api/imports/{id}/errors, /plan and /missing."""
        if request.mimetype != "multipart/form-data" or "file" not in request.files:
            fail(422, "validation", errors={"file": ["send the spreadsheet as multipart/form-data field 'file'"]})
        try:
            form = _FORM.load({k: v for k, v in request.form.items()
                               if k in ("kind", "place_id", "mapping") and v != ""})
        except ValidationError as err:
            fail(422, "validation", errors=err.messages)
        upload = request.files["file"]
        settings = current_settings().imports
        data = upload.stream.read(settings.max_bytes + 1)
        job = service.create_import(get_session(), actor=current_actor(), kind=form["kind"], data=data,
                                    filename=upload.filename, place_id=form["place_id"], settings=settings,
                                    today=today(), now=clock.now(), mapping=form["mapping"])
        return service.present(job)


@blp.route("/template")
class Template(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(KindQuerySchema, location="query")
    @blp.response(200, _BINARY, description="the XLSX template", **_XLSX_RESPONSE)
    def get(self, args):
        """The import template: headers, an example row, drop-down lists, and a sheet explaining each column"""
        kind = args["kind"]
        return download(sheets.template_xlsx(kind), f"{sheets.layout.TITLES[kind]}（模板）", "xlsx")


@blp.route("/export")
class Export(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(200, _BINARY, description="the township's roster in the import layout", **_XLSX_RESPONSE)
    def get(self, args):
        """A township's current roster (or volunteers) in the import layout; importing it back changes nothing"""
        township, rows = service.export_rows(get_session(), actor=current_actor(), kind=args["kind"],
                                             place_id=args["place_id"])
        return download(sheets.roster_xlsx(args["kind"], rows), f"{township.name}{sheets.layout.TITLES[args['kind']]}",
                        "xlsx")


@blp.route("/<id:import_id>")
class ImportById(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, ImportSchema)
    def get(self, import_id):
        """An import's stored dry run and status

        Bounded whatever the file's size: the first page of the errors, the preview and the
        missing, with their totals and next-page cursors (the rest from the paged lists below)."""
        return service.present(service.get_import(get_session(), actor=current_actor(), import_id=import_id))


_LIST_PAGE = paging.query_schema(service.FIRST_PAGE, 200)


def _list_page(which: str, page_args: dict, import_id: int):
    return paging.respond(*service.list_page(get_session(), actor=current_actor(), import_id=import_id, which=which,
                                             page=paging.page(page_args)))


@blp.route("/<id:import_id>/errors")
class ImportErrors(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(_LIST_PAGE, location="query")
    @blp.response(200, RowErrorSchema(many=True), headers=paging.HEADERS)
    def get(self, page_args, import_id):
        """An import's errors, a page at a time, in the file's order

        The import's own answer holds the first page and errors_next, the cursor of this list's
        second."""
        return _list_page("errors", page_args, import_id)


@blp.route("/<id:import_id>/plan")
class ImportPlan(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(_LIST_PAGE, location="query")
    @blp.response(200, PlanRowSchema(many=True), headers=paging.HEADERS)
    def get(self, page_args, import_id):
        """An import's preview (up to 200 rows of its plan), a page at a time, as the import orders it"""
        return _list_page("plan", page_args, import_id)


@blp.route("/<id:import_id>/missing")
class ImportMissing(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(_LIST_PAGE, location="query")
    @blp.response(200, MissingSchema(many=True), headers=paging.HEADERS)
    def get(self, page_args, import_id):
        """Those in the township but not in an import's file (never deleted), a page at a time"""
        return _list_page("missing", page_args, import_id)


@blp.route("/<id:import_id>/apply")
class Apply(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ApplyQuerySchema, location="query")
    @blp.response(200, AppliedSchema)
    @blp.alt_response(200, schema=_BINARY, description="with ?format=xlsx or Accept: " + XLSX + ": the printable sheet of the "
                      "new logins and their one-time passwords (counts in X-Import-* headers)",
                      content_type=XLSX, success=True)
    def post(self, args, import_id):
        """Apply exactly the dry run that was shown

        Refused (409) when the file had errors or the data it touches changed since the dry run.
        Written in batches, through the same services as the screens; audited with the file's
        SHA-256. The logins it creates come back with their one-time passwords, this once only."""
        job, applied = service.apply_import(get_session(), actor=current_actor(), import_id=import_id,
                                            hasher=hasher(),
                                            settings=current_settings().imports, today=today(), now=clock.now())
        wants_xlsx = args["format"] == "xlsx" or request.accept_mimetypes.best_match(
            ["application/json", XLSX]) == XLSX and XLSX in request.accept_mimetypes.values()
        address = current_app.config.get("PUBLIC_URL") or request.host_url
        if wants_xlsx:
            response = download(sheets.logins_xlsx(applied.logins, address=address), "新建登录账号", "xlsx")
            for key, value in applied.counts.items():
                response.headers[f"X-Import-{key.capitalize()}"] = str(value)
            return response
        body = {**service.present(job), "logins": applied.logins}
        if args["sheet"]:
            body["logins_sheet"] = base64.b64encode(sheets.logins_xlsx(applied.logins, address=address)).decode("ascii")
        body["address"] = address
        return body
