from flask.views import MethodView
from flask_smorest import Blueprint

from server import clock
from server.auth.current import current_actor, login_required
from server.auth.roles import STAFF_ROLES
from server.db import get_session
from server.downloads import download, paper_form
from server.errors import fail, language
from server.assessments import service as assessments
from server.care import topup
from server.reports import service
from server.reports.schemas import (
    BadgesSchema,
    DashboardQuerySchema,
    DashboardSchema,
    OverviewSchema,
    ReportQuerySchema,
    ReportSchema,
)
from server.settings import current as current_settings
from server.settings import this_month, today
from server.tables import csv_chunks, xlsx_chunks

# each report's sheet as the paper form names it, and the unit of its figures (None: several)
SHEETS = {"annex1": ("分乡镇统计表", "人"), "coverage": ("探访覆盖率", "人"), "volunteers": ("志愿服务活动", None),
          "care-homes": ("敬老院", None), "agreements": ("照料协议履约", None), "visit-rates": ("月探访率", "人"),
          "relief": ("临时救助", None), "evaluations": ("考核评价", "人"), "centralisation": ("集中供养", "人"),
          "disabled-centralised": ("失能集中供养", "人"), "care-topup": ("敬老院补助", None)}

blp = Blueprint("reports", __name__, url_prefix="/api/reports",
                description="Reports for a month and a place, as JSON, CSV or XLSX with the forms' headers")

REPORTS = ("annex1", "coverage", "volunteers", "care-homes", "agreements", "visit-rates", "relief", "evaluations",
           "centralisation", "disabled-centralised", "care-topup")


@blp.route("/<name>")
class ReportByName(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ReportQuerySchema, location="query")
    @blp.response(200, ReportSchema)
    def get(self, args, name):
        """One report: annex1, coverage, volunteers, care-homes, agreements, visit-rates, relief, evaluations or
        centralisation"""
        session, actor, place_id = get_session(), current_actor(), args.get("place_id")
        year, month = args.get("month") or this_month()
        if name == "annex1":
            report = service.annex1(session, actor=actor, place_id=place_id)
        elif name == "coverage":
            report = service.coverage(session, actor=actor, place_id=place_id, year=year, month=month,
                                      zone=current_settings().zone, lang=language())
        elif name == "volunteers":
            report = service.volunteers(session, actor=actor, place_id=place_id, year=year, month=month)
        elif name == "care-homes":
            report = service.care_homes(session, actor=actor, place_id=place_id, year=year, month=month, today=today(),
                                        zone=current_settings().zone)
        elif name == "agreements":
            report = service.agreements(session, actor=actor, place_id=place_id, year=year, month=month,
                                        zone=current_settings().zone, lang=language())
        elif name == "visit-rates":
            report = service.visit_rates(session, actor=actor, place_id=place_id, year=year, month=month,
                                         zone=current_settings().zone, lang=language())
        elif name == "care-topup":  # seed 000 item 7: the care homes' top-up for disabled residents
            report = topup.monthly(session, actor=actor, place_id=place_id, year=year, month=month,
                                   zone=current_settings().zone, levels=assessments.levels_on)
        elif make := service.made_elsewhere(name):  # relief, evaluations, centralisation (casework's)
            report = make(session, actor=actor, place_id=place_id, year=year, month=month,
                          zone=current_settings().zone, today=today(), lang=language())
        else:
            fail(404, "not_found")
        if args["format"] == "csv":
            return download(csv_chunks(report.headers, report.table_rows()), report.title, "csv")
        if args["format"] == "xlsx":
            tab, measure = SHEETS[name]
            return download(xlsx_chunks(paper_form(report.title, tab, measure), report.headers, report.rows,
                                        report.notes), report.title, "xlsx")
        return report.as_dict()


@blp.route("/dashboard")
class Dashboard(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(DashboardQuerySchema, location="query")
    @blp.response(200, DashboardSchema)
    def get(self, args):
        """Coverage and alerts over the last 12 months, for the staff dashboard"""
        year, month = this_month()
        return service.dashboard(get_session(), actor=current_actor(), place_id=args.get("place_id"),
                                 year=year, month=month, zone=current_settings().zone)


@blp.route("/badges")
class Badges(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, BadgesSchema)
    def get(self):
        """What waits on the staff home's tiles: alerts, visits to review, this period's tasks not done"""
        return service.badges(get_session(), actor=current_actor(), zone=current_settings().zone, now=clock.now())


@blp.route("/overview")
class Overview(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, OverviewSchema)
    def get(self):
        """This month at a glance: coverage by township (or village), open alerts by SLA state, exceptions waiting"""
        year, month = this_month()
        return service.overview(get_session(), actor=current_actor(), year=year, month=month,
                                zone=current_settings().zone, now=clock.now())
