import marshmallow as ma
from marshmallow import validate

from server.fields import Id, Month


class QuotaSchema(ma.Schema):
    self_care_level = ma.fields.String(dump_only=True)
    visits_per_month = ma.fields.Integer(required=True, validate=validate.Range(1, 62))
    max_gap_days = ma.fields.Integer(required=True, validate=validate.Range(1, 62))
    updated_at = ma.fields.DateTime(dump_only=True)


class ProgressSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    village_id = Id()
    village_name = ma.fields.String()
    self_care_level = ma.fields.String()
    done = ma.fields.Integer(metadata={"description": "verified home visits this month"})
    quota = ma.fields.Integer()
    expected_by_today = ma.fields.Integer()
    last_visit_at = ma.fields.DateTime(allow_none=True)
    days_since_last = ma.fields.Integer(allow_none=True)
    overdue = ma.fields.Boolean()


class CoverageQuerySchema(ma.Schema):
    place_id = Id()
    month = Month()


class CoverageRowSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    active = ma.fields.Integer()
    visited = ma.fields.Integer()
    quota_met = ma.fields.Integer()


class CoverageTotalSchema(ma.Schema):
    active = ma.fields.Integer()
    visited = ma.fields.Integer()
    quota_met = ma.fields.Integer()


class TrendSchema(ma.Schema):
    month = ma.fields.String()
    active = ma.fields.Integer()
    visited = ma.fields.Integer()


class CoverageSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    month = ma.fields.String()
    children = ma.fields.List(ma.fields.Nested(CoverageRowSchema))
    total = ma.fields.Nested(CoverageTotalSchema)
    trend = ma.fields.List(ma.fields.Nested(TrendSchema))




class SchedulePolicySchema(ma.Schema):
    volunteer_activities_per_month = ma.fields.Integer(required=True, validate=validate.Range(1, 31))
    health_check_min_age = ma.fields.Integer(required=True, validate=validate.Range(50, 100))
    review_month = ma.fields.Integer(required=True, validate=validate.Range(1, 12))
    # optional on PUT (left as it is when absent): the seeds give no number, 7 is a local default
    late_submission_days = ma.fields.Integer(validate=validate.Range(1, 62), metadata={
        "description": "a visit received more than this many days after it started is a late_submission exception"})
    updated_at = ma.fields.DateTime(dump_only=True)


class CoveragePersonsQuerySchema(CoverageQuerySchema):
    unvisited_only = ma.fields.Boolean(load_default=True)


class CoveragePersonSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    village_id = Id()
    village = ma.fields.String()
    township = ma.fields.String(allow_none=True)
    self_care_level = ma.fields.String()
    visits = ma.fields.Integer(metadata={"description": "verified visits of any mode this month"})
    quota_visits = ma.fields.Integer(metadata={"description": "those counting toward the quota"})
    quota = ma.fields.Integer()
    quota_met = ma.fields.Boolean()
    caregiver_name = ma.fields.String(allow_none=True)
    caregiver_phone = ma.fields.String(allow_none=True)


class CoveragePersonsSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    level = ma.fields.String()
    month = ma.fields.String()
    persons = ma.fields.List(ma.fields.Nested(CoveragePersonSchema))
