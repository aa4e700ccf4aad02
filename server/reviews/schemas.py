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
