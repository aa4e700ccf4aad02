
from flask.views import MethodView
from flask_smorest import Blueprint

from server import paging
from server.auth.current import current_actor, login_required
from server.auth.roles import CAREGIVER, STAFF_ROLES
from server.care import service
from server.care.schemas import (
    AgreementEndSchema,
    AgreementQuerySchema,
    AgreementSchema,
    CareHomeSchema,
    CentraliseSchema,
)
from server.db import get_session
from server.settings import current as current_settings
from server.settings import today

blp = Blueprint("agreements", __name__, url_prefix="/api/agreements",
                description="Care agreements (委托照料服务协议): one caregiver per person")


def present(agreements):
    persons, users = service.names_for(get_session(), agreements)
    return [
        {
            "id": a.id,
            "person_id": a.person_id,
            "person_name": persons.get(a.person_id),
            "caregiver_id": a.caregiver_id,
            "caregiver_name": users.get(a.caregiver_id),
            "relation": a.relation,
            "signed_on": a.signed_on,
            "start_on": a.start_on,
            "end_on": a.end_on,
            "status": a.status,
            "end_reason": a.end_reason,
        }
        for a in agreements
    ]


@blp.route("")
class Agreements(MethodView):
    @login_required(CAREGIVER, *STAFF_ROLES)
    @blp.arguments(AgreementQuerySchema, location="query")
    @blp.arguments(paging.query_schema(), location="query")
    @blp.response(200, AgreementSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """List agreements (caregivers: their own), a page at a time"""
        rows, after = service.list_agreements(get_session(), actor=current_actor(), page=paging.page(page_args),
                                              **args)
        return paging.respond(present(rows), after)

    @login_required(*STAFF_ROLES)
    @blp.arguments(AgreementSchema)
    @blp.response(201, AgreementSchema)
    def post(self, data):
        """Sign a caregiver to a person who has no active agreement"""
        return present([service.create_agreement(get_session(), actor=current_actor(), today=today(), **data)])[0]


@blp.route("/<id:agreement_id>")
class AgreementById(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(AgreementEndSchema)
    @blp.response(200, AgreementSchema)
    def patch(self, data, agreement_id):
        """End an agreement"""
        data.pop("status")
        return present([service.end_agreement(get_session(), actor=current_actor(), agreement_id=agreement_id,
                                              today=today(), alert_settings=current_settings().alerts, **data)])[0]


homes_blp = Blueprint("care_homes", __name__, url_prefix="/api", description="Care homes and moves into them")


@homes_blp.route("/care-homes")
class CareHomes(MethodView):
    @login_required(*STAFF_ROLES)
    @homes_blp.response(200, CareHomeSchema(many=True))
    def get(self):
        """Care homes with beds, residents and the 60% occupancy target (seed 001 annex 2)"""
        return service.care_homes(get_session(), actor=current_actor())


@homes_blp.route("/persons/<id:person_id>/centralise")
class Centralise(MethodView):
    @login_required(*STAFF_ROLES)
    @homes_blp.arguments(CentraliseSchema)
    @homes_blp.response(200)
    def post(self, data, person_id):
        """Decide to move a person into a care home (集中供养)"""
        person = service.centralise(get_session(), actor=current_actor(), person_id=person_id, today=today(), **data)
        return {"person_id": person.id, "status": person.status, "care_home_id": person.care_home_id}
