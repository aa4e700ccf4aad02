import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import ValidationError, validate

from server.activities import service
from server.activities.models import ACTIVITY_KINDS
from server.auth.current import current_actor, login_required
from server.auth.roles import TEAM_ROLES
from server.db import get_session
from server.errors import fail
from server.fields import Month
from server.settings import current as current_settings

blp = Blueprint("activities", __name__, url_prefix="/api/activities",
                description="Volunteer team activities (at least one a month per team)")


class ActivityCreateSchema(ma.Schema):
    client_id = ma.fields.UUID(load_default=None, allow_none=True)
    team_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    held_on = ma.fields.Date(required=True)
    place_id = ma.fields.Integer(required=True)
    participants = ma.fields.Integer(load_default=0, validate=validate.Range(0, 10000))
    people_served = ma.fields.Integer(load_default=0, validate=validate.Range(0, 100000))
    note = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ActivityMultipartSchema(ActivityCreateSchema):
    photos = ma.fields.List(Upload())


class ActivitySchema(ActivityCreateSchema):
    client_id = ma.fields.String(allow_none=True)
    id = ma.fields.Integer()
    created_by = ma.fields.Integer(allow_none=True)
    photos = ma.fields.List(ma.fields.Dict())


class ActivityQuerySchema(ma.Schema):
    team_id = ma.fields.Integer()
    month = Month()


_SCHEMA = ActivityCreateSchema()


def present(activities):
    pics = service.photos_of(get_session(), [a.id for a in activities])
    return [{**a.model_dump(), "photos": [{"id": p.id, "url": f"/api/photos/{p.id}", "thumb_url": f"/api/photos/{p.id}/thumb",
                                           "width": p.width, "height": p.height} for p in pics[a.id]]}
            for a in activities]


@blp.route("")
class Activities(MethodView):
    @login_required(*TEAM_ROLES)
    @blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": "ActivityMultipart"},
                                                        "application/json": {"schema": "ActivityCreate"}}})
    @blp.response(201, ActivitySchema)
    def post(self):
        """Log a team activity (photos through the visits' photo pipeline)"""
        from flask import request

        if request.mimetype == "multipart/form-data":
            raw = {k: v for k, v in request.form.items()}
            files = [f.read() for f in request.files.getlist("photos")]
        elif request.is_json and isinstance(request.get_json(silent=True), dict):
            raw, files = request.get_json(), []
        else:
            fail(415, "bad_request")
        try:
            data = _SCHEMA.load(raw)
            data["client_id"] = str(data["client_id"]) if data.get("client_id") else None
        except ValidationError as err:
            fail(422, "validation", errors=err.messages)
        settings = current_settings()
        session = get_session()
        store = settings.photos.store()
        try:
            activity, created = service.create(session, actor=current_actor(), data=data, files=files, store=store,
                                               photo_settings=settings.photos, zone=settings.zone)
            session.commit()
        except BaseException:
            store.discard_created()
            raise
        return present([activity])[0], 201 if created else 200

    @login_required(*TEAM_ROLES)
    @blp.arguments(ActivityQuerySchema, location="query")
    @blp.response(200, ActivitySchema(many=True))
    def get(self, args):
        """Activities of the teams you may see, per team and month"""
        return present(service.list_activities(get_session(), actor=current_actor(), team_id=args.get("team_id"),
                                               month=args.get("month")))


class TeamSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()
    township_id = ma.fields.Integer()


@blp.route("/teams")
class Teams(MethodView):
    @login_required(*TEAM_ROLES)
    @blp.response(200, TeamSchema(many=True))
    def get(self):
        """The volunteer teams you may log activities for"""
        return service.teams(get_session(), actor=current_actor())
