from flask.views import MethodView
from flask_smorest import Blueprint

from server import uploads
from server.activities import service
from server.activities.schemas import (
    ActivityCreateSchema,
    ActivityQuerySchema,
    ActivitySchema,
    TeamSchema,
)
from server.auth.current import current_actor, login_required
from server.auth.roles import TEAM_ROLES
from server.db import get_session
from server.settings import current as current_settings

blp = Blueprint("activities", __name__, url_prefix="/api/activities",
                description="Volunteer team activities (at least one a month per team)")


_SCHEMA = ActivityCreateSchema()


def _form_value(key: str, values: list[str]):
    # the persons served come as a repeated field (the way a check-in's services do)
    return [v for v in values if v.strip()] if key == "person_ids" else values[0]


def present(activities):
    pics = service.photos_of(get_session(), [a.id for a in activities])
    served = service.persons_of(get_session(), [a.id for a in activities])
    return [{**a.model_dump(), "person_ids": served[a.id], "photos": [{"id": p.id, "url": f"/api/photos/{p.id}", "thumb_url": f"/api/photos/{p.id}/thumb",
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
        # (as it always was here: other files are ignored, and a JSON body that is not an object is 415)
        data, files = uploads.read_submission(_SCHEMA, form_value=_form_value, refuse_other_files=False,
                                              not_an_object=415)
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


@blp.route("/teams")
class Teams(MethodView):
    @login_required(*TEAM_ROLES)
    @blp.response(200, TeamSchema(many=True))
    def get(self):
        """The volunteer teams you may log activities for"""
        return service.teams(get_session(), actor=current_actor())
