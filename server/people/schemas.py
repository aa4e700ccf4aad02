import marshmallow as ma
from marshmallow import ValidationError, validate

from server.fields import Date, Id, Name
from server.people import idnumber
from server.people.models import (
    ASSISTANCE_CATEGORIES,
    DIBAO_CLASSES,
    HOME_LOCATION_STATES,
    RISK_FLAGS,
    SELF_CARE_LEVELS,
    SEXES,
    STATUSES,
    SUPPORT_MODES,
)


def _id_number(value: str) -> None:
    why = idnumber.problem(value)
    if why:
        raise ValidationError(f"ID number {why}")


class PersonWriteSchema(ma.Schema):
    name = Name(required=True)
    sex = ma.fields.String(required=True, validate=validate.OneOf(SEXES))
    birth_date = Date(required=True)
    id_number = ma.fields.String(required=True, validate=_id_number)
    support_mode = ma.fields.String(load_default="decentralised", validate=validate.OneOf(SUPPORT_MODES))
    self_care_level = ma.fields.String(required=True, validate=validate.OneOf(SELF_CARE_LEVELS))
    risk_flags = ma.fields.List(ma.fields.String(validate=validate.OneOf(RISK_FLAGS)), load_default=list)
    status = ma.fields.String(load_default="active", validate=validate.OneOf(STATUSES))
    assistance_category = ma.fields.String(load_default="tekun", validate=validate.OneOf(ASSISTANCE_CATEGORIES))
    dibao_class = ma.fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DIBAO_CLASSES))
    village_id = Id(required=True)
    address = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = ma.fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9+\-]{5,20}$"))
    home_lat = ma.fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    home_lon = ma.fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))
    enrolled_on = Date(metadata={"description": "纳入日期: the day the person came under support (default: today); "
                                                "a month's roster counts them from it"})

    @ma.validates_schema
    def _home_pair(self, data, **kwargs):
        if (data.get("home_lat") is None) != (data.get("home_lon") is None):
            raise ValidationError("home_lat and home_lon go together", "home_lat")

    @ma.validates_schema
    def _dibao_class(self, data, **kwargs):
        if data.get("dibao_class") and data.get("assistance_category", "dibao") != "dibao":
            raise ValidationError("dibao_class is for assistance_category dibao only", "dibao_class")

    @ma.post_load
    def _upper_x(self, data, **kwargs):
        if "id_number" in data:
            data["id_number"] = data["id_number"].upper()
        return data


class PersonPatchSchema(PersonWriteSchema):
    """Every field optional; only what is sent changes."""

    home_location_state = ma.fields.String(allow_none=True, validate=validate.OneOf(HOME_LOCATION_STATES))

    def __init__(self, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(**kwargs)

    @ma.validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("send at least one field to change", "_schema")


class PersonQuerySchema(ma.Schema):
    place_id = Id()
    self_care_level = ma.fields.String(validate=validate.OneOf(SELF_CARE_LEVELS))
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    q = ma.fields.String(validate=validate.Length(min=1, max=50))


class CaregiverBriefSchema(ma.Schema):
    agreement_id = Id()
    id = Id()
    display_name = ma.fields.String()
    relation = ma.fields.String()


class PersonBriefSchema(ma.Schema):
    """What a volunteer sees: enough to name whom an activity served, nothing sensitive."""

    id = Id()
    name = ma.fields.String()
    village_id = Id()
    village_name = ma.fields.String()


class PersonSchema(PersonBriefSchema):
    sex = ma.fields.String()
    birth_date = Date()
    age = ma.fields.Integer()
    id_number_masked = ma.fields.String(metadata={"description": "公民身份号码, masked: area code and last four"})
    support_mode = ma.fields.String()
    self_care_level = ma.fields.String()
    risk_flags = ma.fields.List(ma.fields.String())
    assistance_category = ma.fields.String()
    dibao_class = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    township_id = Id(allow_none=True)
    township_name = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    home_lat = ma.fields.Float(allow_none=True)
    home_lon = ma.fields.Float(allow_none=True)
    home_location_state = ma.fields.String(allow_none=True)
    care_home_id = Id(allow_none=True)
    enrolled_on = Date(metadata={"description": "纳入日期"})
    caregiver = ma.fields.Nested(CaregiverBriefSchema, allow_none=True)
    updated_at = ma.fields.DateTime()
