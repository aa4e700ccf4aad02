from flask.views import MethodView
from flask_smorest import Blueprint

from server import paging
from server.auth.current import current_actor, login_required
from server.auth.roles import DISTRICT_ADMIN, STAFF_ROLES
from server.db import get_session
from server.intake import service
from server.intake.schemas import (
    ApplicationCreateSchema,
    ApplicationLineSchema,
    ApplicationSchema,
    DecisionSchema,
    IntakePolicySchema,
    InvestigationSchema,
    ListQuerySchema,
    ObjectionCreateSchema,
    ObjectionDecisionSchema,
    OpenReportSchema,
    PlacementSchema,
)
from server.settings import current as current_settings
from server.settings import today

blp = Blueprint("intake", __name__, url_prefix="/api/intake",
                description="Intake: an application, the 入户调查, the decision, 张榜公示, the roster (seed 001 二(一)3, "
                            "seed 004 item 20)")


def _view(app):
    return service.view(get_session(), app, today=today())


@blp.route("/policy")
class Policy(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, IntakePolicySchema)
    def get(self):
        """The district's 公示 period (none until set: no seed gives one)"""
        return service.policy(get_session())

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(IntakePolicySchema)
    @blp.response(200, IntakePolicySchema)
    def put(self, data):
        """Set the 公示 period (district admins)"""
        return service.update_policy(get_session(), actor=current_actor(), **data)


@blp.route("/reports")
class Reports(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, OpenReportSchema(many=True))
    def get(self):
        """Reports from the field of someone in need off the roster, no application opened from them yet"""
        return service.open_reports(get_session(), actor=current_actor())


@blp.route("/applications")
class Applications(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ListQuerySchema, location="query")
    @blp.arguments(paging.query_schema(), location="query")
    @blp.response(200, ApplicationLineSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """Applications of my area by step, the open ones first, a page at a time"""
        return paging.respond(*service.list_applications(get_session(), actor=current_actor(), today=today(),
                                                         page=paging.page(page_args), **args))

    @login_required(*STAFF_ROLES)
    @blp.arguments(ApplicationCreateSchema)
    @blp.response(201, ApplicationSchema)
    def post(self, data):
        """Open an application (from a report from the field, or at the office)"""
        return _view(service.open_application(get_session(), actor=current_actor(), today=today(),
                                              zone=current_settings().zone, **data))


@blp.route("/applications/<id:application_id>")
class Application(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, ApplicationSchema)
    def get(self, application_id):
        """One application and its steps"""
        return service.get_application(get_session(), actor=current_actor(), application_id=application_id,
                                       today=today())


@blp.route("/applications/<id:application_id>/investigation")
class Investigation(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(InvestigationSchema)
    @blp.response(200, ApplicationSchema)
    def post(self, data, application_id):
        """Record the 入户调查 with annex 3's assessment"""
        return _view(service.investigate(get_session(), actor=current_actor(), today=today(),
                                         application_id=application_id, assessment=data))


@blp.route("/applications/<id:application_id>/decision")
class Decision(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(DecisionSchema)
    @blp.response(200, ApplicationSchema)
    def post(self, data, application_id):
        """The township's decision: approved (posted for 公示) or refused, dated, with its reason"""
        return _view(service.decide(get_session(), actor=current_actor(), today=today(),
                                    application_id=application_id, **data))


@blp.route("/applications/<id:application_id>/objections")
class Objections(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ObjectionCreateSchema)
    @blp.response(201, ApplicationSchema)
    def post(self, data, application_id):
        """Record an objection raised during the 公示 (stops the listing until decided)"""
        return _view(service.raise_objection(get_session(), actor=current_actor(), today=today(),
                                             application_id=application_id, **data))


@blp.route("/applications/<id:application_id>/objection-decision")
class ObjectionDecision(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ObjectionDecisionSchema)
    @blp.response(200, ApplicationSchema)
    def post(self, data, application_id):
        """Decide the open objection: dismissed (the listing resumes) or upheld (the application is refused)"""
        return _view(service.decide_objection(get_session(), actor=current_actor(), today=today(),
                                              application_id=application_id, **data))


@blp.route("/applications/<id:application_id>/placement")
class Placement(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(PlacementSchema)
    @blp.response(200, ApplicationSchema)
    def post(self, data, application_id):
        """Put the applicant on the roster once the 公示 is over: at home (a care agreement next) or in a care home"""
        return _view(service.place(get_session(), actor=current_actor(), today=today(), application_id=application_id,
                                   alert_settings=current_settings().alerts, **data))
