import marshmallow as ma
from marshmallow import validate

from server.fields import Date, Id, Month, Shaped


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
    effective_month = Month(metadata={
        "description": "YYYY-MM from which the change applies: this month (the default on PUT) or a later one, never a "
                       "past or closed one; null on a level still at the seeds' default"})
    default = ma.fields.Boolean(dump_only=True, metadata={"description": "the seeds' default"})
    version_id = Id(dump_only=True, allow_none=True)
    text = ma.fields.String(dump_only=True, metadata={"description": "the rule in words"})
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class QuotaVersionSchema(QuotaSchema):
    updated_by = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "who saved the version"})


class QuotaMonthQuerySchema(ma.Schema):
    month = Month(metadata={"description": "YYYY-MM: the versions in force that month (default: this month)"})


class QuotaResetQuerySchema(ma.Schema):
    effective_month = Month(metadata={"description": "YYYY-MM from which the seeds' default applies again "
                                                     "(default: this month)"})


class AwaySchema(ma.Schema):
    kind = ma.fields.String(metadata={"description": "hospital or family"})
    until = Date(metadata={"description": "the last day away, as recorded"})


class ProgressSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    village_id = Id()
    village_name = ma.fields.String()
    self_care_level = ma.fields.String()
    done = ma.fields.Integer(metadata={"description": "the caregiver's own counted 探访 this month"})
    quota = ma.fields.Integer(metadata={"description": "the 探访 the month asks, prorated over the days at home"})
    met = ma.fields.Boolean(metadata={"description": "this month's 履约 met (or excused), per-mode minimums included"})
    by_mode = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                             metadata={"description": "the caregiver's counted 探访 this month per mode group"})
    minimums = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                              metadata={"description": "the least the policy asks of a mode group, where it asks"})
    pending = ma.fields.Integer(metadata={"description": "visits this month of the counted modes waiting for township review (待审核)"})
    expected_by_today = ma.fields.Integer()
    last_visit_at = ma.fields.DateTime(allow_none=True)
    days_since_last = ma.fields.Integer(allow_none=True)
    overdue = ma.fields.Boolean(metadata={"description": "go now: what the daily reminder asks (or past a local gap)"})
    fulfilment = ma.fields.String(metadata={"description": "照料服务履约 so far: met, not_met, excused (away all month)"})
    away = ma.fields.Nested(AwaySchema, allow_none=True, metadata={"description": "away from home today"})


class CoverageQuerySchema(ma.Schema):
    place_id = Id()
    month = Month()


class CoverageTotalSchema(ma.Schema):
    active = ma.fields.Integer(metadata={"description": "persons on the month's roster"})
    visited = ma.fields.Integer(metadata={"description": "of them, visited (月探访率)"})
    agreements = ma.fields.Integer(metadata={"description": "care agreements judged this month (met or not)"})
    quota_met = ma.fields.Integer(metadata={"description": "of them, met (照料服务履约)"})
    excused = ma.fields.Integer(metadata={"description": "agreements 不计: the person away (or off the roster) all month"})


class CoverageRowSchema(CoverageTotalSchema):
    place_id = Id()
    name = ma.fields.String()


class TrendSchema(ma.Schema):
    month = ma.fields.String()
    state = ma.fields.String()
    active = ma.fields.Integer()
    visited = ma.fields.Integer()


class AppliedPolicySchema(ma.Schema):
    levels = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict())
    text = ma.fields.String(metadata={"description": "the policy in words, as reports print it"})
    volunteer_visits_count = ma.fields.Boolean()
    volunteer_text = ma.fields.String()


class MonthStateMixin(ma.Schema):
    month = ma.fields.String()
    state = ma.fields.String(metadata={
        "description": "closed (已结算: the month close's record), rollup (the live month as last counted, at as_of) "
                       "or live (counted for this answer)"})
    closed_at = ma.fields.DateTime(allow_none=True)
    as_of = ma.fields.DateTime(allow_none=True, metadata={"description": "when the figures were counted"})
    amendments = ma.fields.Integer(metadata={"description": "amended persons (更正) of a closed month under the place"})


class CoverageSchema(MonthStateMixin):
    place_id = Id()
    policy = ma.fields.Nested(AppliedPolicySchema, metadata={"description": "the policy the month is judged by"})
    name = ma.fields.String()
    level = ma.fields.String()
    children = Shaped(ma.fields.Nested(CoverageRowSchema))
    total = ma.fields.Nested(CoverageTotalSchema)
    trend = ma.fields.List(ma.fields.Nested(TrendSchema))




class MonthEntrySchema(ma.Schema):
    month = ma.fields.String()
    state = ma.fields.String(metadata={"description": "closed, live (this month) or open (past, not closed)"})
    closed_at = ma.fields.DateTime(allow_none=True)
    amendments = ma.fields.Integer()


class MonthsSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    months = ma.fields.List(ma.fields.Nested(MonthEntrySchema))


class PlaceQuerySchema(ma.Schema):
    place_id = Id()


class AmendmentSchema(ma.Schema):
    id = Id()
    person_id = Id()
    name = ma.fields.String()
    village = ma.fields.String()
    at = ma.fields.DateTime()
    by = ma.fields.String(allow_none=True, metadata={"description": "who caused it"})
    reason = ma.fields.String(metadata={"description": "review, absence, visit or volunteer_activity"})
    ref = ma.fields.Integer(allow_none=True, metadata={"description": "the visit, stay or activity"})
    before = ma.fields.Dict()
    after = ma.fields.Dict()


class AmendmentsSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    month = ma.fields.String()
    closed_at = ma.fields.DateTime(allow_none=True)
    amendments = ma.fields.List(ma.fields.Nested(AmendmentSchema))


class SchedulePolicySchema(ma.Schema):
    volunteer_activities_per_month = ma.fields.Integer(required=True, validate=validate.Range(1, 31))
    health_check_min_age = ma.fields.Integer(required=True, validate=validate.Range(50, 100))
    review_month = ma.fields.Integer(required=True, validate=validate.Range(1, 12))
    # optional on PUT: seed 004 item 4 reviews B and C class 低保 again in September
    review_second_month = ma.fields.Integer(allow_none=True, validate=validate.Range(1, 12), metadata={
        "description": "the second review month of B and C class 低保 (seed 004 item 4: 9); null on PUT: six months "
                       "after review_month"})
    # optional on PUT (left as it is when absent): the seeds give no number, 7 is a local default
    late_submission_days = ma.fields.Integer(validate=validate.Range(1, 62), metadata={
        "description": "a visit received more than this many days after it started is a late_submission exception"})
    # optional on PUT: the seeds give no rule; the default reads seed 002 (探访关爱机制)
    volunteer_visits_count = ma.fields.Boolean(metadata={
        "description": "a volunteer team's visit naming a person counts toward that person's 月探访率"})
    # optional on PUT: no seed gives a number, 7 is a local default
    reminder_days_left = ma.fields.Integer(validate=validate.Range(1, 27), metadata={
        "description": "a caregiver is reminded of a person whose month is not met once this many days are left"})
    defaults = ma.fields.Dict(dump_only=True, metadata={"description": "each value's default (the seeds' where one "
                                                                       "gives a number)"})
    updated_by = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "who saved it last"})
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


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


class VisitRatesSchema(MonthStateMixin):
    place_id = Id()
    name = ma.fields.String()
    level = ma.fields.String()
    groups = ma.fields.List(ma.fields.String())
    children = Shaped(ma.fields.Nested(PlaceRatesSchema))
    total = _by_group()
    policy = ma.fields.Nested(AppliedPolicySchema)


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
    visits = ma.fields.Integer(metadata={"description": "counted 探访 this month, by anyone"})
    by_caregiver = ma.fields.Integer(metadata={"description": "of them by a caregiver of the person's agreements"})
    by_cadre = ma.fields.Integer(metadata={"description": "of them by a 结对 cadre"})
    by_other = ma.fields.Integer(metadata={"description": "of them by anyone else"})
    by_volunteer = ma.fields.Integer(metadata={"description": "volunteer activities naming the person this month"})
    days_away = ma.fields.Integer(metadata={"description": "days of the month away from home"})
    quota_visits = ma.fields.Integer(metadata={"description": "the caregiver's own counted 探访 (履约)"})
    quota = ma.fields.Integer(metadata={"description": "the caregiver's quota, prorated over the days at home"})
    fulfilment = ma.fields.String(allow_none=True, metadata={"description": "照料服务履约: met, not_met, excused; null "
                                                                             "without an agreement"})
    quota_met = ma.fields.Boolean()
    visited = ma.fields.Boolean(metadata={"description": "visited this month, as 月探访率 counts (the district's policy)"})
    caregiver_name = ma.fields.String(allow_none=True)
    caregiver_phone = ma.fields.String(allow_none=True)
    amended_at = ma.fields.DateTime(allow_none=True, metadata={"description": "更正: when a closed month was amended"})


class CoveragePersonsSchema(MonthStateMixin):
    place_id = Id()
    name = ma.fields.String()
    level = ma.fields.String()
    persons = ma.fields.List(ma.fields.Nested(CoveragePersonSchema))


class MissedPersonSchema(CoveragePersonSchema):
    """A person whose caregiver's 履约 a closed month found not met: as coverage lists them, by the
    month close's count."""

    class Meta:
        exclude = ("visits", "quota_met", "visited", "by_caregiver", "by_cadre", "by_other", "by_volunteer",
                   "days_away", "fulfilment")

    quota_visits = ma.fields.Integer(metadata={"description": "the caregiver's own 探访 the month close counted"})
    quota = ma.fields.Integer(metadata={"description": "the month's quota, prorated where the person was away"})


class MissedPersonsSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    level = ma.fields.String()
    month = ma.fields.String()
    state = ma.fields.String()
    closed_at = ma.fields.DateTime(allow_none=True)
    persons = ma.fields.List(ma.fields.Nested(MissedPersonSchema))
