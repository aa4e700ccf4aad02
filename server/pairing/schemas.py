import marshmallow as ma
from marshmallow import validate

from server.fields import Date, Id, Name
from server.pairing.models import CADRE_RANKS, FESTIVAL_VISITORS

PHONE = validate.Regexp(r"^1[3-9][0-9]{9}$", error="11位手机号")


class UnitWriteSchema(ma.Schema):
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    leader_name = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    leader_phone = ma.fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9+\-]{5,20}$"))
    township_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=50))


class TownshipRefSchema(ma.Schema):
    id = Id()
    name = ma.fields.String()


class UnitSchema(ma.Schema):
    id = Id()
    name = ma.fields.String()
    leader_name = ma.fields.String(allow_none=True)
    leader_phone = ma.fields.String(allow_none=True)
    cadres = ma.fields.Integer()
    townships = ma.fields.List(ma.fields.Nested(TownshipRefSchema))


class UnitTownshipSchema(ma.Schema):
    township_id = Id(required=True)


class CadreWriteSchema(ma.Schema):
    unit_id = Id(required=True)
    display_name = Name(required=True)
    phone = ma.fields.String(required=True, validate=PHONE, metadata={"description": "the cadre's login"})
    rank = ma.fields.String(required=True, validate=validate.OneOf(CADRE_RANKS),
                            metadata={"description": "district_leader 区级领导 · division_leader 处级领导 · other 其他干部"})


class CadreSchema(ma.Schema):
    id = Id()
    user_id = Id()
    display_name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    username = ma.fields.String()
    unit_id = Id()
    unit_name = ma.fields.String()
    rank = ma.fields.String()
    paired = ma.fields.Integer()
    range = ma.fields.List(ma.fields.Integer(), metadata={"description": "the \"321\" rule's range for the rank"})
    rule = ma.fields.String(allow_none=True, metadata={"description": "null within the range, else under | over"})
    message = ma.fields.String(allow_none=True)
    one_time_password = ma.fields.String(metadata={"description": "only when the login was just made: shown once"})


class CadreQuerySchema(ma.Schema):
    unit_id = Id()


class PairWriteSchema(ma.Schema):
    cadre_id = Id(required=True)
    person_id = Id(required=True)


class PairSchema(ma.Schema):
    id = Id()
    cadre_id = Id()
    cadre_name = ma.fields.String()
    rank = ma.fields.String()
    person_id = Id()
    person_name = ma.fields.String()
    village_name = ma.fields.String()
    started_on = ma.fields.Date()
    status = ma.fields.String()
    warnings = ma.fields.List(ma.fields.String(), metadata={"description": "where the cadre now breaks the \"321\" rule"})


class PairQuerySchema(ma.Schema):
    place_id = Id()
    cadre_id = Id()
    person_id = Id()


class PlaceQuerySchema(ma.Schema):
    place_id = Id()


class AnnexQuerySchema(PlaceQuerySchema):
    format = ma.fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class UnpairedSchema(ma.Schema):
    id = Id()
    name = ma.fields.String()
    village_name = ma.fields.String()
    assistance_category = ma.fields.String()


class RuleReportSchema(ma.Schema):
    title = ma.fields.String()
    cadres_outside = ma.fields.List(ma.fields.Nested(CadreSchema))
    unpaired = ma.fields.List(ma.fields.Nested(UnpairedSchema))
    unpaired_total = ma.fields.Integer()
    persons_total = ma.fields.Integer()


class FestivalWriteSchema(ma.Schema):
    year = ma.fields.Integer(required=True, validate=validate.Range(2000, 2100))
    festival = ma.fields.String(required=True, validate=validate.Length(min=1, max=20), metadata={
        "description": "spring 元旦春节 · dragon_boat 端午 · mid_autumn 中秋 (seed 003), or the name of one the district "
                       "added (GET /api/festivals/policy festival_list)"})
    starts_on = Date(required=True)
    ends_on = Date(required=True)


class FestivalWindowSchema(ma.Schema):
    starts_on = Date(required=True)
    ends_on = Date(required=True)


class FestivalSchema(ma.Schema):
    id = Id()
    year = ma.fields.Integer()
    festival = ma.fields.String()
    label = ma.fields.String()
    starts_on = ma.fields.Date()
    ends_on = ma.fields.Date()


class FestivalRowSchema(ma.Schema):
    township_id = Id(allow_none=True)
    unit_id = Id(allow_none=True)
    name = ma.fields.String(allow_none=True)
    persons = ma.fields.Integer()
    visited = ma.fields.Integer()
    not_visited = ma.fields.Integer()
    by_cadre = ma.fields.Integer(metadata={"description": "of the visited, those a paired cadre visited (if counted)"})
    by_volunteer = ma.fields.Integer(metadata={
        "description": "of the visited, those a volunteer team's 节日慰问 named (if counted); one visited by both "
                       "is in both"})


class FestivalPolicySchema(ma.Schema):
    visitors = ma.fields.List(ma.fields.String(validate=validate.OneOf(FESTIVAL_VISITORS)), required=True,
                              metadata={"description": "whose visits count: cadre (a paired cadre's home visit), "
                                                       "volunteer (a volunteer team's 节日慰问 naming the person); "
                                                       "at least one"})
    festivals = ma.fields.List(ma.fields.String(validate=validate.Length(max=50)), validate=validate.Length(max=20),
                               metadata={"description": "the festivals the district adds to seed 003's 元旦春节、端午、中秋, "
                                                        "by name (e.g. 重阳节); the whole list (left as it is when absent)"})
    rule_321 = ma.fields.Dict(keys=ma.fields.String(validate=validate.OneOf(CADRE_RANKS)),
                              values=ma.fields.List(ma.fields.Integer(), validate=validate.Length(equal=2)),
                              metadata={"description": "the \"321\" range of a rank: [least, most] persons (seed 003: "
                                                       "district_leader 2–3, division_leader 1–2, other 1)"})
    rule_321_reset = ma.fields.Boolean(load_only=True, metadata={"description": "true: back to seed 003's ranges"})
    rule_321_default = ma.fields.Dict(dump_only=True)
    festival_list = ma.fields.List(ma.fields.Dict(), dump_only=True, metadata={
        "description": "every festival a campaign may be for: code, label, seed (one of seed 003's)"})
    updated_by = ma.fields.String(dump_only=True, allow_none=True)
    default = ma.fields.List(ma.fields.String(), dump_only=True)
    choices = ma.fields.List(ma.fields.Dict(), dump_only=True)
    text = ma.fields.String(dump_only=True)
    source = ma.fields.String(dump_only=True, metadata={"description": "the default and the seed passage it reads"})
    is_default = ma.fields.Boolean(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class FestivalReportSchema(ma.Schema):
    title = ma.fields.String()
    campaign = ma.fields.Nested(FestivalSchema)
    persons = ma.fields.Integer()
    visited = ma.fields.Integer()
    not_visited = ma.fields.Integer()
    by_cadre = ma.fields.Integer()
    by_volunteer = ma.fields.Integer()
    policy = ma.fields.Nested(FestivalPolicySchema, metadata={"description": "whose visits the figures count"})
    townships = ma.fields.List(ma.fields.Nested(FestivalRowSchema))
    units = ma.fields.List(ma.fields.Nested(FestivalRowSchema))


class FestivalReportQuerySchema(AnnexQuerySchema):
    pass


class UnvisitedQuerySchema(PlaceQuerySchema):
    township_id = Id()
    unit_id = Id()


class UnvisitedSchema(ma.Schema):
    id = Id()
    name = ma.fields.String()
    village_name = ma.fields.String()
    township_id = Id()
    cadres = ma.fields.List(ma.fields.String())
    units = ma.fields.List(ma.fields.String())


class VisitorSchema(ma.Schema):
    kind = ma.fields.String(metadata={"description": "cadre or volunteer"})
    name = ma.fields.String(allow_none=True, metadata={"description": "the cadre's name, or the volunteer team's"})


class VisitedSchema(ma.Schema):
    id = Id()
    name = ma.fields.String()
    village_name = ma.fields.String()
    township_id = Id()
    visitors = ma.fields.List(ma.fields.Nested(VisitorSchema))
    units = ma.fields.List(ma.fields.String())
