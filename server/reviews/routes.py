from flask.views import MethodView
from flask_smorest import Blueprint

from server import clock
from server.auth.current import current_actor, login_required
from server.auth.roles import STAFF_ROLES
from server.db import get_session
from server.reviews import service as reviews
from server.reviews.schemas import (
    CampaignSchema,
    ReviewQuerySchema,
    ReviewRecordSchema,
    ReviewWriteSchema,
)
from server.settings import current as current_settings
from server.settings import today

blp = Blueprint("reviews", __name__, url_prefix="/api",
                description="The periodic review (动态管理, seed 004 item 4): March, and September for B and C class 低保")


@blp.route("/reviews")
class Reviews(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ReviewQuerySchema, location="query")
    @blp.response(200, CampaignSchema)
    def get(self, args):
        """A review campaign (the open one, else the last): who is not reviewed yet or overdue, coverage per township"""
        return reviews.status(get_session(), actor=current_actor(), place_id=args.get("place_id"),
                              label=args.get("campaign"), today=today(), zone=current_settings().zone)

    @login_required(*STAFF_ROLES)
    @blp.arguments(ReviewWriteSchema)
    @blp.response(201, ReviewRecordSchema)
    def post(self, data):
        """Record a person's review; the result "exit" takes them off the roster"""
        settings = current_settings()
        return reviews.record_review(get_session(), actor=current_actor(), person_id=data["person_id"],
                                     label=data["campaign"], method=data["method"], result=data["result"],
                                     reviewed_on=data["reviewed_on"], note=data["note"], today=today(),
                                     now=clock.now(), zone=settings.zone, alert_settings=settings.alerts)
