from flask.views import MethodView
from flask_smorest import Blueprint

from server import paging
from server.auth.current import current_actor, login_required
from server.auth.roles import CADRE, STAFF_ROLES, VOLUNTEER
from server.db import get_session
from server.people import idnumber, service
from server.people.models import Person
from server.people.schemas import (
    PersonPatchSchema,
    PersonQuerySchema,
    PersonSchema,
    PersonWriteSchema,
)
from server.settings import today
from server.timeutil import age_on

blp = Blueprint("persons", __name__, url_prefix="/api/persons", description="People under support (特困人员)")

def present(people: list[Person], *, role: str) -> list[dict]:
    """Shape persons for the caller's role: volunteers get names and villages only; cadres their
    paired persons' names, villages and phone (结对帮扶: they call before they come)."""
    ctx = service.context_for(get_session(), people)
    on = today()
    out = []
    for p in people:
        village = ctx["villages"].get(p.village_id)
        row = {"id": p.id, "name": p.name, "village_id": p.village_id, "village_name": village.name if village else None}
        if role == CADRE:
            row["phone"] = p.phone
        elif role != VOLUNTEER:
            township = ctx["townships"].get(village.parent_id) if village else None
            row.update(
                sex=p.sex,
                birth_date=p.birth_date,
                age=age_on(p.birth_date, on),
                id_number_masked=idnumber.mask(p.id_number),
                support_mode=p.support_mode,
                self_care_level=p.self_care_level,
                risk_flags=p.risk_flags,
                assistance_category=p.assistance_category,
                dibao_class=p.dibao_class,
                status=p.status,
                township_id=township.id if township else None,
                township_name=township.name if township else None,
                address=p.address,
                phone=p.phone,
                home_lat=p.home_lat,
                home_lon=p.home_lon,
                home_location_state=p.home_location_state,
                care_home_id=p.care_home_id,
                enrolled_on=p.enrolled_on,
                caregiver=ctx["caregivers"].get(p.id),
                updated_at=p.updated_at,
            )
        out.append(row)
    return out


@blp.route("")
class Persons(MethodView):
    @login_required()
    @blp.arguments(PersonQuerySchema, location="query")
    @blp.arguments(paging.query_schema(), location="query")
    @blp.response(200, PersonSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """List the persons you may see (volunteers: names and villages only; cadres: their paired persons), a
        page at a time"""
        actor = current_actor()
        rows, after = service.list_persons(get_session(), actor=actor, page=paging.page(page_args), **args)
        return paging.respond(present(rows, role=actor.user.role), after)

    @login_required(*STAFF_ROLES)
    @blp.arguments(PersonWriteSchema)
    @blp.response(201, PersonSchema)
    def post(self, data):
        """Register a person in a village of your area"""
        actor = current_actor()
        person = service.create_person(get_session(), actor=actor, today=today(), **data)
        return present([person], role=actor.user.role)[0]


@blp.route("/<id:person_id>")
class PersonById(MethodView):
    @login_required()
    @blp.response(200, PersonSchema)
    def get(self, person_id):
        """One person's record (every read is logged)"""
        actor = current_actor()
        person = service.get_person(get_session(), actor=actor, person_id=person_id)
        return present([person], role=actor.user.role)[0]

    @login_required(*STAFF_ROLES)
    @blp.arguments(PersonPatchSchema)
    @blp.response(200, PersonSchema)
    def patch(self, changes, person_id):
        """Change a person's record"""
        actor = current_actor()
        person = service.update_person(get_session(), actor=actor, person_id=person_id, changes=changes,
                                       today=today())
        return present([person], role=actor.user.role)[0]
