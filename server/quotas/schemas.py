import marshmallow as ma
from marshmallow import validate

from server.fields import Id, Month


class QuotaSchema(ma.Schema):
    """What counts toward a self-care level's month; on PUT a field left out keeps its value."""

    self_care_level = ma.fields.String(dump_only=True)
    visits_per_month = ma.fields.Integer(required=True, validate=validate.Range(1, 62), metadata={
        "description": "verified 探访 a month, of the modes that count (default 1: seed 002 月探访率 100%)"})
    max_gap_days = ma.fields.Integer(allow_none=True, validate=validate.Range(1, 62), metadata={
        "description": "longest allowed gap between counting visits; null: none (no seed gives one)"})
    count_home = ma.fields.Boolean(metadata={"description": "上门入户 counts (seed 000 item 2)"})
    count_phone_video = ma.fields.Boolean(metadata={"description": "电话视频 counts (seed 000 item 2; 通讯探访, seed 002)"})
    count_remote = ma.fields.Boolean(metadata={"description": "远程监测 counts (seed 000 item 2)"})
    min_home = ma.fields.Integer(validate=validate.Range(0, 62), metadata={"description": "home visits a month at least"})
    min_phone_video = ma.fields.Integer(validate=validate.Range(0, 62))
    min_remote = ma.fields.Integer(validate=validate.Range(0, 62))
    default = ma.fields.Boolean(dump_only=True, metadata={"description": "the seeds' default, never edited"})
    text = ma.fields.String(dump_only=True, metadata={"description": "the rule in words"})
    updated_at = ma.fields.DateTime(dump_only=True)


class ProgressSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    village_id = Id()
    village_name = ma.fields.String()
    self_care_level = ma.fields.String()
    done = ma.fields.Integer(metadata={"description": "verified visits this month of the modes the policy counts"})
    quota = ma.fields.Integer(metadata={"description": "the visits the month asks for at least"})
    met = ma.fields.Boolean(metadata={"description": "this month's quota met, per-mode minimums included"})
    by_mode = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                             metadata={"description": "verified visits this month per mode group"})
    minimums = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                              metadata={"description": "the least the policy asks of a mode group, where it asks"})
    pending = ma.fields.Integer(metadata={"description": "visits this month of the counted modes waiting for township review (待审核)"})
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


class AppliedPolicySchema(ma.Schema):
    levels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict())
    text = ma.fields.String(metadata={"description": "the policy in words, as reports print it"})


class CoverageSchema(ma.Schema):
    place_id = Id()
    policy = ma.fields.Nested(AppliedPolicySchema, metadata={"description": "the quota policy quota_met applied"})
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
    # optional on PUT: the seeds give no rule; the default reads seed 002 (探访关爱机制)
    volunteer_visits_count = ma.fields.Boolean(metadata={
        "description": "a volunteer team's visit naming a person counts toward that person's 月探访率"})
    updated_at = ma.fields.DateTime(dump_only=True)


class GroupRateSchema(ma.Schema):
    total = ma.fields.Integer(metadata={"description": "persons on the home-care register in the group"})
    visited = ma.fields.Integer(metadata={"description": "of them, visited this month"})
    rate = ma.fields.Float(allow_none=True, metadata={"description": "percent; null when the group is empty"})


def _by_group():
    return ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(GroupRateSchema), metadata={
        "description": "lives_alone, empty_nest, left_behind, disabled, severe_disability and any (each person once)"})


class PlaceRatesSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    level = ma.fields.String()
    groups = _by_group()


class RatesPolicySchema(AppliedPolicySchema):
    volunteer_visits_count = ma.fields.Boolean()
    volunteer_text = ma.fields.String()


class VisitRatesSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    level = ma.fields.String()
    month = ma.fields.String()
    groups = ma.fields.List(ma.fields.String())
    children = ma.fields.List(ma.fields.Nested(PlaceRatesSchema))
    total = _by_group()
    policy = ma.fields.Nested(RatesPolicySchema)


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
    visited = ma.fields.Boolean(metadata={"description": "visited this month, as 月探访率 counts (the district's policy)"})
    caregiver_name = ma.fields.String(allow_none=True)
    caregiver_phone = ma.fields.String(allow_none=True)


class CoveragePersonsSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    level = ma.fields.String()
    month = ma.fields.String()
    persons = ma.fields.List(ma.fields.Nested(CoveragePersonSchema))


class MissedPersonSchema(CoveragePersonSchema):
    """A person short of a closed month's quota: as coverage lists them, by the month close's count."""

    class Meta:
        exclude = ("visits", "quota_met", "visited")

    quota_visits = ma.fields.Integer(metadata={"description": "visits the month close counted toward the quota"})
    quota = ma.fields.Integer(metadata={"description": "the month's quota, prorated where the person was away"})


class MissedPersonsSchema(CoveragePersonsSchema):
    persons = ma.fields.List(ma.fields.Nested(MissedPersonSchema))
