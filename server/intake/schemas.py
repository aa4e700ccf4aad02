import marshmallow as ma
from marshmallow import validate

from server.assessments.schemas import AssessmentSchema
from server.fields import Date, Id
from server.intake.models import DECISIONS, OBJECTION_OUTCOMES, PLACEMENTS, STEPS
from server.people.schemas import PersonWriteSchema


class IntakePolicySchema(ma.Schema):
    publicity_days = ma.fields.Integer(required=True, allow_none=False, validate=validate.Range(1, 90), metadata={
        "description": "张榜公示 days (seed 004 item 20 names no period: none until the district sets it)"})
    updated_at = ma.fields.DateTime(dump_only=True)


class ApplicationCreateSchema(PersonWriteSchema):
    """The applicant as the roster will hold them (name, ID number, village, address, phone); sex
    and birth date are read from the ID number."""

    class Meta:
        exclude = ("sex", "birth_date", "support_mode", "self_care_level", "risk_flags", "status",
                   "assistance_category", "dibao_class", "home_lat", "home_lon", "enrolled_on")

    opened_on = Date(required=True, metadata={"description": "the day the application was made"})
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    field_report_id = Id(load_default=None, allow_none=True,
                         metadata={"description": "the report from the field (someone in need) it comes from"})


class InvestigationSchema(AssessmentSchema):
    """入户调查: annex 3's assessment (server/assessments' form) of the applicant; ``assessed_on``
    is the day of the visit."""

    class Meta:
        exclude = ("id", "client_id", "person_id", "assessor_id")


class DecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(DECISIONS))
    decided_on = Date(required=True)
    reason = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))
    publicity_from = Date(load_default=None, allow_none=True,
                          metadata={"description": "张榜公示 posted on (approved only; default: the decision's day)"})


class ObjectionCreateSchema(ma.Schema):
    raised_on = Date(required=True)
    objector = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    content = ma.fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ObjectionDecisionSchema(ma.Schema):
    decided_on = Date(required=True)
    outcome = ma.fields.String(required=True, validate=validate.OneOf(OBJECTION_OUTCOMES))
    finding = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))


class PlacementSchema(ma.Schema):
    placement = ma.fields.String(required=True, validate=validate.OneOf(PLACEMENTS))
    placed_on = Date(required=True)
    care_home_id = Id(load_default=None, allow_none=True)


class ObjectionSchema(ma.Schema):
    id = Id()
    raised_on = ma.fields.Date()
    objector = ma.fields.String(allow_none=True)
    content = ma.fields.String()
    outcome = ma.fields.String(allow_none=True)
    decided_on = ma.fields.Date(allow_none=True)
    finding = ma.fields.String(allow_none=True)


class ApplicationSchema(ma.Schema):
    id = Id()
    step = ma.fields.String(metadata={"description": ", ".join(STEPS)})
    name = ma.fields.String()
    id_number_masked = ma.fields.String(metadata={"description": "公民身份号码, masked: area code and last four"})
    sex = ma.fields.String()
    birth_date = ma.fields.Date()
    village_id = Id()
    village_name = ma.fields.String()
    township_id = Id()
    address = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    field_report_id = Id(allow_none=True)
    opened_on = ma.fields.Date()
    investigated_on = ma.fields.Date(allow_none=True)
    assessment = ma.fields.Dict(allow_none=True)
    decision = ma.fields.String(allow_none=True)
    decided_on = ma.fields.Date(allow_none=True, metadata={"description": "纳入日期 once placed"})
    decision_reason = ma.fields.String(allow_none=True)
    publicity_from = ma.fields.Date(allow_none=True)
    publicity_days = ma.fields.Integer(allow_none=True)
    publicity_until = ma.fields.Date(allow_none=True)
    placement = ma.fields.String(allow_none=True)
    placed_on = ma.fields.Date(allow_none=True)
    care_home_id = Id(allow_none=True)
    care_home_name = ma.fields.String(allow_none=True)
    person_id = Id(allow_none=True)
    objections = ma.fields.List(ma.fields.Nested(ObjectionSchema))


class ApplicationLineSchema(ma.Schema):
    id = Id()
    step = ma.fields.String()
    name = ma.fields.String()
    id_number_masked = ma.fields.String()
    village_name = ma.fields.String()
    opened_on = ma.fields.Date()
    publicity_until = ma.fields.Date(allow_none=True)
    person_id = Id(allow_none=True)


class ListQuerySchema(ma.Schema):
    step = ma.fields.String(load_default=None, validate=validate.OneOf(STEPS))


class OpenReportSchema(ma.Schema):
    id = Id()
    person_name = ma.fields.String()
    village_id = Id()
    village_name = ma.fields.String()
    description = ma.fields.String()
    created_at = ma.fields.DateTime()
