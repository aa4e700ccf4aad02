from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.current import current_actor, login_required
from server.auth.roles import DISTRICT_ADMIN, TEAM_ROLES
from server.campaigns import service
from server.campaigns.models import KINDS
from server.campaigns.schemas import (
    CampaignCoverageSchema,
    CampaignFrequencySchema,
    CampaignPolicySchema,
    CampaignQuerySchema,
    CampaignRecordCreateSchema,
    CampaignRecordSchema,
)
from server.db import get_session
from server.errors import fail
from server.settings import today

blp = Blueprint("campaigns", __name__, url_prefix="/api/campaigns",
                description="The quarterly home clean-up and the yearly health check: who is due, who is done")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        fail(404, "not_found")
    return kind


@blp.route("/<kind>")
class Campaign(MethodView):
    @login_required(*TEAM_ROLES)
    @blp.arguments(CampaignQuerySchema, location="query")
    @blp.response(200, CampaignCoverageSchema)
    def get(self, args, kind):
        """This period's coverage by village, and each person due, done or not"""
        return service.coverage(get_session(), actor=current_actor(), kind=_kind(kind), today=today(),
                                place_id=args.get("place_id"), period=args.get("period"))


@blp.route("/<kind>/records")
class CampaignRecords(MethodView):
    @login_required(*TEAM_ROLES)
    @blp.arguments(CampaignRecordCreateSchema)
    @blp.response(201, CampaignRecordSchema)
    def post(self, data, kind):
        """Record a person done for the period (once a period)"""
        return service.record(get_session(), actor=current_actor(), kind=_kind(kind), today=today(), **data)


@blp.route("/<kind>/policy")
class CampaignPolicy(MethodView):
    @login_required(*TEAM_ROLES)
    @blp.response(200, CampaignPolicySchema)
    def get(self, kind):
        """When staff are reminded, and the clean-up's checklist with its points"""
        return service.policy(get_session(), _kind(kind))

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(CampaignPolicySchema)
    @blp.response(200, CampaignPolicySchema)
    def put(self, data, kind):
        """Set the reminder and the checklist (district admins)"""
        if data.get("checklist") is None:
            data.pop("checklist", None)
        return service.update_policy(get_session(), actor=current_actor(), kind=_kind(kind), **data)


@blp.route("/<kind>/frequency")
class CampaignFrequency(MethodView):
    @login_required(*TEAM_ROLES)
    @blp.response(200, CampaignFrequencySchema)
    def get(self, kind):
        """The frequency in force this year, the seeds' (seed 000 items 11 and 4), and the district's versions"""
        return service.frequencies(get_session(), _kind(kind), today())

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(CampaignFrequencySchema)
    @blp.response(200, CampaignFrequencySchema)
    def put(self, data, kind):
        """Set the frequency from the first of January of a later year (district admins)"""
        return service.set_frequency(get_session(), actor=current_actor(), kind=_kind(kind), today=today(), **data)
