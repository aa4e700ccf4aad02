import math

import marshmallow as ma
from marshmallow import validate

from server.care.models import AGREEMENT_STATUSES, RELATIONS


class AgreementSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    person_id = ma.fields.Integer(required=True)
    person_name = ma.fields.String(dump_only=True)
    caregiver_id = ma.fields.Integer(required=True)
    caregiver_name = ma.fields.String(dump_only=True)
    relation = ma.fields.String(required=True, validate=validate.OneOf(RELATIONS))
    signed_on = ma.fields.Date(required=True)
    start_on = ma.fields.Date(required=True)
    end_on = ma.fields.Date(dump_only=True, allow_none=True)
    status = ma.fields.String(dump_only=True)
    end_reason = ma.fields.String(dump_only=True, allow_none=True)


class AgreementEndSchema(ma.Schema):
    """Ending is the one change an agreement takes; a new caregiver is a new agreement."""

    status = ma.fields.String(required=True, validate=validate.Equal("ended"))
    end_on = ma.fields.Date(load_default=None, allow_none=True)
    end_reason = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class AgreementQuerySchema(ma.Schema):
    person_id = ma.fields.Integer()
    caregiver_id = ma.fields.Integer()
    status = ma.fields.String(validate=validate.OneOf(AGREEMENT_STATUSES))


class CareHomeSchema(ma.Schema):
    """Seed 001 annex 2's columns; the 60% target is 0.6 × beds rounded up, as printed."""

    id = ma.fields.Integer()
    seq = ma.fields.Integer(allow_none=True)
    name = ma.fields.String()
    place_id = ma.fields.Integer()
    beds = ma.fields.Integer()
    residents = ma.fields.Integer()
    target_60pct = ma.fields.Function(lambda h: math.ceil(h.beds * 0.6))
    still_needed_for_60pct = ma.fields.Function(lambda h: math.ceil(h.beds * 0.6) - h.residents)
    occupancy = ma.fields.Function(lambda h: round(h.residents / h.beds, 3) if h.beds else None)
    staff = ma.fields.Integer()


class CentraliseSchema(ma.Schema):
    care_home_id = ma.fields.Integer(required=True)
    decided_on = ma.fields.Date(load_default=None, allow_none=True)
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
