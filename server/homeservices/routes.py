from flask.views import MethodView
from flask_smorest import Blueprint

from server import uploads
from server.auth.current import current_actor, login_required
from server.auth.roles import DISTRICT_ADMIN, STAFF_ROLES
from server.db import get_session
from server.downloads import download, paper_form
from server.errors import fail
from server.homeservices import service
from server.homeservices.models import GROUPS, SERVICES
from server.homeservices.schemas import (
    AidPointCreateSchema,
    AidPointSchema,
    ServiceGroupRuleSchema,
    ServicePolicySchema,
    ServicePolicyTableSchema,
    ServiceProviderCreateSchema,
    ServiceProviderSchema,
    ServiceRateSchema,
    ServiceRecordCreateSchema,
    ServiceRecordQuerySchema,
    ServiceRecordSchema,
    ServiceScopeQuerySchema,
    ServiceStatementQuerySchema,
)
from server.reports.schemas import ReportSchema
from server.settings import current as current_settings
from server.settings import this_month
from server.tables import to_csv, to_xlsx

blp = Blueprint("home_services", __name__, url_prefix="/api/home-services",
                description="Subsidised home services (助浴 助洁 助乐, seed 002 附件2 items 5–7)")

_SCHEMA = ServiceRecordCreateSchema()


def _rate(r):
    return {"service": r.service, "group_code": r.group_code, "amount": r.amount_fen / 100, "eligible": r.eligible,
            "source": r.source, "updated_at": r.updated_at}


@blp.route("/policy")
class Policy(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, ServicePolicyTableSchema)
    def get(self):
        """Caps, minimum ages and rates of each service, with their sources"""
        session = get_session()
        policies, rates = service.policies(session), service.rates(session)
        in_order = sorted(rates, key=lambda k: (SERVICES.index(k[0]), GROUPS.index(k[1])))
        return {"policies": [policies[s] for s in SERVICES], "rates": [_rate(rates[k]) for k in in_order],
                "group_rule": service.group_rule(session)}


@blp.route("/group-rule")
class GroupRule(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(ServiceGroupRuleSchema)
    @blp.response(200, ServiceGroupRuleSchema)
    def put(self, data):
        """Decide which rate applies to a person in two groups with different rates (district admins)"""
        return service.set_group_rule(get_session(), actor=current_actor(), rule=data["rule"])


@blp.route("/policy/<service_code>")
class PolicyByService(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(ServicePolicySchema)
    @blp.response(200, ServicePolicySchema)
    def put(self, data, service_code):
        """Set a service's cap and minimum age, with the source (district admins)"""
        if service_code not in SERVICES:
            fail(404, "not_found")
        return service.update_policy(get_session(), actor=current_actor(), service=service_code, **data)


@blp.route("/rates/<service_code>/<group_code>")
class RateByGroup(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(ServiceRateSchema)
    @blp.response(200, ServiceRateSchema)
    def put(self, data, service_code, group_code):
        """Set the rate of a service for a group, or take the group out, with the source (district admins)"""
        if service_code not in SERVICES or group_code not in GROUPS:
            fail(404, "not_found")
        amount = data.pop("amount")
        return _rate(service.update_rate(get_session(), actor=current_actor(), service=service_code,
                                         group_code=group_code, amount_fen=round(amount * 100), **data))


@blp.route("/providers")
class Providers(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ServiceScopeQuerySchema, location="query")
    @blp.response(200, ServiceProviderSchema(many=True))
    def get(self, args):
        """Service organisations registered under a place"""
        return service.list_providers(get_session(), actor=current_actor(), place_id=args.get("place_id"))

    @login_required(*STAFF_ROLES)
    @blp.arguments(ServiceProviderCreateSchema)
    @blp.response(201, ServiceProviderSchema)
    def post(self, data):
        """Register a service organisation with a township"""
        return service.create_provider(get_session(), actor=current_actor(), **data)


@blp.route("/points")
class Points(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ServiceScopeQuerySchema, location="query")
    @blp.response(200, AidPointSchema(many=True))
    def get(self, args):
        """Mutual-aid points (互助养老点) under a place"""
        return service.list_points(get_session(), actor=current_actor(), place_id=args.get("place_id"))

    @login_required(*STAFF_ROLES)
    @blp.arguments(AidPointCreateSchema)
    @blp.response(201, AidPointSchema)
    def post(self, data):
        """Register a mutual-aid point in a village"""
        return service.create_point(get_session(), actor=current_actor(), **data)


def _present(row: dict) -> dict:
    return {**row, "amount": row["amount_fen"] / 100}


@blp.route("/records")
class Records(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": "ServiceRecordMultipart"},
                                                        "application/json": {"schema": "ServiceRecordCreate"}}})
    @blp.response(201, ServiceRecordSchema)
    def post(self):
        """Record a subsidised service given (refused past the service's cap)"""
        data, files = uploads.read_submission(_SCHEMA)
        settings = current_settings()
        session = get_session()
        store = settings.photos.store()
        try:
            row, created = service.record(session, actor=current_actor(), data=data, files=files, store=store,
                                          photo_settings=settings.photos, zone=settings.zone)
            year, month = row.served_on.year, row.served_on.month
            shown, = service.list_records(session, actor=current_actor(), year=year, month=month,
                                          place_id=row.township_id, record_id=row.id)
            session.commit()
        except BaseException:
            store.discard_created()
            raise
        return _present(shown), 201 if created else 200

    @login_required(*STAFF_ROLES)
    @blp.arguments(ServiceRecordQuerySchema, location="query")
    @blp.response(200, ServiceRecordSchema(many=True))
    def get(self, args):
        """A month's service records under a place"""
        year, month = args.get("month") or this_month()
        return [_present(r) for r in service.list_records(get_session(), actor=current_actor(), year=year, month=month,
                                                          place_id=args.get("place_id"),
                                                          provider_id=args.get("provider_id"))]


@blp.route("/statement")
class Statement(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ServiceStatementQuerySchema, location="query")
    @blp.response(200, ReportSchema)
    def get(self, args):
        """A month's statement per township and provider: times and what is owed (JSON, CSV or XLSX)"""
        year, month = args.get("month") or this_month()
        report = service.statement(get_session(), actor=current_actor(), year=year, month=month,
                                   place_id=args.get("place_id"), provider_id=args.get("provider_id"))
        if args["format"] == "csv":
            return download(to_csv(report.headers, report.rows), report.title, "csv")
        if args["format"] == "xlsx":
            return download(to_xlsx(paper_form(report.title, "服务对账单", None), report.headers, report.rows),
                            report.title, "xlsx")
        return report.as_dict()
