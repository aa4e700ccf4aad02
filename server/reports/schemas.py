import marshmallow as ma
from marshmallow import validate

from server.fields import Id, Month


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
