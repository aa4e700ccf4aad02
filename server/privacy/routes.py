import io

from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from server import clock
from server.auth.current import current_actor, login_required
from server.auth.roles import DISTRICT_ADMIN
from server.db import get_session
from server.privacy import service
from server.settings import current as current_settings

blp = Blueprint("privacy", __name__, url_prefix="/api/persons",
                description="Privacy operations (PIPL): everything held about one person")


@blp.route("/<id:person_id>/data-export")
class DataExport(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.response(200, content_type="application/zip")
    def get(self, person_id):
        """Everything held about one person, as a ZIP (district admins; audited as "export")

        `person.json` holds the record with the ID number **whole** — it is the person's own
        data, handed over for a lawful request (PIPL art. 45) — with their agreements, visits
        (observations, GPS, verification, photo rows), assessments, alerts and their timelines,
        notifications about those alerts, volunteer activities naming them, and the audit trail
        of every read and change of their record; `photos/` holds the stored JPEGs.
        """
        data = service.export_zip(get_session(), actor=current_actor(), person_id=person_id, now=clock.now(),
                                  store=current_settings().photos.store())
        response = send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                             download_name=f"person-{person_id}-export.zip")
        response.headers["Cache-Control"] = "no-store"
        return response
