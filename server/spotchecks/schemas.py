import marshmallow as ma
from marshmallow import validate

from server.alerts.rules import NOT_DONE_REASONS
from server.fields import Id, Month
from server.spotchecks.models import OUTCOMES


class SpotCheckQuerySchema(ma.Schema):
    month = Month(metadata={"description": "the month the visits were drawn from; default the last one closed"})
    place_id = Id(metadata={"description": "a township you manage"})


class SpotCheckWriteSchema(ma.Schema):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(OUTCOMES),
                               metadata={"description": "true: 属实; false: 不属实 (the visit is rejected)"})
    reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.OneOf(NOT_DONE_REASONS),
                              metadata={"description": "不属实: not_at_home (核实未上门) or service_not_done (照料服务未落实)"})
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                            metadata={"description": "what the call-back found; required when untrue"})


class SpotCheckSchema(ma.Schema):
    id = Id()
    visit_id = Id()
    month = ma.fields.String()
    township_id = Id()
    township = ma.fields.String()
    village = ma.fields.String()
    person_id = Id()
    person_name = ma.fields.String()
    person_phone = ma.fields.String(allow_none=True)
    caregiver_name = ma.fields.String(allow_none=True)
    caregiver_phone = ma.fields.String(allow_none=True)
    started_at = ma.fields.DateTime()
    ended_at = ma.fields.DateTime(allow_none=True)
    mode = ma.fields.String()
    services = ma.fields.List(ma.fields.String())
    visit_status = ma.fields.String(metadata={"description": "verified; rejected once found untrue"})
    outcome = ma.fields.String(allow_none=True, metadata={"description": "null until called back; true or false"})
    reason = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    checked_at = ma.fields.DateTime(allow_none=True)


class SpotCheckTownshipSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    drawn = ma.fields.Integer()
    checked = ma.fields.Integer(metadata={"description": "called back"})
    untrue = ma.fields.Integer(metadata={"description": "found untrue (不属实)"})


class SpotCheckMonthSchema(ma.Schema):
    month = ma.fields.String()
    percent = ma.fields.Integer(allow_none=True, metadata={
        "description": "the share the month was drawn at (CaseworkPolicy.spot_check_percent then); null: none drawn"})
    townships = ma.fields.List(ma.fields.Nested(SpotCheckTownshipSchema))
    checks = ma.fields.List(ma.fields.Nested(SpotCheckSchema))
