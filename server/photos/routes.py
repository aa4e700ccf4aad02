from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.current import current_actor, login_required
from server.db import get_session
from server.errors import fail
from server.photos.models import VisitPhoto
from server.settings import current as current_settings
from server.visits import service as visits

blp = Blueprint("photos", __name__, url_prefix="/api/photos", description="Visit photos, for those who may see the person")


def _send(photo_id: int, *, thumb: bool):
    session = get_session()
    photo = session.get(VisitPhoto, photo_id)
    if photo is None:
        fail(404, "photo_not_found")
    if photo.activity_id is not None:
        # a team activity's photo: for the team and its township's staff
        from server.activities import service as activities
        from server.activities.models import VolunteerActivity, VolunteerTeam

        team = session.get(VolunteerTeam, session.get(VolunteerActivity, photo.activity_id).team_id)
        if not activities.may_log(session, current_actor(), team):
            fail(403, "forbidden_role")
    else:
        # the visit's own scope rule decides, and the read is audited like a read of the visit
        visits.get_visit(session, actor=current_actor(), visit_id=photo.visit_id,
                         action="read_thumb" if thumb else "read_photo")
    if photo.purged_at is not None:
        fail(410, "photo_purged", date=photo.purged_at.astimezone(current_settings().zone).date().isoformat())
    path = current_settings().photos.store().path(photo.sha256, thumb=thumb)
    if not path.exists():
        fail(404, "photo_not_found")
    response = send_file(path, mimetype="image/jpeg", etag=f"{photo.sha256}{'-t' if thumb else ''}",
                         conditional=True, max_age=86400)
    # private: a shared cache must never hold a photo of someone's home
    response.cache_control.private = True
    response.cache_control.public = False
    return response


@blp.route("/<int:photo_id>")
class Photo(MethodView):
    @login_required()
    @blp.response(200, content_type="image/jpeg")
    def get(self, photo_id):
        """A visit photo (≤ 1600 px JPEG, no metadata)"""
        return _send(photo_id, thumb=False)


@blp.route("/<int:photo_id>/thumb")
class Thumb(MethodView):
    @login_required()
    @blp.response(200, content_type="image/jpeg")
    def get(self, photo_id):
        """A visit photo's 320 px thumbnail"""
        return _send(photo_id, thumb=True)
