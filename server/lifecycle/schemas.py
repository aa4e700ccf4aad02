import marshmallow as ma
from marshmallow import validate

from server.fields import Date, Id
from server.people.models import ABSENCE_KINDS, EXIT_REASONS


class ExitSchema(ma.Schema):
    """退出: the day (a local date, not after today) and why (seed 004 进退有序)."""

    id = Id(dump_only=True)
    person_id = Id(dump_only=True)
    person_name = ma.fields.String(dump_only=True)
    exited_on = Date(required=True)
    reason = ma.fields.String(required=True, validate=validate.OneOf(EXIT_REASONS))
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    recorded_at = ma.fields.AwareDateTime(dump_only=True)


class ExitUndoSchema(ma.Schema):
    note = ma.fields.String(required=True, validate=validate.Length(max=500),
                            metadata={"description": "why the exit is undone (recorded in error): required"})


class ExitQuerySchema(ma.Schema):
    since = Date()


class LeftCareSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    exited_on = Date()
    reason = ma.fields.String()


class AbsenceSchema(ma.Schema):
    """住院 or 投亲: first and last day away (local dates, inclusive); staff add what was paid for
    care during a hospital stay (住院照料护理补贴, seed 000 item 7)."""

    id = Id(dump_only=True)
    person_id = Id(dump_only=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(ABSENCE_KINDS))
    start_on = Date(required=True)
    end_on = Date(required=True)
    care_subsidy_yuan = ma.fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100000))
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    recorded_at = ma.fields.AwareDateTime(dump_only=True)


class AbsencePatchSchema(ma.Schema):
    end_on = Date()
    care_subsidy_yuan = ma.fields.Integer(allow_none=True, validate=validate.Range(0, 100000))


class HospitalReportQuerySchema(ma.Schema):
    place_id = Id()
    year = ma.fields.Integer(validate=validate.Range(2000, 2100))
    format = ma.fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))
