import marshmallow as ma
from marshmallow import validate

from server.fields import Date, Id, Month
from server.reviews.models import REVIEW_METHODS, REVIEW_RESULTS


class ReviewQuerySchema(ma.Schema):
    place_id = Id()
    campaign = Month()


class ReviewWriteSchema(ma.Schema):
    """A person's review (定期核查) in a campaign "YYYY-MM": 核查方式 and what it decided."""

    person_id = Id(required=True)
    campaign = Month(required=True)
    method = ma.fields.String(required=True, validate=validate.OneOf(REVIEW_METHODS))
    result = ma.fields.String(required=True, validate=validate.OneOf(REVIEW_RESULTS))
    reviewed_on = Date(required=True)
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ReviewRecordSchema(ma.Schema):
    id = Id()
    person_id = Id()
    campaign = ma.fields.String()
    method = ma.fields.String()
    result = ma.fields.String()
    reviewed_on = Date()
    note = ma.fields.String(allow_none=True)


class PendingSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    village_name = ma.fields.String()
    assistance_category = ma.fields.String()
    dibao_class = ma.fields.String(allow_none=True)


class ReviewedSchema(ma.Schema):
    id = Id()
    person_id = Id()
    name = ma.fields.String()
    method = ma.fields.String()
    result = ma.fields.String()
    reviewed_on = Date()
    reviewed_by = ma.fields.String()
    note = ma.fields.String(allow_none=True)


class TownshipCoverageSchema(ma.Schema):
    township_id = Id()
    name = ma.fields.String()
    due = ma.fields.Integer()
    reviewed = ma.fields.Integer()
    rate = ma.fields.Float(allow_none=True)


class CampaignSchema(ma.Schema):
    """A campaign "YYYY-MM": open through its month, overdue after it."""

    campaign = ma.fields.String()
    yearly = ma.fields.Boolean()
    open = ma.fields.Boolean()
    overdue = ma.fields.Boolean()
    ends_on = Date()
    not_reviewed = ma.fields.List(ma.fields.Nested(PendingSchema))
    reviewed = ma.fields.List(ma.fields.Nested(ReviewedSchema))
    coverage = ma.fields.List(ma.fields.Nested(TownshipCoverageSchema))
