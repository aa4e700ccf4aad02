import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from server.alerts import service
from server.alerts.models import LEVELS, STATUSES
from server.auth.current import current_actor, login_required
from server.auth.roles import STAFF_ROLES
from server.db import get_session

blp = Blueprint("alerts", __name__, url_prefix="/api/alerts", description="Alerts for township staff, escalated to the district")


class EventSchema(ma.Schema):
    at = ma.fields.DateTime()
    kind = ma.fields.String()
    user_id = ma.fields.Integer(allow_none=True)
    note = ma.fields.String(allow_none=True)


class AlertSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    severity = ma.fields.String()
    person_id = ma.fields.Integer(allow_none=True)
    place_id = ma.fields.Integer()
    level = ma.fields.String()
    status = ma.fields.String()
    title = ma.fields.String()
    detail = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    sla_due_at = ma.fields.DateTime()
    acknowledged_at = ma.fields.DateTime(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    outcome = ma.fields.String(allow_none=True)
    events = ma.fields.List(ma.fields.Nested(EventSchema))


class AlertQuerySchema(ma.Schema):
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    level = ma.fields.String(validate=validate.OneOf(LEVELS))


class AckSchema(ma.Schema):
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class NoteSchema(ma.Schema):
    note = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))


class ResolveSchema(AckSchema):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(service.OUTCOMES))


def present(alerts):
    events = service.timeline(get_session(), [a.id for a in alerts])
    return [{**a.model_dump(), "events": events[a.id]} for a in alerts]


@blp.route("")
class Alerts(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(AlertQuerySchema, location="query")
    @blp.response(200, AlertSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args, pagination_parameters):
        """Alerts of my area, newest first"""
        rows, total = service.list_alerts(get_session(), actor=current_actor(), offset=pagination_parameters.first_item,
                                          limit=pagination_parameters.page_size, **args)
        pagination_parameters.item_count = total
        return present(rows)


@blp.route("/<int:alert_id>/ack")
class Ack(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(AckSchema)
    @blp.response(200, AlertSchema)
    def post(self, data, alert_id):
        """Acknowledge an alert: someone is on it (stops the escalation clock)"""
        return present([service.acknowledge(get_session(), actor=current_actor(), alert_id=alert_id, **data)])[0]


@blp.route("/<int:alert_id>/resolve")
class Resolve(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ResolveSchema)
    @blp.response(200, AlertSchema)
    def post(self, data, alert_id):
        """Resolve an alert with its outcome"""
        return present([service.resolve(get_session(), actor=current_actor(), alert_id=alert_id, **data)])[0]


@blp.route("/<int:alert_id>/notes")
class Notes(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(NoteSchema)
    @blp.response(200, AlertSchema)
    def post(self, data, alert_id):
        """Add a note to an alert's timeline (a call made, a visit planned)"""
        return present([service.add_note(get_session(), actor=current_actor(), alert_id=alert_id, **data)])[0]
