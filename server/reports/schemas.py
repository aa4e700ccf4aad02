import marshmallow as ma
from marshmallow import validate

from server.fields import Id, Month
from server.quotas.schemas import CoverageSchema


class ReportQuerySchema(ma.Schema):
    place_id = Id()
    month = Month()
    format = ma.fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class ReportSchema(ma.Schema):
    title = ma.fields.String()
    headers = ma.fields.List(ma.fields.String())
    rows = ma.fields.List(ma.fields.List(ma.fields.Raw()))
    notes = ma.fields.List(ma.fields.String(), metadata={"description": "printed under the table"})
    policy = ma.fields.Dict(metadata={"description": "the quota policy applied, where the report judges 达标/未达标"})


class DashboardQuerySchema(ma.Schema):
    place_id = Id()


class DashboardMonthSchema(ma.Schema):
    month = ma.fields.String()
    state = ma.fields.String(metadata={"description": "closed (the month close's record), rollup or live"})
    closed_at = ma.fields.DateTime(allow_none=True)
    as_of = ma.fields.DateTime(allow_none=True, metadata={"description": "when the figures were counted"})
    active = ma.fields.Integer(metadata={"description": "persons on the month's roster"})
    visited = ma.fields.Integer(metadata={"description": "of them, visited (月探访率)"})
    alerts = ma.fields.Integer(metadata={"description": "alerts raised in the month"})


class DashboardSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    months = ma.fields.List(ma.fields.Nested(DashboardMonthSchema))


class AlertSlaSchema(ma.Schema):
    open_in_time = ma.fields.Integer(metadata={"description": "open, within their SLA"})
    open_overdue = ma.fields.Integer(metadata={"description": "open, past their SLA"})
    acknowledged = ma.fields.Integer()
    escalated = ma.fields.Integer(metadata={"description": "of those, at district level"})


class BadgesSchema(ma.Schema):
    alerts = ma.fields.Integer(metadata={"description": "alerts not yet resolved"})
    alerts_overdue = ma.fields.Integer(metadata={"description": "of those, open past their deadline"})
    exceptions_waiting = ma.fields.Integer(metadata={"description": "visits waiting for review"})
    campaigns = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={
        "description": "per campaign (cleanup, health_check): persons due this period and not done"})
    reviews = ma.fields.Integer(metadata={"description": "persons not yet reviewed in the 动态管理复核 open now "
                                                         "(or, between campaigns, overdue from the last)"})
    reviews_overdue = ma.fields.Boolean(metadata={"description": "the review campaign has ended"})
    spot_checks = ma.fields.Integer(metadata={"description": "visits drawn for a call-back (重点抽查) not yet called back"})


class OverviewSchema(ma.Schema):
    coverage = ma.fields.Nested(CoverageSchema)
    alerts = ma.fields.Nested(AlertSlaSchema)
    exceptions_waiting = ma.fields.Integer()
