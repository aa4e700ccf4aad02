from flask.views import MethodView
from flask_smorest import Blueprint

from server import clock
from server.auth.current import current_actor, login_required
from server.auth.roles import STAFF_ROLES
from server.db import get_session
from server.notify import service as notify
from server.settings import current as current_settings
from server.settings import last_month
from server.spotchecks import service
from server.spotchecks.schemas import SpotCheckMonthSchema, SpotCheckQuerySchema, SpotCheckSchema, SpotCheckWriteSchema
from server.visits import service as visits

blp = Blueprint("spotchecks", __name__, url_prefix="/api/spot-checks",
                description="重点抽查、随机暗访 (seed 003 三(四)): verified visits drawn each month for a call-back")


@blp.route("")
class SpotChecks(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(SpotCheckQuerySchema, location="query")
    @blp.response(200, SpotCheckMonthSchema)
    def get(self, args):
        """A month's spot checks you may see (default the last month closed), the ones not called back first, with
        each township's counts"""
        year, month = args.get("month") or last_month()
        session = get_session()
        result = service.listing(session, actor=current_actor(), year=year, month=month, place_id=args.get("place_id"))
        session.commit()  # the reads are audited
        return result


@blp.route("/<int:check_id>")
class SpotCheckOutcome(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(SpotCheckWriteSchema)
    @blp.response(200, SpotCheckSchema)
    def post(self, data, check_id):
        """Record what the call-back found: 属实, or 不属实 with the reason and a note — the visit is then rejected"""
        session = get_session()
        settings = current_settings()
        check, overturned = service.record(session, actor=current_actor(), check_id=check_id, alert_settings=settings.alerts,
                                           zone=settings.zone, now=clock.now(), **data)
        told = visits.tell_caregiver_of_review(session, visit=overturned, zone=settings.zone) if overturned else []
        session.commit()
        notify.deliver(session, told, settings.notify)
        return service.one(session, check_id=check.id)
