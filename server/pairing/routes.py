from flask.views import MethodView
from flask_smorest import Blueprint

from server.auth.current import current_actor, hasher, login_required
from server.auth.roles import DISTRICT_ADMIN, STAFF_ROLES
from server.db import get_session
from server.downloads import download, paper_form
from server.errors import language
from server.pairing import festival, reports, service
from server.pairing.schemas import (
    AnnexQuerySchema,
    CadreQuerySchema,
    CadreSchema,
    CadreWriteSchema,
    FestivalPolicySchema,
    FestivalReportQuerySchema,
    FestivalReportSchema,
    FestivalSchema,
    FestivalWindowSchema,
    FestivalWriteSchema,
    PairQuerySchema,
    PairSchema,
    PairWriteSchema,
    PlaceQuerySchema,
    RuleReportSchema,
    UnitSchema,
    UnitTownshipSchema,
    UnitWriteSchema,
    UnvisitedQuerySchema,
    UnvisitedSchema,
    VisitedSchema,
)
from server.reports.schemas import ReportSchema
from server.settings import current as current_settings
from server.settings import today
from server.tables import to_csv, to_xlsx

blp = Blueprint("pairing", __name__, url_prefix="/api/pairing",
                description="结对帮扶 (seed 003): units, cadres, pairs, the \"321\" rule and the annex table")
festivals_blp = Blueprint("festivals", __name__, url_prefix="/api/festivals",
                          description="Festival visits (节日慰问): the year's windows and who has been visited")


def _units_of(unit_id: int) -> dict:
    return next(u for u in service.list_units(get_session(), actor=current_actor()) if u["id"] == unit_id)


@blp.route("/units")
class Units(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, UnitSchema(many=True))
    def get(self):
        """The pairing units (district: all; township staff: those paired with their township)"""
        return service.list_units(get_session(), actor=current_actor())

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(UnitWriteSchema)
    @blp.response(201, UnitSchema)
    def post(self, data):
        """Add a unit (区级部门) with its leader, paired with townships (district admins)"""
        unit = service.create_unit(get_session(), actor=current_actor(), **data)
        return _units_of(unit.id)


@blp.route("/units/<id:unit_id>/townships")
class UnitTownships(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(UnitTownshipSchema)
    @blp.response(201, UnitSchema)
    def post(self, data, unit_id):
        """Pair a unit with a township / street office (district admins)"""
        service.link_township(get_session(), actor=current_actor(), unit_id=unit_id, township_id=data["township_id"])
        return _units_of(unit_id)


@blp.route("/cadres")
class Cadres(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(CadreQuerySchema, location="query")
    @blp.response(200, CadreSchema(many=True))
    def get(self, args):
        """The cadres of the units you see, with their pairs and the "321" rule"""
        return service.list_cadres(get_session(), actor=current_actor(), **args)

    @login_required(DISTRICT_ADMIN)
    @blp.arguments(CadreWriteSchema)
    @blp.response(201, CadreSchema, headers={"Cache-Control": {"schema": {"type": "string"}}})
    def post(self, data):
        """Add a cadre to a unit, with a login (their phone; the one-time password is shown once)"""
        session, actor = get_session(), current_actor()
        made = service.create_cadre(session, actor=actor, hasher=hasher(), **data)
        view = next(c for c in service.list_cadres(session, actor=actor, unit_id=made.cadre.unit_id)
                    if c["id"] == made.cadre.id)
        return {**view, "one_time_password": made.one_time_password}, 201, {"Cache-Control": "no-store"}


@blp.route("/pairs")
class Pairs(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(PairQuerySchema, location="query")
    @blp.response(200, PairSchema(many=True))
    def get(self, args):
        """Active pairs of the persons of your place"""
        return service.list_pairs(get_session(), actor=current_actor(), **args)

    @login_required(*STAFF_ROLES)
    @blp.arguments(PairWriteSchema)
    @blp.response(201, PairSchema)
    def post(self, data):
        """Pair a cadre with a person of your township; warns when the cadre breaks the "321" rule"""
        session, actor = get_session(), current_actor()
        made = service.pair(session, actor=actor, today=today(), lang=language(), **data)
        view = service.list_pairs(session, actor=actor, person_id=made.pairing.person_id,
                                  cadre_id=made.pairing.cadre_id)
        return {**view[0], "warnings": made.warnings}


@blp.route("/pairs/<id:pairing_id>/end")
class EndPair(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, PairSchema)
    def post(self, pairing_id):
        """End a pair (the cadre moved on, the person left the roster)"""
        ended = service.end_pair(get_session(), actor=current_actor(), pairing_id=pairing_id, today=today(),
                                 lang=language())
        p = ended.pairing
        return {"id": p.id, "cadre_id": p.cadre_id, "person_id": p.person_id, "started_on": p.started_on,
                "status": p.status, "warnings": ended.warnings}


@blp.route("/rule")
class Rule(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(PlaceQuerySchema, location="query")
    @blp.response(200, RuleReportSchema)
    def get(self, args):
        """Every cadre outside their "321" range and every person without a pair"""
        return service.rule_report(get_session(), actor=current_actor(), lang=language(), **args)


@blp.route("/annex")
class Annex(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(AnnexQuerySchema, location="query")
    @blp.response(200, ReportSchema)
    def get(self, args):
        """Seed 003's annex from the live roster: units × streets × 低保 / 特困 / 特殊困难家庭 (JSON, CSV, XLSX)"""
        report = reports.annex(get_session(), actor=current_actor(), place_id=args.get("place_id"))
        if args["format"] == "csv":
            return download(to_csv(report.headers, report.rows), report.title, "csv")
        if args["format"] == "xlsx":
            return download(to_xlsx(paper_form(report.title, "结对帮扶一览表"), report.headers, report.rows), report.title,
                            "xlsx")
        return report.as_dict()


@festivals_blp.route("")
class Festivals(MethodView):
    @login_required(*STAFF_ROLES)
    @festivals_blp.response(200, FestivalSchema(many=True))
    def get(self):
        """The festival campaigns, newest first"""
        return [festival.present(c, language()) for c in festival.list_campaigns(get_session())]

    @login_required(DISTRICT_ADMIN)
    @festivals_blp.arguments(FestivalWriteSchema)
    @festivals_blp.response(201, FestivalSchema)
    def post(self, data):
        """Set a festival's visit window for a year (district admins)"""
        return festival.present(festival.create_campaign(get_session(), actor=current_actor(), **data), language())


@festivals_blp.route("/policy")
class FestivalPolicy(MethodView):
    @login_required()
    @festivals_blp.response(200, FestivalPolicySchema)
    def get(self):
        """Whose visits count for the festival campaigns, with the default and its source (seed 000 item 12)"""
        return festival.present_policy(festival.policy(get_session()), language(), get_session())

    @login_required(DISTRICT_ADMIN)
    @festivals_blp.arguments(FestivalPolicySchema)
    @festivals_blp.response(200, FestivalPolicySchema)
    def put(self, data):
        """Set whose visits count (paired cadres, volunteer teams or both), the festivals added to seed 003's
        three and the "321" ranges (district admins)"""
        return festival.present_policy(festival.update_policy(get_session(), actor=current_actor(), **data),
                                       language(), get_session())


@festivals_blp.route("/<id:campaign_id>")
class FestivalById(MethodView):
    @login_required(DISTRICT_ADMIN)
    @festivals_blp.arguments(FestivalWindowSchema)
    @festivals_blp.response(200, FestivalSchema)
    def put(self, data, campaign_id):
        """Move a festival's window (district admins)"""
        return festival.present(festival.update_campaign(get_session(), actor=current_actor(),
                                                         campaign_id=campaign_id, **data), language())


FESTIVAL_HEADERS = ["街道（乡镇）", "应走访人数", "已走访", "未走访"]


@festivals_blp.route("/<id:campaign_id>/report")
class FestivalReport(MethodView):
    @login_required(*STAFF_ROLES)
    @festivals_blp.arguments(FestivalReportQuerySchema, location="query")
    @festivals_blp.response(200, FestivalReportSchema)
    def get(self, args, campaign_id):
        """Who has been visited and who has not, per township and per unit (JSON; CSV/XLSX per township)"""
        found = festival.report(get_session(), actor=current_actor(), campaign_id=campaign_id,
                                place_id=args.get("place_id"), zone=current_settings().zone, lang=language())
        if args["format"] == "json":
            return found
        rows = [[t["name"], t["persons"], t["visited"], t["not_visited"]] for t in found["townships"]]
        rows.append(["合计", found["persons"], found["visited"], found["not_visited"]])
        if args["format"] == "csv":
            return download(to_csv(FESTIVAL_HEADERS, rows), found["title"], "csv")
        return download(to_xlsx(paper_form(found["title"], "节日走访慰问"), FESTIVAL_HEADERS, rows), found["title"], "xlsx")


@festivals_blp.route("/<id:campaign_id>/unvisited")
class Unvisited(MethodView):
    @login_required(*STAFF_ROLES)
    @festivals_blp.arguments(UnvisitedQuerySchema, location="query")
    @festivals_blp.response(200, UnvisitedSchema(many=True))
    def get(self, args, campaign_id):
        """The persons not yet visited (of a township or a unit), with their cadres"""
        return festival.unvisited(get_session(), actor=current_actor(), campaign_id=campaign_id,
                                  zone=current_settings().zone, **{"place_id": None, **args})


@festivals_blp.route("/<id:campaign_id>/visited")
class Visited(MethodView):
    @login_required(*STAFF_ROLES)
    @festivals_blp.arguments(UnvisitedQuerySchema, location="query")
    @festivals_blp.response(200, VisitedSchema(many=True))
    def get(self, args, campaign_id):
        """The persons visited (of a township or a unit), each with who visited: cadres and volunteer teams"""
        return festival.visited(get_session(), actor=current_actor(), campaign_id=campaign_id,
                                zone=current_settings().zone, **{"place_id": None, **args})
