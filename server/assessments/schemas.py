import marshmallow as ma
from marshmallow import validate

from server.assessments.models import ENVIRONMENT, HOUSING, OVERALL, QUALITY
from server.fields import Date, Id
from server.people.models import SELF_CARE_LEVELS


class AssessmentSchema(ma.Schema):
    id = Id(dump_only=True)
    client_id = ma.fields.UUID(load_default=None, allow_none=True)
    person_id = Id(required=True)
    assessed_on = Date(required=True)
    assessor_id = Id(dump_only=True)
    guardian_name = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    guardian_age = ma.fields.Integer(load_default=None, allow_none=True, validate=validate.Range(10, 110))
    guardian_relation = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))
    self_care_level = ma.fields.String(required=True, validate=validate.OneOf(SELF_CARE_LEVELS))
    housing = ma.fields.String(required=True, validate=validate.OneOf(HOUSING))
    living_environment = ma.fields.String(required=True, validate=validate.OneOf(ENVIRONMENT))
    quality_of_life = ma.fields.String(required=True, validate=validate.OneOf(QUALITY))
    care_quality = ma.fields.String(required=True, validate=validate.OneOf(QUALITY))
    treated_promptly = ma.fields.Boolean(required=True)
    subsidy_self_controlled = ma.fields.Boolean(required=True)
    rights_infringed = ma.fields.Boolean(required=True)
    overall = ma.fields.String(required=True, validate=validate.OneOf(OVERALL))
    remarks = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    # 集中供养意愿, recorded on the person (not part of the stored row)
    wishes_centralised = ma.fields.Boolean(load_default=None, allow_none=True, load_only=True)

    @ma.post_load
    def _client_id_as_text(self, data, **kwargs):
        # stored as text, as the visits' client_id is
        data["client_id"] = str(data["client_id"]) if data.get("client_id") else None
        return data


class HistoryQuerySchema(ma.Schema):
    person_id = Id(required=True)


class ExportQuerySchema(ma.Schema):
    place_id = Id(required=True)
    format = ma.fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))
