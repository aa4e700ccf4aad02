import marshmallow as ma
from marshmallow import validate

from server.alerts import service
from server.alerts.models import LEVELS, STATUSES
from server.fields import Date, Id


def _within_column(amount) -> None:
    if not 0 < amount < 100_000_000:
        raise ma.ValidationError("more than 0 and less than 100000000 (yuan, rounded to fen)")


class GrantSchema(ma.Schema):
    """临时救助 given on resolving an alert: 小金额先行救助 (seed 004 item 11)."""

    # more than 0 once rounded to fen, and within the column's Numeric(10, 2); the seed sets no
    # ceiling on a 小金额. Checked by a function: a Range on a Decimal field would print its bounds as
    # strings in the OpenAPI document, so the bounds are written there as numbers by hand.
    amount = ma.fields.Decimal(required=True, places=2, validate=_within_column,
                               metadata={"minimum": 0.01, "maximum": 99999999.99})
    granted_on = Date(required=True)


class EventSchema(ma.Schema):
    at = ma.fields.DateTime()
    kind = ma.fields.String()
    user_id = Id(allow_none=True)
    user_name = ma.fields.String(allow_none=True, metadata={"description": "who acted (已确认 by whom)"})
    note = ma.fields.String(allow_none=True)


class ReporterSchema(ma.Schema):
    name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    role = ma.fields.String()


class ContactSchema(ma.Schema):
    name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)


class PersonContextSchema(ContactSchema):
    id = Id()
    address = ma.fields.String(allow_none=True)
    village = ma.fields.String(allow_none=True)


class ObservationSeenSchema(ma.Schema):
    field = ma.fields.String()
    code = ma.fields.String()
    label = ma.fields.String()
    concern = ma.fields.Boolean(metadata={"description": "a value staff should look at"})


class VisitContextSchema(ma.Schema):
    id = Id()
    started_at = ma.fields.DateTime()
    mode = ma.fields.String()
    caregiver_name = ma.fields.String(allow_none=True)
    caregiver_phone = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    observations = ma.fields.List(ma.fields.Nested(ObservationSeenSchema))


class AlertContextSchema(ma.Schema):
    person = ma.fields.Nested(PersonContextSchema)
    caregiver = ma.fields.Nested(ContactSchema, allow_none=True, metadata={"description": "the active caregiver"})
    visit = ma.fields.Nested(VisitContextSchema, allow_none=True, metadata={"description": "the visit it came from"})


class AlertSchema(ma.Schema):
    id = Id()
    kind = ma.fields.String()
    severity = ma.fields.String()
    person_id = Id(allow_none=True)
    place_id = Id()
    level = ma.fields.String()
    status = ma.fields.String()
    title = ma.fields.String()
    detail = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    sla_due_at = ma.fields.DateTime()
    acknowledged_at = ma.fields.DateTime(allow_none=True)
    resolved_at = ma.fields.DateTime(allow_none=True)
    outcome = ma.fields.String(allow_none=True)
    events = ma.fields.List(ma.fields.Nested(EventSchema))
    context = ma.fields.Nested(AlertContextSchema, allow_none=True)
    reported_by = ma.fields.Nested(ReporterSchema, allow_none=True, metadata={
        "description": "a field report's alert: who reported it (their words are detail.summary)"})
    outcomes = ma.fields.List(ma.fields.String(), metadata={"description": "the outcomes this alert's kind closes with"})


class AlertQuerySchema(ma.Schema):
    status = ma.fields.String(validate=validate.OneOf(STATUSES + ("unresolved",)), metadata={
        "description": "unresolved: open or acknowledged (what waits); resolved: the history"})
    level = ma.fields.String(validate=validate.OneOf(LEVELS))
    kind = ma.fields.String(validate=validate.Length(max=30))


class AckSchema(ma.Schema):
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class NoteSchema(ma.Schema):
    note = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))


class ResolveSchema(AckSchema):
    outcome = ma.fields.String(required=True, validate=validate.OneOf(service.OUTCOMES))
    relief = ma.fields.Nested(GrantSchema, load_default=None, allow_none=True,
                              metadata={"description": "with the outcome emergency_relief: amount (元) and date"})
