import marshmallow as ma

from server.fields import Id


class AuditQuerySchema(ma.Schema):
    person_id = Id()
    user_id = Id()


class AuditSchema(ma.Schema):
    id = Id()
    at = ma.fields.DateTime()
    user_id = Id(allow_none=True)
    action = ma.fields.String()
    entity = ma.fields.String()
    entity_id = Id(allow_none=True)
    person_id = Id(allow_none=True)
    address = ma.fields.String(allow_none=True)
    detail = ma.fields.Dict(allow_none=True)
