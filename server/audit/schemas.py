import marshmallow as ma


class AuditQuerySchema(ma.Schema):
    person_id = ma.fields.Integer()
    user_id = ma.fields.Integer()


class AuditSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.DateTime()
    user_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    entity = ma.fields.String()
    entity_id = ma.fields.Integer(allow_none=True)
    person_id = ma.fields.Integer(allow_none=True)
    address = ma.fields.String(allow_none=True)
    detail = ma.fields.Dict(allow_none=True)
