import json

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from server import uploads
from server import paging
from server.auth.current import current_actor, login_required
from server.auth.roles import CADRE, CAREGIVER, STAFF_ROLES
from server.db import get_session
from server.errors import language
from server.notify import service as notify
from server.settings import current as current_settings
from server.visits import catalogue, service
from server.visits.schemas import (
    CheckoutSchema,
    QueueCountsSchema,
    ReviewSchema,
    VisitCreateSchema,
    VisitQuerySchema,
    VisitSchema,
)

blp = Blueprint("visits", __name__, url_prefix="/api/visits", description="Verified home visits (上门走访打卡)")

CREATE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": "VisitMultipart"},
        "application/json": {"schema": "VisitCreate"},
    },
}


_VISIT_SCHEMA = VisitCreateSchema()


def _form_value(key: str, values: list[str]):
    if key == "services":
        if len(values) == 1 and values[0].lstrip().startswith("["):
            return json.loads(values[0])
        return [v for v in values if v.strip()]
    if key == "observations":
        return json.loads(values[0]) if values[0].strip() else None
    if len(values) > 1:
        return values
    return values[0] if values[0] != "" else None


def read_submission() -> tuple[dict, list[bytes]]:
    """The check-in from a multipart form (with photos) or a JSON body (without)."""
    # an outbox replays a stored body; the phone's clock at sending travels in a header
    return uploads.read_submission(_VISIT_SCHEMA, form_value=_form_value,
                                   defaults={"device_time": request.headers.get("X-Device-Time")})


def present(views: list[dict]) -> list[dict]:
    """Shape visit views (``service.views``) for the API."""
    out = []
    for v in views:
        review = None
        if v.get("reviewed_at") is not None:
            review = {"decision": "accept" if v["status"] == "accepted" else "reject", "reason_code": v["review_reason"],
                      "note": v["review_note"], "reviewed_by": v["reviewed_by"], "reviewed_at": v["reviewed_at"]}
        out.append({
            **{k: v[k] for k in ("id", "client_id", "person_id", "person_name", "village", "township", "caregiver_id", "mode", "started_at",
                                 "ended_at", "lat", "lon", "accuracy_m", "services", "observations", "monitor_device",
                                 "monitor_reading", "received_at",
                                 "caregiver_name", "caregiver_phone", "duration_minutes", "duration_seconds",
                                 "distance_from_home_m")},
            "caregiver_month": v.get("caregiver_month"),
            "verification": {"status": v["status"], "exceptions": v["exceptions"], "detail": v["exception_detail"],
                             "review": review},
            "photos": [{"id": p.id, "url": f"/api/photos/{p.id}", "thumb_url": f"/api/photos/{p.id}/thumb",
                        "width": p.width, "height": p.height, "purged_at": p.purged_at} for p in v["photos"]],
        })
    return out


def present_visits(visits) -> list[dict]:
    return present(service.views(get_session(), visits))


@blp.route("")
class Visits(MethodView):
    @login_required()
    @blp.doc(requestBody=CREATE_BODY)
    @blp.response(201, VisitSchema, description="Stored")
    @blp.alt_response(200, schema=VisitSchema, description="A replay of a visit already stored (same client_id and content)")
    @blp.alt_response(413, description="A photo over the byte limit")
    @blp.alt_response(415, description="A photo in a format not accepted")
    def post(self):
        """Check in a visit: who, whom, when, where, what was done, photos"""
        data, files = read_submission()
        session = get_session()
        settings = current_settings()
        store = settings.photos.store()
        try:
            view, created = service.create_visit(session, actor=current_actor(), data=data, files=files,
                                                 store=store, settings=settings.visits)
            session.commit()
        except BaseException:
            # nothing half-stored: no row, and no file this request wrote
            store.discard_created()
            raise
        # someone may be in danger: township staff hear of it now, not at the next job run
        service.deliver_urgent(session, view=view, settings=settings.notify)
        session.commit()
        return present([view])[0], 201 if created else 200

    @login_required()
    @blp.arguments(VisitQuerySchema, location="query")
    @blp.arguments(paging.query_schema(), location="query")
    @blp.response(200, VisitSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """List visits you may see (caregivers: their own), newest first, a page at a time"""
        session, actor, zone = get_session(), current_actor(), current_settings().zone
        rows, after = service.list_visits(session, actor=actor, zone=zone, page=paging.page(page_args), **args)
        views = service.views(session, rows)
        if args.get("status") == "exception":  # the review queue: each caregiver's month beside the visit
            months = service.caregiver_months(session, actor=actor, visits=rows, zone=zone)
            views = [{**v, "caregiver_month": months[v["id"]]} for v in views]
        return paging.respond(present(views), after)


@blp.route("/<id:visit_id>")
class VisitById(MethodView):
    @login_required()
    @blp.response(200, VisitSchema)
    def get(self, visit_id):
        """One visit"""
        return present_visits([service.get_visit(get_session(), actor=current_actor(), visit_id=visit_id)])[0]


@blp.route("/<id:visit_id>/checkout")
class Checkout(MethodView):
    @login_required(CAREGIVER, CADRE)
    @blp.arguments(CheckoutSchema)
    @blp.response(200, VisitSchema)
    def post(self, data, visit_id):
        """Record when the visit ended (when it was not known at check-in)"""
        visit = service.checkout(get_session(), actor=current_actor(), visit_id=visit_id, ended_at=data["ended_at"],
                                 settings=current_settings().visits)
        return present_visits([visit])[0]


@blp.route("/<id:visit_id>/review")
class Review(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ReviewSchema)
    @blp.response(200, VisitSchema)
    def post(self, data, visit_id):
        """Accept or reject a visit's exceptions, with a reason (township staff)"""
        session = get_session()
        settings = current_settings()
        visit = service.review(session, actor=current_actor(), visit_id=visit_id,
                               alert_settings=settings.alerts, zone=settings.zone, **data)
        told = service.tell_caregiver_of_review(session, visit=visit, zone=settings.zone)
        session.commit()
        notify.deliver(session, told, settings.notify)
        return present_visits([visit])[0]


@blp.route("/queue")
class Queue(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, QueueCountsSchema)
    def get(self):
        """The review queue's size: visits waiting for review per township you may see, and per exception"""
        return service.queue_counts(get_session(), actor=current_actor())


@blp.route("/catalogue")
class Catalogue(MethodView):
    @blp.response(200)
    def get(self):
        """Care services per self-care level, a paired cadre's services, observation choices, exception codes and review reasons"""
        zh = language() != "en"
        pick = (lambda pair: pair[0]) if zh else (lambda pair: pair[1])
        return {
            "services": [{"code": c, "label": pick(v[:2]), "levels": list(v[2]), "modes": catalogue.modes_of(c)}
                         for c, v in catalogue.SERVICES.items()],
            "monitor_devices": [{"code": c, "label": pick(v)} for c, v in catalogue.MONITOR_DEVICES.items()],
            "pairing_services": [{"code": c, "label": pick(v)} for c, v in catalogue.PAIRING_SERVICE_LABELS.items()],
            "observations": {f: [{"code": c, "label": pick(lbl)} for c, lbl in choices.items()]
                             for f, choices in catalogue.OBSERVATIONS.items()},
            "exceptions": [{"code": c, "label": pick(lbl)} for c, lbl in catalogue.EXCEPTIONS.items()],
            "review_reasons": [{"code": c, "decision": v[0], "label": pick(v[1:]),
                                "answers": sorted(catalogue.REASON_ANSWERS.get(c, ())),
                                "note_required": c in catalogue.NOTE_REQUIRED}
                               for c, v in catalogue.REVIEW_REASONS.items()],
            # the shortest visit of each mode that counts (VISIT_MIN_MINUTES_HOME): the check-in shows it
            "min_minutes": current_settings().visits.rules.min_minutes,
            # where a home visit counts without review (VISIT_GEOFENCE_RADIUS_M, VISIT_MAX_ACCURACY_M): the
            # check-in warns at the door when the position is outside it
            "geofence_radius_m": current_settings().visits.rules.geofence_radius_m,
            "max_accuracy_m": current_settings().visits.rules.max_accuracy_m,
        }
