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
    "alert.visit_gap": ("{name}已{days}天没有核实的探访", "{name} has had no verified visit for {days} days"),
    "alert.never_visited": (
        "{name}签订协议后还没有核实的探访",
        "{name} has had no verified visit since the agreement began",
    ),
    "alert.quota_missed": ("{name} {month} 走访未达标", "{name} was visited too few times in {month}"),
    # alerts climbing to the district (server/alerts/service.py)
    "alert.escalated.title": ("【上报】{title}", "[Escalated] {title}"),
    "alert.escalated.body": ("{township}未在时限内处理：{title}", "{township} did not handle this in time: {title}"),
    "alert.note.assessment": ("评估 #{id}", "Assessment #{id}"),
    # the text of an SMS (server/notify/service.py)
    "sms": ("【照应】{title}：{body}", "[Zhaoying] {title}: {body}"),
    # reminders and digests of the scheduled jobs
    "reminder.visits.title": ("本月走访提醒", "Visits this month"),
    "reminder.visits.body": ("请尽快探访：{names}", "Please visit soon: {names}"),
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
    # the quota policy in words (server/quotas/service.py describe/applied), printed under reports
    "quota.mode.home": ("上门入户", "home visits"),
    "quota.mode.phone_video": ("电话视频", "phone or video calls"),
    "quota.mode.remote": ("远程监测", "remote monitoring"),
    "quota.separator": ("、", ", "),
    "quota.describe": ("每月至少探访{n}次（{modes}计入）", "at least {n} a month ({modes} count)"),
    "quota.describe.min": ("{mode}至少{n}次", "{n} {mode} at least"),
    "quota.describe.mins": ("，其中{mins}", ", of which {mins}"),
    "quota.describe.gap": ("，两次间隔不超过{days}天", ", no more than {days} days apart"),
    "quota.applied.level": ("{level}：{rule}", "{level}: {rule}"),
    "quota.applied.separator": ("；", "; "),
    "quota.applied.default": (
        "执行标准（默认，依据文件：特殊困难老年人月探访率100%，上门走访、通讯探访均计入）：{rules}",
        "Policy applied (the default from the papers: every person visited each month, home visits and calls alike): {rules}",
    ),
    "quota.applied.local": ("执行标准（区（旗）民政局设定）：{rules}", "Policy applied (set by the district): {rules}"),
    "rates.volunteers.yes": (
        "志愿服务队走访（活动中写明服务对象）计入月探访率",
        "A volunteer team's visit naming the person counts toward the monthly visit rate",
    ),
    "rates.volunteers.no": ("志愿服务队走访不计入月探访率", "Volunteer visits do not count toward the monthly visit rate"),
    "rates.groups": ("一人可属多个群体，合计每人只计一次", "One person may be in several groups; the total counts each once"),
    # report titles (server/reports/service.py)
    "report.annex1": ("{place}分散供养人员分乡镇统计表", "{place}: people under decentralised support by township"),
    "report.coverage": ("{place}{year}年{month}月走访覆盖情况", "{place}: visit coverage, {year}-{month:02d}"),
    "report.volunteers": ("{place}{year}年{month}月志愿服务活动情况", "{place}: volunteer activity, {year}-{month:02d}"),
    "report.care_homes": ("养老机构情况统计表", "Care homes"),
    "report.visit_rates": (
        "{place}{year}年{month}月特殊困难群体月探访率",
        "{place}: monthly visit rate by group, {year}-{month:02d}",
    ),
    "report.annex3": ("{place}分散供养特困人员排查评估表", "{place}: assessment of people under decentralised support"),
    "report.annex3.sheet": ("排查评估表", "Assessments"),
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
