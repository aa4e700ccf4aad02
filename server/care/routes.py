from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.current import current_actor, login_required
from server.care import service
from server.care.schemas import AgreementEndSchema, AgreementQuerySchema, AgreementSchema
from server.db import get_session

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
    @login_required("caregiver", "township_staff", "district_admin")
    @blp.arguments(AgreementQuerySchema, location="query")
    @blp.response(200, AgreementSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(self, args, pagination_parameters):
        """List agreements (caregivers: their own)"""
        rows, total = service.list_agreements(get_session(), actor=current_actor(),
                                              offset=pagination_parameters.first_item,
                                              limit=pagination_parameters.page_size, **args)
        pagination_parameters.item_count = total
        return present(rows)

    @login_required("township_staff", "district_admin")
    @blp.arguments(AgreementSchema)
    @blp.response(201, AgreementSchema)
    def post(self, data):
        """Sign a caregiver to a person who has no active agreement"""
        return present([service.create_agreement(get_session(), actor=current_actor(), **data)])[0]


@blp.route("/<int:agreement_id>")
class AgreementById(MethodView):
    @login_required("township_staff", "district_admin")
    @blp.arguments(AgreementEndSchema)
    @blp.response(200, AgreementSchema)
    def patch(self, data, agreement_id):
        """End an agreement"""
        data.pop("status")
        return present([service.end_agreement(get_session(), actor=current_actor(), agreement_id=agreement_id, **data)])[0]
