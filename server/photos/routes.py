from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.current import current_actor, login_required
from server.db import get_session
from server.errors import fail
from server.photos import service
from server.photos.send import send_stored
from server.settings import current as current_settings

blp = Blueprint("photos", __name__, url_prefix="/api/photos", description="Visit photos, for those who may see the person")


def _send(photo_id: int, *, thumb: bool):
    # the owner's rule decides (a visit's scope, audited like a read of the visit; a team's activity);
    # only then does the store say where the file is
    photo = service.readable(get_session(), actor=current_actor(), photo_id=photo_id, thumb=thumb)
    if photo.purged_at is not None:
        fail(410, "photo_purged", date=photo.purged_at.astimezone(current_settings().zone).date().isoformat())
    return send_stored(photo.sha256, thumb=thumb)


@blp.route("/<id:photo_id>")
class Photo(MethodView):
    @login_required()
    @blp.response(200, content_type="image/jpeg")
    @blp.alt_response(302, description="With object storage (PHOTO_STORAGE=s3): a signed URL of the file, "
                                       "valid SIGNED_URL_SECONDS")
    def get(self, photo_id):
        """A visit photo (≤ 1600 px JPEG, no metadata)"""
        return _send(photo_id, thumb=False)


@blp.route("/<id:photo_id>/thumb")
class Thumb(MethodView):
    @login_required()
    @blp.response(200, content_type="image/jpeg")
    @blp.alt_response(302, description="With object storage (PHOTO_STORAGE=s3): a signed URL of the thumbnail, "
                                       "valid SIGNED_URL_SECONDS")
    def get(self, photo_id):
        """A visit photo's 320 px thumbnail"""
        return _send(photo_id, thumb=True)
