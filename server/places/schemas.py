import marshmallow as ma
from marshmallow import validate

from server.fields import Id
from server.places.models import LEVELS


class PlaceSchema(ma.Schema):
    id = Id(dump_only=True)
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    level = ma.fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent_id = Id(load_default=None, allow_none=True)
    code = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))


class PlaceQuerySchema(ma.Schema):
    parent_id = Id(load_default=None)
