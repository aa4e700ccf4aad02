import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from server.fields import VISIT_TIME_MIN, AwareDateTime, Id, Month
from server.geo import COORD_SYSTEMS
from server.visits.catalogue import EXCEPTIONS, MONITOR_DEVICES, OBSERVATIONS, REVIEW_REASONS
from server.visits.models import MODES, STATUSES


def _choice(field: str, **kw):
    return ma.fields.String(allow_none=True, validate=validate.OneOf(list(OBSERVATIONS[field])), **kw)


class ObservationSchema(ma.Schema):
    """What the caregiver saw (seed 001 annex 3's columns)."""

    self_care_level = _choice("self_care_level")
    health = _choice("health")
    hygiene = _choice("hygiene")
    living_environment = _choice("living_environment")
    food_supplies = _choice("food_supplies")
    mood = _choice("mood")
    # seed 002 item 3: 安全风险、家庭赡养、关爱保护 (a home visit's 更多情况; any may be left out)
    safety_risk = _choice("safety_risk")
    family_support = _choice("family_support")
    care_need = _choice("care_need")
    note = ma.fields.String(allow_none=True, validate=validate.Length(max=500))


class VisitCreateSchema(ma.Schema):
    client_id = ma.fields.UUID(required=True, metadata={"description": "made on the phone; a replay with the same id is stored once"})
    person_id = Id(required=True)
    mode = ma.fields.String(required=True, validate=validate.OneOf(MODES))
    started_at = AwareDateTime(min=VISIT_TIME_MIN, required=True, metadata={"description": "ISO 8601 with offset"})
    ended_at = AwareDateTime(min=VISIT_TIME_MIN, allow_none=True, load_default=None)
    lat = ma.fields.Float(allow_none=True, load_default=None, validate=validate.Range(-90, 90))
    lon = ma.fields.Float(allow_none=True, load_default=None, validate=validate.Range(-180, 180))
    accuracy_m = ma.fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=0, max=100_000))
    coord_system = ma.fields.String(load_default="wgs84", validate=validate.OneOf(COORD_SYSTEMS),
                                    metadata={"description": "what lat/lon are in; stored as WGS-84"})
    services = ma.fields.List(ma.fields.String(validate=validate.Length(max=40)), load_default=list,
                              validate=validate.Length(max=30))
    observations = ma.fields.Nested(ObservationSchema, load_default=None, allow_none=True)
    device_time = AwareDateTime(allow_none=True, load_default=None,
                                          metadata={"description": "the phone's clock when it sent this"})
    monitor_device = ma.fields.String(allow_none=True, load_default=None, validate=validate.OneOf(MONITOR_DEVICES),
                                      metadata={"description": "远程监测 (mode remote, and only then): the device looked at"})
    monitor_reading = ma.fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200),
                                       metadata={"description": "远程监测: what the device showed"})

    @ma.post_load
    def _plain(self, data, **kwargs):
        data["client_id"] = str(data["client_id"])
        return data


class VisitMultipartSchema(VisitCreateSchema):
    """The same fields as multipart/form-data: ``services`` repeated, ``observations`` as a JSON
    string, and the photo files under ``photos``."""

    observations = ma.fields.String(metadata={"description": "JSON object, as in the JSON body"})
    photos = ma.fields.List(Upload(), metadata={"description": "JPEG, PNG, WebP or HEIC files"})


class PhotoRefSchema(ma.Schema):
    id = Id()
    url = ma.fields.String()
    thumb_url = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    purged_at = ma.fields.DateTime(allow_none=True, metadata={
        "description": "set when the retention rules deleted the file; the URL then answers 410"})


class ReviewOutSchema(ma.Schema):
    decision = ma.fields.String()
    reason_code = ma.fields.String()
    note = ma.fields.String(allow_none=True)
    reviewed_by = Id()
    reviewed_at = ma.fields.DateTime()


class VerificationSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "verified | exception | accepted | rejected"})
    exceptions = ma.fields.List(ma.fields.String())
    detail = ma.fields.Dict()
    review = ma.fields.Nested(ReviewOutSchema, allow_none=True)


class CaregiverMonthSchema(ma.Schema):
    visits = ma.fields.Integer(metadata={"description": "the caregiver's visits in the visit's month"})
    exceptions = ma.fields.Integer(metadata={"description": "of those, how many raised an exception"})
    rejected = ma.fields.Integer(metadata={"description": "of those, how many a reviewer rejected"})


class VisitSchema(ma.Schema):
    id = Id()
    client_id = ma.fields.String()
    person_id = Id()
    person_name = ma.fields.String()
    village = ma.fields.String(allow_none=True, metadata={"description": "the person's village"})
    township = ma.fields.String(allow_none=True, metadata={"description": "the person's township"})
    caregiver_id = Id()
    mode = ma.fields.String()
    started_at = ma.fields.DateTime()
    ended_at = ma.fields.DateTime(allow_none=True)
    lat = ma.fields.Float(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    accuracy_m = ma.fields.Float(allow_none=True)
    services = ma.fields.List(ma.fields.String())
    observations = ma.fields.Nested(ObservationSchema, allow_none=True)
    monitor_device = ma.fields.String(allow_none=True, metadata={"description": "远程监测: the device looked at"})
    monitor_reading = ma.fields.String(allow_none=True, metadata={"description": "远程监测: what it showed"})
    received_at = ma.fields.DateTime()
    caregiver_name = ma.fields.String(allow_none=True)
    caregiver_phone = ma.fields.String(allow_none=True)
    duration_minutes = ma.fields.Float(allow_none=True, metadata={"description": "from started_at to ended_at"})
    duration_seconds = ma.fields.Integer(allow_none=True, metadata={"description": "from started_at to ended_at"})
    caregiver_month = ma.fields.Nested(CaregiverMonthSchema, allow_none=True, metadata={
        "description": "the review queue (status=exception) only: the caregiver's visits in the visit's month"})
    distance_from_home_m = ma.fields.Float(allow_none=True, metadata={
        "description": "metres from the recorded position to the person's home on record"})
    verification = ma.fields.Nested(VerificationSchema)
    photos = ma.fields.List(ma.fields.Nested(PhotoRefSchema))


class VisitQuerySchema(ma.Schema):
    person_id = Id()
    caregiver_id = Id()
    month = Month()
    since_month = Month(metadata={"description": "visits started from the first of this month on (a person's history)"})
    status = ma.fields.String(validate=validate.OneOf(STATUSES))
    place_id = Id(metadata={"description": "visits to persons of this place (a township, a village) and under it"})
    exception = ma.fields.String(validate=validate.OneOf(list(EXCEPTIONS)),
                                 metadata={"description": "visits that raised this exception"})
    order = ma.fields.String(load_default="newest", validate=validate.OneOf(("newest", "oldest")),
                             metadata={"description": "oldest: the review queue's order, the longest waiting first"})


class QueueTownshipSchema(ma.Schema):
    place_id = Id()
    name = ma.fields.String()
    pending = ma.fields.Integer(metadata={"description": "visits waiting for review"})
    kinds = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                           metadata={"description": "of those, how many raised each exception (a visit may raise several)"})


class QueueCountsSchema(ma.Schema):
    pending = ma.fields.Integer()
    kinds = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    townships = ma.fields.List(ma.fields.Nested(QueueTownshipSchema))


class CheckoutSchema(ma.Schema):
    ended_at = AwareDateTime(min=VISIT_TIME_MIN, required=True)


class ReviewSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(("accept", "reject")))
    reason_code = ma.fields.String(required=True, validate=validate.OneOf(list(REVIEW_REASONS)))
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
