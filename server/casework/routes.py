from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.current import current_actor, login_required
from server.auth.roles import DISTRICT_ADMIN, STAFF_ROLES
from server.casework import evaluations, fieldreports, policy, relief
from server.casework.schemas import (
    CaseworkPolicySchema,
    DueSchema,
    FieldReportSchema,
    MyReportSchema,
    PlaceQuerySchema,
    ReliefQuerySchema,
    ReliefSchema,
    StatementSchema,
)
from server.db import get_session
from server.settings import current as current_settings
from server.settings import today

blp = Blueprint("casework", __name__, url_prefix="/api",
                description="Reports from the field, emergency relief, the door-to-door evaluation")


@blp.route("/field-reports")
class FieldReports(MethodView):
    @login_required()
    @blp.arguments(FieldReportSchema)
    @blp.response(201, FieldReportSchema)
    def post(self, data):
        """Report from the field: someone in need, a major change, or a complaint (becomes a task for the township)"""
        report, _ = fieldreports.create(get_session(), actor=current_actor(), settings=current_settings().alerts, **data)
        return report


@blp.route("/field-reports/mine")
class MyReports(MethodView):
    @login_required()
    @blp.response(200, MyReportSchema(many=True))
    def get(self):
        """My reports from the field and how each stands"""
        return fieldreports.mine(get_session(), actor=current_actor())


@blp.route("/casework/policy")
class Policy(MethodView):
    @login_required()
    @blp.response(200, CaseworkPolicySchema)
    def get(self):
        """The district's casework numbers: relief statement days, evaluation interval, the 疑似虚报 rule"""
        return policy.policy(get_session())

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(CaseworkPolicySchema)
    @blp.response(200, CaseworkPolicySchema)
    def put(self, data):
        """Set the casework numbers (district admins)"""
        return policy.update_policy(get_session(), actor=current_actor(), **data)


@blp.route("/relief")
class Reliefs(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ReliefQuerySchema, location="query")
    @blp.response(200, ReliefSchema(many=True))
    def get(self, args):
        """Emergency relief under a place, newest first (pending: the statement is still owed)"""
        return relief.list_reliefs(get_session(), actor=current_actor(), **args)


@blp.route("/relief/<id:relief_id>/statement")
class Statement(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(StatementSchema)
    @blp.response(200, ReliefSchema)
    def post(self, data, relief_id):
        """File the 补充说明 of an emergency relief (closes its task)"""
        session = get_session()
        return relief.view(session, relief.file_statement(session, actor=current_actor(), relief_id=relief_id, **data))


@blp.route("/evaluations/due")
class Due(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(PlaceQuerySchema, location="query")
    @blp.response(200, DueSchema(many=True))
    def get(self, args):
        """Persons due the door-to-door evaluation (none within the district's interval), longest-waiting first"""
        return evaluations.due(get_session(), actor=current_actor(), place_id=args.get("place_id"), today=today())
