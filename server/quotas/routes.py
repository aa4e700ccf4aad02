from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from server import clock
from server.auth.current import current_actor, login_required
from server.auth.roles import CAREGIVER, DISTRICT_ADMIN, STAFF_ROLES
from server.db import get_session
from server.errors import fail, language
from server.people.models import SELF_CARE_LEVELS
from server.quotas import policy, service
from server.quotas.schemas import (
    AmendmentsSchema,
    CoveragePersonsQuerySchema,
    CoveragePersonsSchema,
    CoverageQuerySchema,
    CoverageSchema,
    MissedPersonsSchema,
    MonthsSchema,
    PlaceQuerySchema,
    ProgressSchema,
    QuotaMonthQuerySchema,
    QuotaResetQuerySchema,
    QuotaSchema,
    QuotaVersionSchema,
    SchedulePolicySchema,
    VisitRatesSchema,
)
from server.settings import current as current_settings
from server.settings import last_month, this_month

blp = Blueprint("quotas", __name__, url_prefix="/api", description="Visit quotas, progress and coverage")


def _label(ym: tuple[int, int]) -> str:
    return policy.label(*ym)


@blp.route("/quotas")
class Quotas(MethodView):
    @login_required()
    @blp.arguments(QuotaMonthQuerySchema, location="query")
    @blp.response(200, QuotaSchema(many=True))
    def get(self, args):
        """What counts toward a month (default this one), per self-care level: the versions in force"""
        year, month = args.get("month") or this_month()
        return policy.policy_rows(get_session(), year=year, month=month, lang=language())


@blp.route("/quotas/history")
class QuotaHistory(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, QuotaVersionSchema(many=True))
    def get(self):
        """Every saved version of each level's policy, with the month it applies from and who saved it"""
        return policy.history(get_session(), language())


@blp.route("/quotas/schedule")
class Schedule(MethodView):
    @login_required()
    @blp.response(200, SchedulePolicySchema)
    def get(self):
        """The other cadences: volunteer activities a month, health check age, review months, reminders"""
        return policy.present_schedule(get_session())

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(SchedulePolicySchema)
    @blp.response(200, SchedulePolicySchema)
    def put(self, data):
        """Set the other cadences (district admins)"""
        policy.update_schedule(get_session(), actor=current_actor(), **data)
        return policy.present_schedule(get_session())


@blp.route("/quotas/<level>")
class QuotaByLevel(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(QuotaSchema)
    @blp.response(200, QuotaSchema)
    def put(self, data, level):
        """Set what counts toward a self-care level's month, from a month on: this one (the default) or a later
        one (district admins)"""
        if level not in SELF_CARE_LEVELS:
            fail(404, "not_found")
        session = get_session()
        effective = _label(data.pop("effective_month", None) or this_month())
        version = policy.update(session, actor=current_actor(), level=level, effective_month=effective,
                                today=this_month(), now=clock.now(), **data)
        return policy.row(version, language())

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(QuotaResetQuerySchema, location="query")
    @blp.response(200, QuotaSchema)
    def delete(self, args, level):
        """Put a self-care level back to the seeds' default, from a month on (district admins)"""
        if level not in SELF_CARE_LEVELS:
            fail(404, "not_found")
        session = get_session()
        effective = _label(args.get("effective_month") or this_month())
        version = policy.reset(session, actor=current_actor(), level=level, effective_month=effective,
                               today=this_month(), now=clock.now())
        return policy.row(version, language())


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
        """A month's coverage under a place (default this month), by village (or township), with a trend: a closed
        month as its record says"""
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
        """Persons under a place whose caregiver's 履约 a closed month (by default the last) found not met: the
        list a quota_missed alert opens"""
        year, month = args.get("month") or last_month()
        return service.missed_persons(get_session(), actor=current_actor(), place_id=args.get("place_id"), year=year,
                                      month=month)


@blp.route("/coverage/persons")
class CoveragePersons(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(CoveragePersonsQuerySchema, location="query")
    @blp.response(200, CoveragePersonsSchema)
    def get(self, args):
        """Persons under a place not visited in a month (or all of them), with who visited and their caregiver to
        call"""
        year, month = args.get("month") or this_month()
        return service.persons_coverage(get_session(), actor=current_actor(), place_id=args.get("place_id"), year=year,
                                        month=month, zone=current_settings().zone,
                                        unvisited_only=args["unvisited_only"])


@blp.route("/months")
class Months(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(PlaceQuerySchema, location="query")
    @blp.response(200, MonthsSchema)
    def get(self, args):
        """The months to pick from, newest first: this one, and each before it closed (已结算, when) or not, with its
        amendments under the place"""
        return service.months_of(get_session(), actor=current_actor(), place_id=args.get("place_id"),
                                 now=clock.now(), zone=current_settings().zone)


@blp.route("/months/<month>/amendments")
class MonthAmendments(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(PlaceQuerySchema, location="query")
    @blp.response(200, AmendmentsSchema)
    def get(self, args, month):
        """A closed month's amendments (更正) under a place: whose month, when, by whom, why, before and after"""
        try:
            ym = CoverageQuerySchema().load({"month": month})["month"]
        except ValidationError:
            fail(404, "month_not_found")
        return service.amendments(get_session(), actor=current_actor(), place_id=args.get("place_id"),
                                  year=ym[0], month=ym[1])
