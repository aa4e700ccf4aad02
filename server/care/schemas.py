import math

import marshmallow as ma
from marshmallow import validate

from server.care.models import AGREEMENT_STATUSES, RELATIONS
from server.fields import Date, Id


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


class AgreementEndSchema(ma.Schema):
    """Ending is the one change an agreement takes; a new caregiver is a new agreement."""

    status = ma.fields.String(required=True, validate=validate.Equal("ended"))
    end_on = Date(load_default=None, allow_none=True)
    end_reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class AgreementQuerySchema(ma.Schema):
    person_id = Id()
    caregiver_id = Id()
    status = ma.fields.String(validate=validate.OneOf(AGREEMENT_STATUSES))


class CareHomeSchema(ma.Schema):
    """Seed 001 annex 2's columns; the 60% target is 0.6 × beds rounded up, as printed."""

    id = Id()
    seq = ma.fields.Integer(allow_none=True)
    name = ma.fields.String()
    place_id = Id()
    beds = ma.fields.Integer()
    residents = ma.fields.Integer()
    target_60pct = ma.fields.Function(lambda h: math.ceil(h.beds * 0.6))
    still_needed_for_60pct = ma.fields.Function(lambda h: math.ceil(h.beds * 0.6) - h.residents)
    occupancy = ma.fields.Function(lambda h: round(h.residents / h.beds, 3) if h.beds else None)
    staff = ma.fields.Integer()


class CentraliseSchema(ma.Schema):
    care_home_id = Id(required=True)
    decided_on = Date(load_default=None, allow_none=True)
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
