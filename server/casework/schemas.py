import marshmallow as ma
from marshmallow import validate

from server.casework.models import REPORT_CATEGORIES, REPORT_SUBJECT_CODES
from server.fields import Id


class FieldReportSchema(ma.Schema):
    id = Id(dump_only=True)
    client_id = ma.fields.UUID(required=True, metadata={"description": "made on the phone; a resend is stored once"})
    category = ma.fields.String(required=True, validate=validate.OneOf(REPORT_CATEGORIES))
    subject = ma.fields.String(required=True, validate=validate.OneOf(REPORT_SUBJECT_CODES))
    person_id = Id(load_default=None, allow_none=True)
    person_name = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=50))
    village_id = Id(load_default=None, allow_none=True)
    description = ma.fields.String(required=True, validate=validate.Length(min=1, max=1000))
    alert_id = Id(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)

    @ma.post_load
    def _client_id_as_text(self, data, **kwargs):
        data["client_id"] = str(data["client_id"])
        return data


class MyReportSchema(ma.Schema):
    id = Id()
    category = ma.fields.String()
    subject = ma.fields.String()
    person_id = Id(allow_none=True)
    village_name = ma.fields.String()
    description = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String()
    outcome = ma.fields.String(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


class CaseworkPolicySchema(ma.Schema):
    relief_statement_days = ma.fields.Integer(required=True, validate=validate.Range(1, 365))
    evaluation_interval_months = ma.fields.Integer(required=True, validate=validate.Range(1, 60))
    fraud_rejections = ma.fields.Integer(required=True, validate=validate.Range(2, 20))
    fraud_window_days = ma.fields.Integer(required=True, validate=validate.Range(7, 730))
    spot_check_percent = ma.fields.Integer(validate=validate.Range(0, 100), metadata={
        "description": "重点抽查: % of each township's verified visits of a month drawn for a call-back (0: none)"})
    updated_at = ma.fields.DateTime(dump_only=True)


class ReliefSchema(ma.Schema):
    id = Id()
    alert_id = Id()
    person_id = Id(allow_none=True)
    person_name = ma.fields.String(allow_none=True)
    township_id = Id()
    township_name = ma.fields.String()
    amount = ma.fields.Decimal(as_string=True)
    granted_on = ma.fields.Date()
    statement_due = ma.fields.Date()
    statement = ma.fields.String(allow_none=True)
    statement_at = ma.fields.DateTime(allow_none=True)


class ReliefQuerySchema(ma.Schema):
    place_id = Id()
    pending = ma.fields.Boolean(load_default=False)


class StatementSchema(ma.Schema):
    statement = ma.fields.String(required=True, validate=validate.Length(min=1, max=1000))


class PlaceQuerySchema(ma.Schema):
    place_id = Id()


class DueSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    sex = ma.fields.String()
    birth_date = ma.fields.Date()
    village_name = ma.fields.String()
    self_care_level = ma.fields.String()
    last_assessed_on = ma.fields.Date(allow_none=True)
    caregiver_name = ma.fields.String(allow_none=True)
    caregiver_relation = ma.fields.String(allow_none=True)
    wishes_centralised = ma.fields.Boolean(allow_none=True)
