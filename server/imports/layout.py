"""The columns of a township's roster (分散供养特困人员花名册) and of a volunteer list: the
headers people really write, and the words they use for coded values. Pure data and functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.care.models import RELATION_LABELS  # noqa: F401 (the roster's words for the codes)
from server.fields import normalise_text


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the header the template and the export write
    aliases: tuple[str, ...]  # other headers accepted on import (normalised, see header_key)
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()  # the template's drop-down list
    width: int = 14


LEVEL_LABELS = {"self_care": "全自理", "partly_disabled": "半失能", "fully_disabled": "全失能"}
MODE_LABELS = {"decentralised": "分散供养", "centralised": "集中供养"}
SEX_LABELS = {"M": "男", "F": "女"}
CATEGORY_LABELS = {"tekun": "特困", "dibao": "低保", "special_hardship": "特殊困难家庭"}
DIBAO_CLASS_LABELS = {"A": "A", "B": "B", "C": "C"}
# 特殊困难情形 (server/people/models.py RISK_FLAGS): the groups of seed 002's 探访关爱 and seed 002's 服务清单
RISK_FLAG_LABELS = {"lives_alone": "独居", "empty_nest": "空巢", "left_behind": "留守", "mental_illness": "精神障碍",
                    "severe_disability": "重残", "lost_only_child": "失独",
                    "family_planning_special": "计划生育特殊家庭"}
# 计划生育特殊家庭 in a column of its own (seed 002 item 3 names it as a group): 是 / 否
YES_NO = {"是": True, "否": False, "有": True, "无": False, "√": True, "✓": True, "Y": True, "N": False,
          "y": True, "n": False}

PERSON_COLUMNS = (
    Column("name", "姓名", ("特困人员姓名", "供养对象姓名", "人员姓名", "对象姓名"), True, "特困人员本人姓名", width=10),
    Column("sex", "性别", (), False, "男/女；不填则按身份证号", tuple(SEX_LABELS.values()), width=6),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "证件号码", "身份证件号码"), True,
           "18位，末位可为X；单元格请设为文本，勿让Excel存成数字", width=22),
    Column("birth_date", "出生日期", ("出生年月日", "出生年月", "生日"), False, "可不填；填写则须与身份证号一致", width=12),
    Column("village", "村", ("村居", "所在村", "村(居)", "村/居", "村/居委会", "村居委会", "所属村", "行政村", "村委会",
                            "所在村(居)", "村(社区)", "村别"), True, "本乡镇的村/居委会名称，须与系统中一致", width=12),
    Column("address", "住址", ("地址", "家庭住址", "详细地址", "居住地址", "现住址"), False, "可不填", width=24),
    Column("self_care_level", "自理能力", ("自理情况", "生活自理能力", "自理能力评估", "自理状况", "护理等级"), True,
           "全自理/半失能/全失能（也认：自理/半护理/全护理、部分失能、完全失能）", tuple(LEVEL_LABELS.values()), width=10),
    Column("risk_flags", "特殊困难情形", ("特殊困难类型", "困难情形", "特殊情形", "特殊困难", "困难类型"), False,
           "可填多项，用“、”分开：独居、空巢、留守、精神障碍、重残（一二级残疾）、失独、计划生育特殊家庭；没有则留空",
           width=18),
    Column("family_planning", "计划生育特殊家庭", ("计生特殊家庭", "计划生育特殊困难家庭", "计生特殊困难家庭"), False,
           "是/否；可不设此栏（也可在特殊困难情形中填写）；不填则不改", ("是", "否"), width=10),
    Column("enrolled_on", "纳入日期", ("纳入时间", "认定日期", "审批日期", "批准日期", "纳入特困日期", "纳入供养日期"), False,
           "批准纳入特困供养的日期，如 2021-03-15；不填则新登记的人员为导入当天，已在册的不改", width=12),
    Column("support_mode", "供养方式", ("供养形式", "供养类型"), False, "分散供养/集中供养；不填为分散供养",
           tuple(MODE_LABELS.values()), width=10),
    Column("assistance_category", "救助类别", ("人员类别", "对象类别", "救助对象类别", "困难类别", "保障类别"), False,
           "特困/低保/特殊困难家庭（seed 003 附件的三类）；不填则不改（新登记为特困）",
           ("特困", "低保", "特殊困难家庭"), width=12),
    Column("dibao_class", "低保类别", ("低保分类", "低保类型", "低保等级", "低保档次"), False,
           "A/B/C，仅低保对象填写", ("A", "B", "C"), width=8),
    Column("caregiver_name", "照料人", ("照料服务人", "监护人", "照料人姓名", "照料服务人姓名", "日常照料服务人",
                                      "监护人姓名", "照料护理人"), False, "签订照料服务协议的人；集中供养不填", width=10),
    Column("caregiver_phone", "照料人电话", ("照料人手机", "照料服务人电话", "监护人电话", "照料人联系电话",
                                          "照料人手机号", "联系电话", "手机号", "手机号码", "电话"), False,
           "11位手机号，即照料人的登录用户名", width=14),
    Column("relation", "关系", ("与照料人关系", "照料人关系", "与被照料人关系", "关系类别", "照料人与本人关系",
                              "与特困人员关系"), False, "亲属/邻里/低保等低收入家庭中有劳动能力的人员",
           tuple(RELATION_LABELS.values()), width=16),
    Column("signed_on", "签订日期", ("签约日期", "协议签订日期", "签订时间", "协议日期", "签订协议日期"), False,
           "照料服务协议签订日期，如 2023-05-01", width=12),
)

VOLUNTEER_COLUMNS = (
    Column("name", "姓名", ("队员姓名", "志愿者姓名"), True, "志愿者姓名", width=10),
    Column("phone", "手机号", ("电话", "手机", "联系电话", "手机号码", "联系方式"), True, "11位手机号，即登录用户名",
           width=14),
    Column("place", "所在村", ("村", "村居", "村/居委会", "所属村", "乡镇", "镇街", "所在乡镇", "村/乡镇", "所在地"), False,
           "本乡镇的村名；不填或填乡镇名则归属乡镇", width=12),
    Column("team", "服务队", ("志愿服务队", "所属服务队", "队伍", "服务队名称", "所属队伍"), True,
           "志愿服务队名称；系统中没有的会新建", width=20),
)

RANK_LABELS = {"district_leader": "区级领导", "division_leader": "处级领导", "other": "其他干部"}

# 结对帮扶名册 (seed 003): one row per cadre × person of the township.
PAIRING_COLUMNS = (
    Column("unit", "结对单位", ("单位", "区级部门", "帮扶单位", "部门", "结对部门", "单位名称"), True,
           "区级部门名称，须与系统“结对帮扶”中的单位一致，且已与本街道（乡镇）结对", width=24),
    Column("cadre_name", "干部姓名", ("帮扶干部", "结对干部", "帮扶人", "帮扶责任人", "干部", "帮扶人姓名"), True,
           "结对帮扶干部姓名", width=10),
    Column("cadre_phone", "干部手机号", ("干部电话", "帮扶人电话", "帮扶人手机", "干部手机", "帮扶干部电话"), True,
           "11位手机号，即干部的登录用户名", width=14),
    Column("rank", "职级", ("干部类别", "干部职级", "领导职务", "级别"), False,
           "区级领导/处级领导/其他干部（“321”原则：结对2-3人/1-2人/1人）；新干部必填",
           tuple(RANK_LABELS.values()), width=10),
    Column("name", "帮扶对象", ("帮扶对象姓名", "困难群众姓名", "对象姓名", "姓名", "结对对象"), True, "困难群众姓名",
           width=10),
    Column("id_number", "公民身份号码", ("身份证号", "身份证号码", "身份证", "帮扶对象身份证号", "证件号码"), True,
           "帮扶对象的身份证号，须是本街道（乡镇）在册人员", width=22),
)

COLUMNS = {"persons": PERSON_COLUMNS, "volunteers": VOLUNTEER_COLUMNS, "pairings": PAIRING_COLUMNS}
TITLES = {"persons": "分散供养特困人员花名册", "volunteers": "志愿服务队队员名单", "pairings": "结对帮扶名册"}


normalise = normalise_text  # NFKC, trimmed: a cell as a name typed in the app is kept


_HEADER_NOISE = re.compile(r"[\s*＊:：]|[(（]?必填[)）]?")


def header_key(value) -> str:
    if value is None:
        return ""
    text = _HEADER_NOISE.sub("", normalise(str(value)))
    return text.replace("（", "(").replace("）", ")")


def header_map(kind: str) -> dict[str, str]:
    """Normalised header → column key."""
    out = {}
    for col in COLUMNS[kind]:
        for name in (col.header, *col.aliases):
            out[header_key(name)] = col.key
    return out


@dataclass(frozen=True)
class Meaning:
    """A header read by what it says rather than by its exact words: ``words`` found in it (and
    none of ``unless``) mean ``key``; ``beside`` names columns one of which the file must also have
    (关系 is the caregiver's relation only in a roster that names a caregiver)."""

    key: str
    words: str  # a regular expression searched in the normalised header
    unless: str = ""
    beside: tuple[str, ...] = ()


_CAREGIVER = "照料|监护|护理人|服务人"
MEANINGS: dict[str, tuple[Meaning, ...]] = {
    "persons": (
        Meaning("id_number", r"身份证|证件号|身份号码", unless=_CAREGIVER),
        Meaning("caregiver_phone", r"(照料|监护|护理|服务)人?.*(电话|手机|联系)"),
        Meaning("caregiver_name", r"(照料|监护|护理|服务)人", unless=r"电话|手机|联系|关系|身份证|日期|时间"),
        Meaning("relation", r"关系", beside=("caregiver_name", "caregiver_phone")),
        Meaning("birth_date", r"出生"),
        Meaning("sex", r"性别"),
        Meaning("self_care_level", r"自理|失能|护理(等级|级别|程度)"),
        Meaning("enrolled_on", r"(纳入|认定|审批|批准|入册).*(日期|时间|年月)"),
        Meaning("signed_on", r"(签订|签约|协议).*(日期|时间|年月)"),
        Meaning("address", r"住址|地址|住所|居住地"),
        Meaning("support_mode", r"供养(方式|形式|类型)"),
        Meaning("dibao_class", r"低保.*(类|档|级)"),
        Meaning("assistance_category", r"(救助|保障|人员|对象|困难).*类(别|型)", unless=r"特殊困难|情形"),
        Meaning("family_planning", r"计划生育|计生"),
        Meaning("risk_flags", r"困难(情形|类型|情况)|特殊(情形|困难)"),
        Meaning("village", r"村|社区|居委", unless=r"组|电话|地址|住址"),
        Meaning("name", r"姓名|名字", unless=_CAREGIVER + r"|干部|志愿"),
    ),
    "volunteers": (
        Meaning("phone", r"电话|手机|联系方式"),
        Meaning("team", r"服务队|队伍|队名|所属队"),
        Meaning("place", r"村|社区|乡镇|镇街|街道|所在地"),
        Meaning("name", r"姓名|名字"),
    ),
    "pairings": (
        Meaning("cadre_phone", r"(干部|帮扶人|帮扶责任人).*(电话|手机)"),
        Meaning("id_number", r"身份证|证件号|身份号码"),
        Meaning("rank", r"职级|级别|职务"),
        Meaning("unit", r"单位|部门"),
        Meaning("cadre_name", r"干部|帮扶人|帮扶责任人", unless=r"电话|手机"),
        Meaning("name", r"对象|群众|姓名"),
    ),
}


def by_meaning(kind: str, header: str, beside: set[str]) -> str | None:
    """The column a normalised header means, by the words in it; None when nothing fits.
    ``beside``: the columns the file's header row names besides this one."""
    for m in MEANINGS[kind]:
        if re.search(m.words, header) and not (m.unless and re.search(m.unless, header)) and (
                not m.beside or beside & set(m.beside)):
            return m.key
    return None


def fields(kind: str) -> list[dict]:
    """The columns a file's column may be read as, for the screen that maps them."""
    return [{"key": c.key, "header": c.header, "required": c.required} for c in COLUMNS[kind]]


# Coded values: what people write → code.
SEXES = {"男": "M", "女": "F", "M": "M", "F": "F", "男性": "M", "女性": "F"}
LEVELS = {
    "全自理": "self_care", "自理": "self_care", "能自理": "self_care", "生活自理": "self_care", "完全自理": "self_care",
    "半失能": "partly_disabled", "半护理": "partly_disabled", "部分失能": "partly_disabled",
    "半自理": "partly_disabled", "部分自理": "partly_disabled", "半失能(半护理)": "partly_disabled",
    "全失能": "fully_disabled", "全护理": "fully_disabled", "完全失能": "fully_disabled",
    "不能自理": "fully_disabled", "失能": "fully_disabled", "全失能(全护理)": "fully_disabled",
}
CATEGORIES = {
    "特困": "tekun", "特困人员": "tekun", "特困供养": "tekun", "特困供养人员": "tekun", "特困人员(孤儿)": "tekun",
    "孤儿": "tekun",
    "低保": "dibao", "低保对象": "dibao", "低保户": "dibao", "城市低保": "dibao", "农村低保": "dibao",
    "特殊困难家庭": "special_hardship", "特殊困难家庭建档": "special_hardship", "特殊困难": "special_hardship",
}
DIBAO_CLASSES = {"A": "A", "B": "B", "C": "C", "a": "A", "b": "B", "c": "C", "A类": "A", "B类": "B", "C类": "C",
                 "a类": "A", "b类": "B", "c类": "C"}
RANKS = {"区级领导": "district_leader", "区领导": "district_leader", "区级": "district_leader",
         "处级领导": "division_leader", "处级": "division_leader", "处级干部": "division_leader",
         "其他干部": "other", "其他": "other", "一般干部": "other", "干部": "other"}
RISK_FLAGS = {
    **{label: code for code, label in RISK_FLAG_LABELS.items()},
    "独居老人": "lives_alone", "空巢老人": "empty_nest", "留守老人": "left_behind", "精神病": "mental_illness",
    "精神疾病": "mental_illness", "精神残疾": "mental_illness", "重度残疾": "severe_disability",
    "一二级残疾": "severe_disability", "一级残疾": "severe_disability", "二级残疾": "severe_disability",
    "失独家庭": "lost_only_child", "失独老人": "lost_only_child",
    # 计划生育特殊家庭 is its own group (seed 002 item 3), never 失独: 失独 alone earns 服务清单 5's 75 元 bath
    "计生特殊家庭": "family_planning_special", "计划生育特殊困难家庭": "family_planning_special",
    "计生特殊困难家庭": "family_planning_special", "计划生育特殊家庭老人": "family_planning_special",
}
MODES = {"分散供养": "decentralised", "分散": "decentralised", "居家": "decentralised",
         "集中供养": "centralised", "集中": "centralised"}
RELATIONS = {
    "亲属": "relative", "亲戚": "relative", "亲人": "relative", "家属": "relative",
    **{w: "relative" for w in ("子女", "儿子", "女儿", "侄子", "侄女", "外甥", "兄弟", "姐妹", "兄妹", "姐弟",
                               "孙子", "孙女", "配偶", "堂兄弟", "叔侄")},
    "邻里": "neighbour", "邻居": "neighbour", "乡邻": "neighbour",
    "低保等低收入家庭中有劳动能力的人员": "dibao_member", "低保家庭成员": "dibao_member",
    "低保户": "dibao_member", "低保": "dibao_member", "低收入家庭": "dibao_member",
    "低保等低收入家庭": "dibao_member", "低收入家庭成员": "dibao_member",
}


def code(table: dict[str, str], value: str) -> str | None:
    if value in table:  # the words as the table writes them (most cells)
        return table[value]
    key = normalise(value).replace(" ", "").replace("（", "(").replace("）", ")")
    return table.get(key)
