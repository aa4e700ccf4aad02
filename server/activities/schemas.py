import marshmallow as ma
from flask_smorest.fields import Upload
from marshmallow import validate

from server.activities.models import ACTIVITY_KINDS
from server.fields import Date, Id, Month


class ActivityCreateSchema(ma.Schema):
    client_id = ma.fields.UUID(load_default=None, allow_none=True)
    team_id = Id(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    held_on = Date(required=True)
    place_id = Id(required=True)
    participants = ma.fields.Integer(load_default=0, validate=validate.Range(0, 10000))
    people_served = ma.fields.Integer(load_default=0, validate=validate.Range(0, 100000))
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    person_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=200), metadata={
        "description": "the persons of the team's township the activity served (visited); where the district's "
                       "policy says so, it makes them visited in the month's 月探访率"})

    @ma.post_load
    def _client_id_as_text(self, data, **kwargs):
        # stored as text, as the visits' client_id is
        data["client_id"] = str(data["client_id"]) if data.get("client_id") else None
        return data


class ActivityMultipartSchema(ActivityCreateSchema):
    photos = ma.fields.List(Upload())


class ActivitySchema(ActivityCreateSchema):
    client_id = ma.fields.String(allow_none=True)
    id = Id()
    created_by = Id(allow_none=True)
    photos = ma.fields.List(ma.fields.Dict())


class ActivityQuerySchema(ma.Schema):
    team_id = Id()
    month = Month()


class TeamSchema(ma.Schema):
    id = Id()
    name = ma.fields.String()
    kind = ma.fields.String()
    township_id = Id()
