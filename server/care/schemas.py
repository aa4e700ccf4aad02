import marshmallow as ma
from marshmallow import validate

from server.care.models import AGREEMENT_STATUSES, ORGANISATION_KINDS, RELATIONS
from server.fields import Date, Id, Month


class AgreementSchema(ma.Schema):
    id = Id(dump_only=True)
    person_id = Id(required=True)
    person_name = ma.fields.String(dump_only=True)
    caregiver_id = Id(required=True)
    caregiver_name = ma.fields.String(dump_only=True)
    relation = ma.fields.String(required=True, validate=validate.OneOf(RELATIONS))
    signed_on = Date(required=True)
    start_on = Date(required=True)
    end_on = Date(dump_only=True, allow_none=True)
    status = ma.fields.String(dump_only=True)
    end_reason = ma.fields.String(dump_only=True, allow_none=True)
    # the seed's document (seed 001 二(一)1 三方, 三(二)3 备案; server/care/documents.py)
    organisation_id = Id(load_default=None, allow_none=True,
                         metadata={"description": "the 供养服务机构/社会组织 holding it (relation 'organisation')"})
    organisation_name = ma.fields.String(dump_only=True, allow_none=True)
    committee_signatory = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50),
                                           metadata={"description": "who signed for the 居（村）委会"})
    care_content = ma.fields.List(ma.fields.String(validate=validate.Length(max=40)), load_default=None,
                                  allow_none=True, validate=validate.Length(max=30),
                                  metadata={"description": "catalogue codes; default: all the person's level is owed"})
    filed_on = Date(dump_only=True, allow_none=True, metadata={"description": "已备案 by the district"})
    filed_by_name = ma.fields.String(dump_only=True, allow_none=True)
    documents = ma.fields.List(Id(), dump_only=True, metadata={"description": "photos of the signed paper"})


class AgreementChangeSchema(ma.Schema):
    """What of an active agreement may change; a filed one that changes must be filed again."""

    committee_signatory = ma.fields.String(allow_none=True, validate=validate.Length(max=50))
    care_content = ma.fields.List(ma.fields.String(validate=validate.Length(max=40)),
                                  validate=validate.Length(max=30))


class AgreementFilingSchema(ma.Schema):
    filed_on = Date(load_default=None, allow_none=True)


class OrganisationSchema(ma.Schema):
    """供养服务机构 or 社会组织 (seed 002 item 5)."""

    id = Id(dump_only=True)
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    kind = ma.fields.String(required=True, validate=validate.OneOf(ORGANISATION_KINDS))
    place_id = Id(required=True, metadata={"description": "the township it serves, or the district"})
    contact_name = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    phone = ma.fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9+\-]{5,20}$"))
    is_active = ma.fields.Boolean(dump_only=True)
    staff_count = ma.fields.Integer(dump_only=True)
    agreement_count = ma.fields.Integer(dump_only=True)


class OrganisationEditSchema(ma.Schema):
    name = ma.fields.String(validate=validate.Length(min=1, max=60))
    kind = ma.fields.String(validate=validate.OneOf(ORGANISATION_KINDS))
    contact_name = ma.fields.String(allow_none=True, validate=validate.Length(max=50))
    phone = ma.fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9+\-]{5,20}$"))
    is_active = ma.fields.Boolean()


class OrganisationStaffSchema(ma.Schema):
    id = Id()
    username = ma.fields.String()
    display_name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    is_active = ma.fields.Boolean()


class AgreementEndSchema(ma.Schema):
    """Ending is the one change an agreement takes; a new caregiver is a new agreement."""

    status = ma.fields.String(required=True, validate=validate.Equal("ended"))
    end_on = Date(load_default=None, allow_none=True)
    end_reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class AgreementQuerySchema(ma.Schema):
    person_id = Id()
    caregiver_id = Id()
    status = ma.fields.String(validate=validate.OneOf(AGREEMENT_STATUSES))
    place_id = Id(metadata={"description": "the persons of a village, or of every village of a township"})
    filed = ma.fields.Boolean(metadata={"description": "false: 未备案"})
    organisation_id = Id()


class CareHomeSchema(ma.Schema):
    """Seed 001 annex 2's columns, counted: residents are the roster's living there today plus those
    not on the roster; the target is the district's occupancy share of the beds, rounded up."""

    id = Id(dump_only=True)
    seq = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1, max=9999))
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=60))
    place_id = Id(required=True, metadata={"description": "the township the home belongs to (or the district)"})
    place_name = ma.fields.String(dump_only=True, allow_none=True)
    beds = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=5000))
    other_residents = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=5000),
                                        metadata={"description": "residents not on this roster, kept by staff"})
    staff = ma.fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
    head_name = ma.fields.String(allow_none=True, validate=validate.Length(max=50), metadata={"description": "负责人"})
    phone = ma.fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9+\- ]{5,20}$"),
                             metadata={"description": "联系电话"})
    residents = ma.fields.Integer(dump_only=True)
    roster_residents = ma.fields.Integer(dump_only=True)
    target_percent = ma.fields.Integer(dump_only=True)
    target = ma.fields.Integer(dump_only=True)
    still_needed = ma.fields.Integer(dump_only=True)
    occupancy = ma.fields.Float(dump_only=True, allow_none=True)


class CareHomeEditSchema(CareHomeSchema):
    """The fields changed (loaded partial: any of them)."""


class CareHomeResidentSchema(ma.Schema):
    person_id = Id()
    name = ma.fields.String()
    sex = ma.fields.String()
    birth_date = Date()
    self_care_level = ma.fields.String()
    since = Date()
    note = ma.fields.String(allow_none=True)


class CareHomeDetailSchema(CareHomeSchema):
    persons = ma.fields.List(ma.fields.Nested(CareHomeResidentSchema))


class CareHomePolicySchema(ma.Schema):
    occupancy_target_percent = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=100))
    disabled_centralised_percent = ma.fields.Integer(load_default=None, validate=validate.Range(min=1, max=100))
    default_percent = ma.fields.Integer(dump_only=True)
    source = ma.fields.String(dump_only=True, metadata={"description": "the default and the seed passage it reads"})
    disabled_default_percent = ma.fields.Integer(dump_only=True)
    disabled_source = ma.fields.String(dump_only=True)
    is_default = ma.fields.Boolean(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class WishSchema(ma.Schema):
    """集中供养意愿 as staff record it (seed 004 item 2)."""

    wishes_centralised = ma.fields.Boolean(required=True)
    on = Date(load_default=None, allow_none=True)


class CentraliseSchema(ma.Schema):
    care_home_id = Id(required=True)
    decided_on = Date(load_default=None, allow_none=True)
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CareSubsidySchema(ma.Schema):
    """The care subsidies of seed 000 item 7 in force in a month, yuan (server/care/topup.py)."""

    hospital_care_per_year = ma.fields.Integer(strict=True, validate=validate.Range(0, 100000), metadata={
        "description": "住院照料护理补贴 a person a year (seed 000 item 7: 240)"})
    topup_fully_disabled = ma.fields.Integer(strict=True, validate=validate.Range(0, 100000), metadata={
        "description": "敬老院补助 a fully disabled resident a month (seed 000 item 7: 500)"})
    topup_partly_disabled = ma.fields.Integer(strict=True, validate=validate.Range(0, 100000), metadata={
        "description": "敬老院补助 a partly disabled resident a month (seed 000 item 7: 200)"})
    effective_month = Month(allow_none=True, metadata={
        "description": "YYYY-MM from which the amounts apply: this month (the default on PUT) or a later one; "
                       "null: the seed's amounts, never saved"})
    defaults = ma.fields.Dict(dump_only=True, metadata={"description": "the seed's amounts"})
    updated_by = ma.fields.String(dump_only=True, allow_none=True)
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    history = ma.fields.List(ma.fields.Dict(), dump_only=True, metadata={"description": "every saved version"})


class CareSubsidyQuerySchema(ma.Schema):
    month = Month(metadata={"description": "YYYY-MM whose amounts to show (default this month)"})


class WishStateSchema(ma.Schema):
    person_id = Id()
    wishes_centralised = ma.fields.Boolean(allow_none=True)
    wishes_centralised_on = Date(allow_none=True)
    care_home_id = Id(allow_none=True, metadata={"description": "the care home the person lives in, if any"})
    since = Date(allow_none=True)
