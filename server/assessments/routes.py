from flask.views import MethodView
from flask_smorest import Blueprint

from server.assessments import service
from server.assessments.models import CARE_QUALITY_DEFINITIONS, QUALITY_OF_LIFE_GUIDE
from server.assessments.schemas import (
    AssessmentSchema,
    ExportQuerySchema,
    HistoryQuerySchema,
)
from server.auth.current import current_actor, login_required
from server.auth.roles import STAFF_ROLES
from server.db import get_session
from server.downloads import download, paper_form
from server.errors import language
from server.messages import text
from server.settings import current as current_settings
from server.settings import today
from server.tables import to_csv, to_xlsx

blp = Blueprint("assessments", __name__, url_prefix="/api/assessments",
                description="Assessments on seed 001 annex 3's form (排查评估表)")


@blp.route("")
class Assessments(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(HistoryQuerySchema, location="query")
    @blp.response(200, AssessmentSchema(many=True))
    def get(self, args):
        """A person's assessments, newest first"""
        return service.history(get_session(), actor=current_actor(), person_id=args["person_id"])

    @login_required(*STAFF_ROLES)
    @blp.arguments(AssessmentSchema)
    @blp.response(201, AssessmentSchema)
    def post(self, data):
        """Record an assessment (sets the self-care level on record; 差 recommends centralised care)"""
        return service.create(get_session(), actor=current_actor(), settings=current_settings().alerts,
                              today=today(), **data)


@blp.route("/catalogue")
class Catalogue(MethodView):
    @blp.response(200)
    def get(self):
        """Annex 3's grading notes, shown on the form: 护理情况 definitions per grade, 生活质量's guide"""
        en = language() == "en"
        return {
            "care_quality": [{"code": code, "definition": pair[en]} for code, pair in CARE_QUALITY_DEFINITIONS.items()],
            "quality_of_life_guide": QUALITY_OF_LIFE_GUIDE[en],
        }


@blp.route("/export")
class Export(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ExportQuerySchema, location="query")
    @blp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    def get(self, args):
        """Annex 3's table for a township (the latest assessment per person), as XLSX or CSV"""
        name, rows = service.annex3_rows(get_session(), actor=current_actor(), place_id=args["place_id"])
        title = text("report.annex3", place=name)
        fmt = args["format"]
        data = (to_csv(service.ANNEX3_HEADERS, rows) if fmt == "csv"
                else to_xlsx(paper_form(title, text("report.annex3.sheet"), None), service.ANNEX3_HEADERS, rows))
        return download(data, title, fmt)
