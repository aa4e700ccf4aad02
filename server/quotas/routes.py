from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.current import current_actor, login_required
from server.auth.roles import CAREGIVER, DISTRICT_ADMIN, STAFF_ROLES
from server.db import get_session
from server.errors import fail, language
from server.people.models import SELF_CARE_LEVELS
from server.quotas import service
from server.quotas.schemas import (
    CoveragePersonsQuerySchema,
    CoveragePersonsSchema,
    CoverageQuerySchema,
    CoverageSchema,
    MissedPersonsSchema,
    ProgressSchema,
    QuotaSchema,
    SchedulePolicySchema,
    VisitRatesSchema,
)
from server.settings import current as current_settings
from server.settings import last_month, this_month

blp = Blueprint("quotas", __name__, url_prefix="/api", description="Visit quotas, progress and coverage")


@blp.route("/quotas")
class Quotas(MethodView):
    @login_required()
    @blp.response(200, QuotaSchema(many=True))
    def get(self):
        """What counts toward the month, per self-care level"""
        return service.policy_rows(get_session(), language())


@blp.route("/quotas/schedule")
class Schedule(MethodView):
    @login_required()
    @blp.response(200, SchedulePolicySchema)
    def get(self):
        """The other cadences: volunteer activities a month, health check age, review month"""
        return service.schedule(get_session())

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(SchedulePolicySchema)
    @blp.response(200, SchedulePolicySchema)
    def put(self, data):
        """Set the other cadences (district admins)"""
        return service.update_schedule(get_session(), actor=current_actor(), **data)


@blp.route("/quotas/<level>")
class QuotaByLevel(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(QuotaSchema)
    @blp.response(200, QuotaSchema)
    def put(self, data, level):
        """Set what counts toward a self-care level's month (district admins)"""
        if level not in SELF_CARE_LEVELS:
            fail(404, "not_found")
        session = get_session()
        service.update(session, actor=current_actor(), level=level, **data)
        return _row(session, level)

    @login_required(DISTRICT_ADMIN)
    @blp.response(200, QuotaSchema)
    def delete(self, level):
        """Put a self-care level back to the seeds' default (district admins)"""
        if level not in SELF_CARE_LEVELS:
            fail(404, "not_found")
        session = get_session()
        service.reset(session, actor=current_actor(), level=level)
        return _row(session, level)


def _row(session, level: str) -> dict:
    return next(r for r in service.policy_rows(session, language()) if r["self_care_level"] == level)


@blp.route("/me/progress")
class MyProgress(MethodView):
    @login_required(CAREGIVER)
    @blp.response(200, ProgressSchema(many=True))
    def get(self):
        """My persons this month against their quota, the most urgent first (caregivers)"""
        return service.caregiver_progress(get_session(), actor=current_actor(), zone=current_settings().zone)


@blp.route("/coverage")
class Coverage(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(CoverageQuerySchema, location="query")
    @blp.response(200, CoverageSchema)
    def get(self, args):
        """This month's visit coverage under a place, by village (or township), with a trend"""
        year, month = args.get("month") or this_month()
        return service.coverage(get_session(), actor=current_actor(), place_id=args.get("place_id"), year=year,
                                month=month, zone=current_settings().zone, lang=language())


@blp.route("/visit-rates")
class VisitRates(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(CoverageQuerySchema, location="query")
    @blp.response(200, VisitRatesSchema)
    def get(self, args):
        """The month's 月探访率 of 独居、空巢、留守、失能、重残 (seed 002) under a place, by child place"""
        year, month = args.get("month") or this_month()
        return service.visit_rates(get_session(), actor=current_actor(), place_id=args.get("place_id"), year=year,
                                   month=month, zone=current_settings().zone, lang=language())


@blp.route("/coverage/missed")
class CoverageMissed(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(CoverageQuerySchema, location="query")
    @blp.response(200, MissedPersonsSchema)
    def get(self, args):
        """Persons under a place whose quota a closed month (by default the last) fell short of: the list a
        quota_missed alert opens"""
        year, month = args.get("month") or last_month()
        return service.missed_persons(get_session(), actor=current_actor(), place_id=args.get("place_id"), year=year,
                                      month=month)


@blp.route("/coverage/persons")
class CoveragePersons(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(CoveragePersonsQuerySchema, location="query")
    @blp.response(200, CoveragePersonsSchema)
    def get(self, args):
        """Persons under a place not yet visited this month (or all of them), with their caregiver to call"""
        year, month = args.get("month") or this_month()
        return service.persons_coverage(get_session(), actor=current_actor(), place_id=args.get("place_id"), year=year,
                                        month=month, zone=current_settings().zone,
                                        unvisited_only=args["unvisited_only"])
