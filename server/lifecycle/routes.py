"""Exits from the roster and absences from home: thin views over server/lifecycle/exits.py and
server/people/absences.py."""

from flask.views import MethodView
from flask_smorest import Blueprint

from server import clock, paging
from server.auth.current import current_actor, login_required
from server.auth.roles import CAREGIVER, STAFF_ROLES
from server.db import get_session
from server.downloads import download, paper_form
from server.errors import fail
from server.lifecycle import exits
from server.lifecycle.schemas import (
    AbsencePatchSchema,
    AbsenceSchema,
    ExitQuerySchema,
    ExitSchema,
    ExitUndoSchema,
    HospitalReportQuerySchema,
    LeftCareSchema,
)
from server.people import absences
from server.people import service as people
from server.people.routes import present
from server.people.schemas import PersonSchema
from server.settings import current as current_settings
from server.settings import today
from server.tables import to_csv, to_xlsx

blp = Blueprint("lifecycle", __name__, url_prefix="/api",
                description="Exits from the roster (进退有序) and absences from home (住院)")


def _exit_view(record, name):
    return {"id": record.id, "person_id": record.person_id, "person_name": name, "exited_on": record.exited_on,
            "reason": record.reason, "note": record.note, "recorded_at": record.recorded_at}


@blp.route("/persons/<id:person_id>/exit")
class PersonExitView(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, ExitSchema)
    def get(self, person_id):
        """A person's exit from the roster"""
        session = get_session()
        person = people.get_person(session, actor=current_actor(), person_id=person_id)
        record = exits.exit_of(session, person.id)
        if record is None:
            fail(404, "not_found")
        return _exit_view(record, person.name)

    @login_required(*STAFF_ROLES)
    @blp.arguments(ExitSchema)
    @blp.response(201, ExitSchema)
    def post(self, data, person_id):
        """Record that a person left the roster: ends the agreements that day, opens the 丧葬 task on a death"""
        session, settings = get_session(), current_settings()
        record = exits.record_exit(session, actor=current_actor(), person_id=person_id, on=data["exited_on"],
                                   reason=data["reason"], note=data["note"], now=clock.now(), zone=settings.zone,
                                   alert_settings=settings.alerts)
        return _exit_view(record, people.find_person(session, person_id).name)


@blp.route("/persons/<id:person_id>/exit/undo")
class PersonExitUndo(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ExitUndoSchema)
    @blp.response(200, PersonSchema)
    def post(self, data, person_id):
        """Undo an exit recorded in error: back on the roster, the agreement it ended in force again, its 丧葬 task withdrawn; audited with why"""
        actor = current_actor()
        person = exits.undo_exit(get_session(), actor=actor, person_id=person_id, note=data["note"], now=clock.now())
        return present([person], role=actor.user.role)[0]


@blp.route("/exits")
class Exits(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(ExitQuerySchema, location="query")
    @blp.arguments(paging.query_schema(), location="query")
    @blp.response(200, ExitSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """Exits of the persons of your area, the latest first, a page at a time"""
        rows, after = exits.list_exits(get_session(), actor=current_actor(), since=args.get("since"),
                                       page=paging.page(page_args))
        return paging.respond([_exit_view(e, p.name) for e, p in rows], after)


@blp.route("/me/left-care")
class LeftCare(MethodView):
    @login_required(CAREGIVER)
    @blp.response(200, LeftCareSchema(many=True))
    def get(self):
        """Caregivers: the persons who left your care lately (name, day, why)"""
        return exits.left_my_care(get_session(), actor=current_actor(), today=today())


@blp.route("/persons/<id:person_id>/absences")
class Absences(MethodView):
    @login_required(CAREGIVER, *STAFF_ROLES)
    @blp.response(200, AbsenceSchema(many=True))
    def get(self, person_id):
        """A person's stays away from home (staff, and the person's caregiver)"""
        return absences.list_absences(get_session(), actor=current_actor(), person_id=person_id)

    @login_required(CAREGIVER, *STAFF_ROLES)
    @blp.arguments(AbsenceSchema)
    @blp.response(201, AbsenceSchema)
    def post(self, data, person_id):
        """Record a stay away from home (in hospital, with family): gap alerts wait, the quota is prorated"""
        return absences.record_absence(get_session(), actor=current_actor(), person_id=person_id, today=today(),
                                       zone=current_settings().zone, now=clock.now(), **data)


@blp.route("/absences/<id:absence_id>")
class AbsenceById(MethodView):
    @login_required(CAREGIVER, *STAFF_ROLES)
    @blp.arguments(AbsencePatchSchema)
    @blp.response(200, AbsenceSchema)
    def patch(self, changes, absence_id):
        """Change the last day away, or (staff) what was paid for care during a hospital stay"""
        return absences.update_absence(get_session(), actor=current_actor(), absence_id=absence_id, changes=changes,
                                       today=today(), zone=current_settings().zone, now=clock.now())


@blp.route("/absences/report/<name>")
class HospitalReport(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(HospitalReportQuerySchema, location="query")
    @blp.response(200)
    def get(self, args, name):
        """hospital-days: days per person in a year; hospital-budget: the 240 元 a person a year per township"""
        session, actor, year = get_session(), current_actor(), args.get("year") or today().year
        if name == "hospital-days":
            table = absences.hospital_days(session, actor=actor, place_id=args.get("place_id"), year=year)
        elif name == "hospital-budget":
            table = absences.hospital_budget(session, actor=actor, place_id=args.get("place_id"), year=year,
                                             zone=current_settings().zone)
        else:
            fail(404, "not_found")
        if args["format"] == "csv":
            return download(to_csv(table.headers, table.rows), table.title, "csv")
        if args["format"] == "xlsx":
            tab = {"hospital-days": "住院天数", "hospital-budget": "住院照料护理补贴"}[name]
            return download(to_xlsx(paper_form(table.title, tab, None), table.headers, table.rows), table.title, "xlsx")
        return table.as_dict()
