import marshmallow as ma
from marshmallow import validate

from server.campaigns.models import FREQUENCIES
from server.fields import Date, Id


class ChecklistItemSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,30}$"))
    label = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    points = ma.fields.Integer(required=True, validate=validate.Range(0, 100))


class CampaignPolicySchema(ma.Schema):
    kind = ma.fields.String(dump_only=True)
    remind_days_before = ma.fields.Integer(required=True, validate=validate.Range(1, 90))
    checklist = ma.fields.List(ma.fields.Nested(ChecklistItemSchema), load_default=None,
                               validate=validate.Length(max=30))
    updated_by = Id(dump_only=True, allow_none=True,
                    metadata={"description": "who saved it; null: the default, never saved"})
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class CampaignFrequencyVersionSchema(ma.Schema):
    from_year = ma.fields.Integer()
    frequency = ma.fields.String()
    updated_by = Id(allow_none=True)
    updated_at = ma.fields.DateTime()


class CampaignFrequencySchema(ma.Schema):
    kind = ma.fields.String(dump_only=True)
    frequency = ma.fields.String(required=True, validate=validate.OneOf(FREQUENCIES),
                                 metadata={"description": "load: the frequency from from_year on; dump: in force this year"})
    from_year = ma.fields.Integer(required=True, load_only=True, validate=validate.Range(2000, 2100))
    default_frequency = ma.fields.String(dump_only=True, metadata={"description": "the seed's"})
    versions = ma.fields.List(ma.fields.Nested(CampaignFrequencyVersionSchema), dump_only=True)


class CampaignQuerySchema(ma.Schema):
    place_id = Id()
    period = ma.fields.String(validate=validate.Regexp(r"^(19|20)\d\d(-Q[1-4]|-H[12]|-(0[1-9]|1[0-2]))?$"))


class CampaignRecordCreateSchema(ma.Schema):
    person_id = Id(required=True)
    done_on = Date(required=True)
    items = ma.fields.List(ma.fields.String(validate=validate.Length(max=30)), load_default=list,
                           validate=validate.Length(max=30))
    family_doctor_signed = ma.fields.Boolean(load_default=None, allow_none=True)
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CampaignRecordSchema(CampaignRecordCreateSchema):
    id = Id()
    kind = ma.fields.String()
    period = ma.fields.String()
    points = ma.fields.Integer()


class CampaignVillageSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    township = ma.fields.String(metadata={"description": "the village's township (two villages may share a name)"})
    due = ma.fields.Integer()
    done = ma.fields.Integer()
    points = ma.fields.Integer()
    doctor_signed = ma.fields.Integer()


class CampaignTotalSchema(ma.Schema):
    due = ma.fields.Integer()
    done = ma.fields.Integer()
    points = ma.fields.Integer()
    doctor_signed = ma.fields.Integer()


class CampaignPersonSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    village_id = Id()
    village_name = ma.fields.String()
    age = ma.fields.Integer(allow_none=True, metadata={"description": "the age reached in the health-check year"})
    turns_min_age = ma.fields.Boolean()
    done = ma.fields.Boolean()
    done_on = ma.fields.Date(allow_none=True)
    points = ma.fields.Integer(allow_none=True)
    items = ma.fields.List(ma.fields.String())
    family_doctor_signed = ma.fields.Boolean(allow_none=True)


class CampaignCoverageSchema(ma.Schema):
    kind = ma.fields.String()
    period = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()
    place_id = Id()
    name = ma.fields.String()
    villages = ma.fields.List(ma.fields.Nested(CampaignVillageSchema))
    total = ma.fields.Nested(CampaignTotalSchema)
    persons = ma.fields.List(ma.fields.Nested(CampaignPersonSchema))
    checklist = ma.fields.List(ma.fields.Nested(ChecklistItemSchema))
