import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from server.fields import Date, Id, Month
from server.homeservices.models import CAP_PERIODS, GROUP_RULES, SERVICES


class ServicePolicySchema(ma.Schema):
    service = ma.fields.String(dump_only=True)
    cap_count = ma.fields.Integer(required=True, validate=validate.Range(1, 31))
    cap_period = ma.fields.String(required=True, validate=validate.OneOf(CAP_PERIODS))
    min_age = ma.fields.Integer(required=True, validate=validate.Range(0, 120))
    source = ma.fields.String(required=True, validate=validate.Length(min=1, max=300))
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class ServiceRateSchema(ma.Schema):
    service = ma.fields.String(dump_only=True)
    group_code = ma.fields.String(dump_only=True)
    amount = ma.fields.Float(required=True, validate=validate.Range(0, 100000),
                             metadata={"description": "元 a time, to the fen"})
    eligible = ma.fields.Boolean(load_default=True)
    source = ma.fields.String(required=True, validate=validate.Length(min=1, max=300))
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class ServiceGroupRuleSchema(ma.Schema):
    rule = ma.fields.String(required=True, validate=validate.OneOf(GROUP_RULES),
                            metadata={"description": "a person in two groups with different rates gets: the rate of "
                                                     "the first group listed, the higher or the lower"})
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class ServicePolicyTableSchema(ma.Schema):
    policies = ma.fields.List(ma.fields.Nested(ServicePolicySchema))
    rates = ma.fields.List(ma.fields.Nested(ServiceRateSchema))
    group_rule = ma.fields.Nested(ServiceGroupRuleSchema, allow_none=True,
                                  metadata={"description": "null: the district has not decided (the first group "
                                                           "listed applies)"})


class ServiceProviderCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    township_id = Id(required=True)
    phone = ma.fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9+\- ]{5,20}$"))
    services = ma.fields.List(ma.fields.String(validate=validate.OneOf(SERVICES)), required=True,
                              validate=validate.Length(min=1, max=len(SERVICES)))


class ServiceProviderSchema(ServiceProviderCreateSchema):
    id = Id()
    active = ma.fields.Boolean()


class AidPointCreateSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=80))
    village_id = Id(required=True)


class AidPointSchema(AidPointCreateSchema):
    id = Id()
    township_id = Id()


class ServiceScopeQuerySchema(ma.Schema):
    place_id = Id()


class ServiceRecordCreateSchema(ma.Schema):
    client_id = ma.fields.UUID(load_default=None, allow_none=True)
    service = ma.fields.String(required=True, validate=validate.OneOf(SERVICES))
    provider_id = Id(required=True)
    person_id = Id(load_default=None, allow_none=True)
    point_id = Id(load_default=None, allow_none=True)
    served_on = Date(required=True)
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))

    @ma.post_load
    def _client_id_as_text(self, data, **kwargs):
        data["client_id"] = str(data["client_id"]) if data.get("client_id") else None
        return data


class ServiceRecordMultipartSchema(ServiceRecordCreateSchema):
    photos = ma.fields.List(Upload())


class ServiceRecordSchema(ma.Schema):
    id = Id()
    client_id = ma.fields.String(allow_none=True)
    service = ma.fields.String()
    provider_id = Id()
    provider_name = ma.fields.String()
    person_id = Id(allow_none=True)
    person_name = ma.fields.String(allow_none=True)
    point_id = Id(allow_none=True)
    point_name = ma.fields.String(allow_none=True)
    township_id = Id()
    served_on = ma.fields.Date()
    period = ma.fields.String()
    group_code = ma.fields.String()
    amount = ma.fields.Float()
    note = ma.fields.String(allow_none=True)
    photos = ma.fields.List(ma.fields.Dict())


class ServiceRecordQuerySchema(ma.Schema):
    place_id = Id()
    provider_id = Id()
    month = Month()


class ServiceStatementQuerySchema(ServiceRecordQuerySchema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))
