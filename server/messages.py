"""Display text the server writes itself — alert titles, reminders, digests, report titles — in
one catalogue, English beside the Chinese, like the error messages of server/errors.py.

What is stored (alerts, notifications) is stored in Chinese; the English waits beside it for
the day a reader wants it. The column headings of the paper forms stay with the forms.
"""

from __future__ import annotations

from server.errors import LANGUAGES

# key -> (zh-CN, en); {name} placeholders are filled from text()'s keyword arguments.
TEXT: dict[str, tuple[str, str]] = {
    # alerts raised by the deterioration rules (server/alerts/rules.py)
    "alert.self_care_worse": ("{name}自理能力下降，需重新评估", "{name} copes less well; reassess"),
    "alert.reassessment_due": ("{name}需要重新评估自理能力", "{name}'s self-care level needs reassessing"),
    "alert.unwell": ("{name}身体不适", "{name} is unwell"),
    "alert.needs_doctor": ("{name}身体不适，需要就医", "{name} is unwell and needs a doctor"),
    "alert.in_hospital": ("{name}住院", "{name} is in hospital"),
    "alert.missing": ("{name}找不到人，联系不上", "{name} cannot be found or reached"),
    "alert.deceased": ("{name}已去世", "{name} has died"),
    "alert.poor_conditions": (
        "{name}连续两次居住环境或个人卫生差，建议转集中供养",
        "{name}'s home or hygiene was poor twice running; centralised support is advised",
    ),
    "alert.assessment_bad": (
        "{name}评估结果为差，建议转集中供养",
        "{name} was assessed as bad; centralised support is advised",
    ),
    "alert.no_caregiver": ("{name}没有生效的照料协议", "{name} has no active care agreement"),
    "alert.visit_gap": ("{name}已{days}天没有核实的上门走访", "{name} has had no verified home visit for {days} days"),
    "alert.never_visited": (
        "{name}签订协议后还没有核实的上门走访",
        "{name} has had no verified home visit since the agreement began",
    ),
    "alert.quota_missed": ("{name} {month} 走访未达标", "{name} was visited too few times in {month}"),
    # annex 3 rules that act (seed 001)
    "alert.rights_infringed": ("{name}存在合法权益被侵占的情况（评估）", "{name}'s rights are being infringed (assessment)"),
    "alert.subsidy_not_controlled": ("{name}的特困供养费未由本人支配（评估）",
                                     "{name} does not control their own support money (assessment)"),
    "alert.suspected_fraud": (
        "疑似虚报：{name}的照料协议{days}天内有{n}次走访经核实未上门或服务未落实",
        "Suspected false claims: {n} visits under {name}'s care agreement found not done within {days} days",
    ),
    "alert.relief_statement": ("{name}临时救助须于{due}前补充说明", "Statement on the emergency relief to {name} due {due}"),
    # reports from the field (server/casework/fieldreports.py)
    "report.needs_help": ("发现困难群众：{village}{name}需要救助", "Found in need: {name}, {village}"),
    "report.death": ("{name}已去世（现场上报）", "{name} has died (reported from the field)"),
    "report.hospital": ("{name}住院（现场上报）", "{name} is in hospital (reported from the field)"),
    "report.moved": ("{name}已搬离（现场上报）", "{name} has moved (reported from the field)"),
    "report.family": ("{name}家庭发生变故（现场上报）", "{name}'s family situation changed (reported from the field)"),
    "report.rights_infringed": ("投诉：{name}合法权益被侵害", "Complaint: {name}'s rights are infringed"),
    "report.subsidy_not_controlled": ("投诉：{name}的补贴未由本人支配",
                                      "Complaint: {name} does not control their own subsidy"),
    "report.caregiver_not_caring": ("投诉：{name}的照料人不尽责", "Complaint: {name}'s caregiver does not care for them"),
    "report.outcome.title": ("您上报的情况已处理", "Your report has been dealt with"),
    "report.outcome.body": ("{title}——处理结果：{outcome}", "{title} — outcome: {outcome}"),
    "outcome.resolved_at_home": ("已就地解决", "resolved at home"),
    "outcome.moved_to_care_home": ("转入敬老院集中供养", "moved to a care home"),
    "outcome.medical_referral": ("送医就诊", "taken to a doctor"),
    "outcome.emergency_relief": ("临时救助", "emergency relief"),
    "outcome.referred_to_judiciary": ("移交司法机关", "referred to the judiciary"),
    "outcome.other": ("其他", "other"),
    # emergency relief (server/casework/relief.py)
    "relief.pending": ("待补充说明", "statement owed"),
    "relief.overdue": ("补充说明已逾期", "statement overdue"),
    "relief.subtotal": ("{township}小计", "{township} total"),
    "relief.count": ("{n}人次", "{n} reliefs"),
    "relief.owed": ("{n}笔待补充说明", "{n} statements owed"),
    "reminder.relief.title": ("临时救助补充说明提醒", "Emergency relief statements"),
    "reminder.relief.body": (
        "本镇有{n}笔临时救助尚未补充说明，最早一笔须于{due}前完成。",
        "{n} emergency reliefs in this township still need their statement; the first is due {due}.",
    ),
    # alerts climbing to the district (server/alerts/service.py)
    "alert.escalated.title": ("【上报】{title}", "[Escalated] {title}"),
    "alert.escalated.body": ("{township}未在时限内处理：{title}", "{township} did not handle this in time: {title}"),
    "alert.note.assessment": ("评估 #{id}", "Assessment #{id}"),
    # the text of an SMS (server/notify/service.py)
    "sms": ("【照应】{title}：{body}", "[Zhaoying] {title}: {body}"),
    # reminders and digests of the scheduled jobs
    "reminder.visits.title": ("本月走访提醒", "Visits this month"),
    "reminder.visits.body": ("请尽快上门看望：{names}", "Please visit soon: {names}"),
    "reminder.visits.person": ("{name}（本月{done}/{quota}次）", "{name} ({done}/{quota} this month)"),
    "reminder.visits.separator": ("、", ", "),
    "reminder.volunteer.title": ("志愿服务活动提醒", "Volunteer activity"),
    "reminder.volunteer.body": (
        "{team}本月还没有登记志愿服务活动，每月至少一次。",
        "{team} has logged no volunteer activity this month; at least one a month is asked.",
    ),
    "reminder.health_check.title": ("年度健康体检提醒", "Yearly health check"),
    "reminder.health_check.body": (
        "本镇有{count}名{age}岁以上特困人员，今年需安排一次免费健康体检。",
        "{count} people of {age} and over in this township are due their free health check this year.",
    ),
    "reminder.review.title": ("年度动态管理复核提醒", "Yearly review"),
    "reminder.review.body": (
        "本月请完成特困人员年度复核（动态管理），核实在册人员情况。",
        "Please complete the yearly review of everyone on the register this month.",
    ),
    "digest.month.title": ("{month} 走访月报", "Visits in {month}"),
    "digest.month.body": (
        "在册{total}人，{met}人达到走访要求，{missed}人未达标。",
        "{total} on the register, {met} visited as often as required, {missed} not.",
    ),
    # what ends an agreement when its person moves into a care home (server/care/service.py)
    "agreement.end.care_home": ("转入敬老院集中供养", "Moved into a care home"),
    # report titles (server/reports/service.py)
    "report.annex1": ("{place}分散供养人员分乡镇统计表", "{place}: people under decentralised support by township"),
    "report.coverage": ("{place}{year}年{month}月走访覆盖情况", "{place}: visit coverage, {year}-{month:02d}"),
    "report.volunteers": ("{place}{year}年{month}月志愿服务活动情况", "{place}: volunteer activity, {year}-{month:02d}"),
    "report.care_homes": ("养老机构情况统计表", "Care homes"),
    "report.annex3": ("{place}分散供养特困人员排查评估表", "{place}: assessment of people under decentralised support"),
    "report.annex3.sheet": ("排查评估表", "Assessments"),
    "report.relief": ("{place}{year}年{month}月临时救助情况", "{place}: emergency relief, {year}-{month:02d}"),
    "report.evaluations": ("{place}逐人考核评价进度（{months}个月内）", "{place}: door-to-door evaluation ({months} months)"),
    "report.centralisation": ("{place}集中供养意愿落实情况", "{place}: wishes to move into a care home, and moves"),
    "report.agreements": (
        "{place}{year}年{month}月照料协议履行情况",
        "{place}: care agreements kept, {year}-{month:02d}",
    ),
}


def text(key: str, lang: str = "zh-CN", **params) -> str:
    return TEXT[key][LANGUAGES.index(lang)].format(**params)


def text_around(key: str, field: str, lang: str = "zh-CN", **params) -> tuple[str, str]:
    """The text before and after ``{field}``, for a statement that fills it in from a column
    (alerts raised in bulk by one INSERT … SELECT)."""
    before, after = TEXT[key][LANGUAGES.index(lang)].split("{" + field + "}")
    return before.format(**params), after.format(**params)
