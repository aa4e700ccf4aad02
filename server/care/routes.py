
from flask.views import MethodView
from flask_smorest import Blueprint

from server import clock, paging
from server.auth.current import current_actor, login_required
from server.auth.roles import CAREGIVER, DISTRICT_ADMIN, STAFF_ROLES
from server.care import service, topup
from server.care import documents, organisations
from server.care.schemas import (
    AgreementChangeSchema,
    AgreementEndSchema,
    AgreementQuerySchema,
    AgreementSchema,
    CareHomeDetailSchema,
    CareHomeEditSchema,
    CareHomePolicySchema,
    CareHomeSchema,
    CareSubsidyQuerySchema,
    CareSubsidySchema,
    CentraliseSchema,
    WishSchema,
    WishStateSchema,
)
from server.db import get_session
from server.errors import language
from server.settings import current as current_settings
from server.settings import this_month, today

blp = Blueprint("agreements", __name__, url_prefix="/api/agreements",
                description="Care agreements (委托照料服务协议): one caregiver per person")


def present(agreements):
    persons, users = service.names_for(get_session(), agreements)
    held_by = organisations.names(get_session(), {a.organisation_id for a in agreements if a.organisation_id})
    papers = documents.documents_of(get_session(), [a.id for a in agreements])
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
            "organisation_id": a.organisation_id,
            "organisation_name": held_by.get(a.organisation_id),
            "committee_signatory": a.committee_signatory,
            "care_content": a.care_content,
            "filed_on": a.filed_on,
            "filed_by_name": users.get(a.filed_by),
            "documents": papers[a.id],
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
    @blp.response(200, AgreementSchema)
    def get(self, agreement_id):
        """One agreement, with its care content, signatories, photos of the paper and 备案"""
        return present([documents.read_agreement(get_session(), actor=current_actor(), agreement_id=agreement_id)])[0]

    @login_required(*STAFF_ROLES)
    @blp.arguments(AgreementChangeSchema)
    @blp.response(200, AgreementSchema)
    def put(self, data, agreement_id):
        """Change the village committee's signatory or the care content (a filed agreement is filed again)"""
        return present([documents.change_agreement(get_session(), actor=current_actor(), agreement_id=agreement_id,
                                                   now=clock.now(), **data)])[0]

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
        """Care homes with beds, residents today and the occupancy target (seed 001 annex 2)"""
        return service.care_homes(get_session(), actor=current_actor(), today=today())

    @login_required(DISTRICT_ADMIN)
    @homes_blp.arguments(CareHomeSchema)
    @homes_blp.response(201, CareHomeSchema)
    def post(self, data):
        """Add a care home (district admins)"""
        home = service.create_home(get_session(), actor=current_actor(), **data)
        return service.home_detail(get_session(), actor=current_actor(), home_id=home.id, today=today())


@homes_blp.route("/care-homes/policy")
class CareHomePolicy(MethodView):
    @login_required(*STAFF_ROLES)
    @homes_blp.response(200, CareHomePolicySchema)
    def get(self):
        """The occupancy target and the share of 失能 特困 in centralised care aimed at, with defaults and sources"""
        return service.present_policy(service.home_policy(get_session()), language())

    @login_required(DISTRICT_ADMIN)
    @homes_blp.arguments(CareHomePolicySchema)
    @homes_blp.response(200, CareHomePolicySchema)
    def put(self, data):
        """Set the care homes' occupancy target (seed 001 二(二)4: 60%, 随上级政策变化适时调整) (district admins)"""
        return service.present_policy(service.update_policy(get_session(), actor=current_actor(), **data), language())


@homes_blp.route("/care-homes/<id:home_id>")
class CareHomeById(MethodView):
    @login_required(*STAFF_ROLES)
    @homes_blp.response(200, CareHomeDetailSchema)
    def get(self, home_id):
        """A care home with the persons of the roster living there"""
        return service.home_detail(get_session(), actor=current_actor(), home_id=home_id, today=today())

    @login_required(*STAFF_ROLES)
    @homes_blp.arguments(CareHomeEditSchema(partial=True))
    @homes_blp.response(200, CareHomeDetailSchema)
    def patch(self, data, home_id):
        """Edit a care home: district admins all of it, the township's staff its numbers"""
        service.update_home(get_session(), actor=current_actor(), home_id=home_id, today=today(), **data)
        return service.home_detail(get_session(), actor=current_actor(), home_id=home_id, today=today())


@homes_blp.route("/persons/<id:person_id>/centralise")
class Centralise(MethodView):
    @login_required(*STAFF_ROLES)
    @homes_blp.arguments(CentraliseSchema)
    @homes_blp.response(200)
    def post(self, data, person_id):
        """Move a person into a care home (集中供养)"""
        person = service.centralise(get_session(), actor=current_actor(), person_id=person_id, today=today(), **data)
        return {"person_id": person.id, "status": person.status, "care_home_id": person.care_home_id}


@homes_blp.route("/persons/<id:person_id>/centralisation-wish")
class CentralisationWish(MethodView):
    @login_required(*STAFF_ROLES)
    @homes_blp.response(200, WishStateSchema)
    def get(self, person_id):
        """Whether a person wishes to move into a care home, and the home they live in"""
        return service.wish_of(get_session(), actor=current_actor(), person_id=person_id)

    @login_required(*STAFF_ROLES)
    @homes_blp.arguments(WishSchema)
    @homes_blp.response(200, WishStateSchema)
    def put(self, data, person_id):
        """Record whether a person wishes to move into a care home (集中供养意愿); a wish opens the move's task"""
        person = service.record_wish(get_session(), actor=current_actor(), person_id=person_id,
                                     wishes=data["wishes_centralised"], on=data["on"] or today(), today=today(),
                                     alert_settings=current_settings().alerts)
        return service.wish_of(get_session(), actor=current_actor(), person_id=person.id)


@homes_blp.route("/care-homes/subsidies")
class CareSubsidies(MethodView):
    @login_required(*STAFF_ROLES)
    @homes_blp.arguments(CareSubsidyQuerySchema, location="query")
    @homes_blp.response(200, CareSubsidySchema)
    def get(self, args):
        """The 住院照料护理补贴 and the care-home top-up in force in a month (default this one), with the seed's
        amounts (seed 000 item 7), who changed them and when"""
        return topup.present(get_session(), month=topup.label(*(args.get("month") or this_month())))

    @login_required(DISTRICT_ADMIN)
    @homes_blp.arguments(CareSubsidySchema)
    @homes_blp.response(200, CareSubsidySchema)
    def put(self, data):
        """Set the care subsidies from a month on: this one (the default) or a later one (district admins)"""
        month = topup.label(*(data.pop("effective_month", None) or this_month()))
        topup.update(get_session(), actor=current_actor(), effective_month=month, today=today(), now=clock.now(), **data)
        return topup.present(get_session(), month=month)
