from flask.views import MethodView
from flask_smorest import Blueprint

from server import paging
from server.alerts import context, service
from server.alerts.schemas import (
    AckSchema,
    AlertQuerySchema,
    AlertSchema,
    NoteSchema,
    ResolveSchema,
)
from server.auth.current import current_actor, login_required
from server.auth.roles import STAFF_ROLES
from server.db import get_session
from server.errors import language
from server.settings import current as current_settings
from server.settings import today

blp = Blueprint("alerts", __name__, url_prefix="/api/alerts", description="Alerts for township staff, escalated to the district")


def present(alerts):
    session = get_session()
    events = service.timeline(session, [a.id for a in alerts])
    extra = context.for_alerts(session, actor=current_actor(), alerts=alerts, zh=language() != "en")
    reporters = service.reporters(session, alerts)
    return [{**a.model_dump(), "events": events[a.id], "context": extra.get(a.id), "reported_by": reporters.get(a.id),
             "outcomes": list(service.outcomes_for(a.kind))} for a in alerts]


@blp.route("")
class Alerts(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(AlertQuerySchema, location="query")
    @blp.arguments(paging.query_schema(), location="query")
    @blp.response(200, AlertSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """Alerts of my area, newest first, a page at a time"""
        rows, after = service.list_alerts(get_session(), actor=current_actor(), page=paging.page(page_args), **args)
        return paging.respond(present(rows), after)


@blp.route("/<id:alert_id>/ack")
class Ack(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(AckSchema)
    @blp.response(200, AlertSchema)
    def post(self, data, alert_id):
        """Acknowledge an alert: someone is on it (stops the escalation clock)"""
        return present([service.acknowledge(get_session(), actor=current_actor(), alert_id=alert_id, **data)])[0]


@blp.route("/<id:alert_id>/resolve")
class Resolve(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ResolveSchema)
    @blp.response(200, AlertSchema)
    def post(self, data, alert_id):
        """Resolve an alert with its outcome (临时救助: with the relief's amount and date)"""
        settings = current_settings()
        return present([service.resolve(get_session(), actor=current_actor(), alert_id=alert_id, settings=settings.alerts,
                                        zone=settings.zone, today=today(), **data)])[0]


@blp.route("/<id:alert_id>/notes")
class Notes(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(NoteSchema)
    @blp.response(200, AlertSchema)
    def post(self, data, alert_id):
        """Add a note to an alert's timeline (a call made, a visit planned)"""
        return present([service.add_note(get_session(), actor=current_actor(), alert_id=alert_id, **data)])[0]
