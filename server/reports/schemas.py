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


class AlertSlaSchema(ma.Schema):
    open_in_time = ma.fields.Integer(metadata={"description": "open, within their SLA"})
    open_overdue = ma.fields.Integer(metadata={"description": "open, past their SLA"})
    acknowledged = ma.fields.Integer()
    escalated = ma.fields.Integer(metadata={"description": "of those, at district level"})


class OverviewSchema(ma.Schema):
    coverage = ma.fields.Nested(CoverageSchema)
    alerts = ma.fields.Nested(AlertSlaSchema)
    exceptions_waiting = ma.fields.Integer()
