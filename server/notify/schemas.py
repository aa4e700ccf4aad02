import marshmallow as ma
from marshmallow import validate

from server.fields import Id


class NotificationSchema(ma.Schema):
    id = Id()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    url = ma.fields.String(allow_none=True)
    urgent = ma.fields.Boolean()
    alert_id = Id(allow_none=True)
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)


class InboxQuerySchema(ma.Schema):
    unread = ma.fields.Boolean(load_default=False)


class KeysSchema(ma.Schema):
    p256dh = ma.fields.String(required=True, validate=validate.Length(min=20, max=200))
    auth = ma.fields.String(required=True, validate=validate.Length(min=8, max=100))


class SubscriptionSchema(ma.Schema):
    endpoint = ma.fields.Url(required=True, validate=validate.Length(max=800))
    expirationTime = ma.fields.Raw(load_default=None, allow_none=True)  # noqa: N815 (the browser's name)
    keys = ma.fields.Nested(KeysSchema, required=True)


class UnsubscribeSchema(ma.Schema):
    endpoint = ma.fields.Url(required=True, validate=validate.Length(max=800))
