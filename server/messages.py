"""Display text the server writes itself — alert titles, reminders, digests, report titles — in
one catalogue, English beside the Chinese, like the error messages of server/errors.py.

What is stored (alerts, notifications) is stored in Chinese; the English waits beside it for
the day a reader wants it. The column headings of the paper forms stay with the forms.
"""

from __future__ import annotations

from server.errors import LANGUAGES

# key -> (zh-CN, en); {name} placeholders are filled from text()'s keyword arguments.
TEXT: dict[str, tuple[str, str]] = {
    # 重点抽查、随机暗访 (server/spotchecks)
    "spot_check.title": ("{month}走访抽查回访", "Spot checks of {month}"),
    "spot_check.body": ("{month}已核实的走访中随机抽取了 {count} 条（{percent}%），请电话回访服务对象或村委会，核实是否属实。",
                        "{count} of {month}'s verified visits ({percent}%) were drawn at random: call the person or the "
                        "village back and record whether each is true."),
    # alerts raised by the deterioration rules (server/alerts/rules.py)
    "alert.self_care_worse": ("{name}自理能力下降，需重新评估", "{name} copes less well; reassess"),
    "alert.reassessment_due": ("{name}需要重新评估自理能力", "{name}'s self-care level needs reassessing"),
    "alert.unwell": ("{name}身体不适", "{name} is unwell"),
    "alert.needs_doctor": ("{name}身体不适，需要就医", "{name} is unwell and needs a doctor"),
    "alert.in_hospital": ("{name}住院", "{name} is in hospital"),
    "alert.missing": ("{name}找不到人，联系不上", "{name} cannot be found or reached"),
    "alert.deceased": ("{name}已去世", "{name} has died"),
    "alert.no_food": ("{name}家中缺乏食物和生活用品，需及时救助", "{name} has no food or supplies left; help is needed now"),
    "alert.mood_low": ("{name}精神状态低落，需安排心理慰藉", "{name} is in low spirits; arrange comfort and support"),
    "alert.house_unsafe": ("{name}的房屋不安全，需及时处置", "{name}'s house is unsafe; act on it now"),
    "alert.poor_conditions": (
        "{name}连续两次居住环境或个人卫生差，建议转集中供养",
        "{name}'s home or hygiene was poor twice running; centralised support is advised",
    ),
    "alert.assessment_bad": (
        "{name}评估结果为差，建议转集中供养",
        "{name} was assessed as bad; centralised support is advised",
    ),
    # seed 001 §二(一)2: 对监护人生活照料、监护责任不到位，特困人员独自生活、生活质量和居住环境差的，要无条件地纳入敬老院
    "alert.assessment_centralise": (
        "{name}照料不到位或独自生活、生活质量和居住环境差，应纳入敬老院集中供养",
        "{name}'s care is not in place, or they live alone in poor conditions: move them into a care home",
    ),
    "alert.centralisation_wish": ("{name}有集中供养意愿，请安排入住敬老院", "{name} wishes to move into a care home: arrange it"),
    "alert.note.wish_withdrawn": ("本人已无集中供养意愿", "The person no longer wishes to move"),
    "care_home.policy.source": (
        "默认：60%。依据文件：敖汉旗《关于进一步提高特困人员基本生活服务保障水平工作实施方案》二(二)4：各敬老院入住率达到60%以上（随上级政策变化适时调整）",
        "Default: 60%. Source: Aohan banner's plan to raise the basic living support of persons in extreme "
        "difficulty, 二(二)4: each "
        "care home's occupancy at 60% or more (adjusted as higher policy changes)",
    ),
    "care_home.policy.disabled_source": (
        "默认：80%。依据文件：渝中区城市特殊困难群众救助帮扶“十条措施”实施方案（二）特困人员应养尽养：逐步提升失能特困人员集中供养比例达到80%",
        "Default: 80%. Source: Yuzhong district's ten measures for urban families in special difficulty, (二): raise "
        "the share of disabled "
        "persons in extreme difficulty in centralised care to 80%",
    ),
    "report.disabled_centralised": ("{place}失能特困人员集中供养比例", "{place}: disabled persons in centralised care"),
    "report.disabled_centralised.rule": (
        "失能：全失能、半失能。集中供养：居住在敬老院（本名册）；目标{percent}%（区县设置）",
        "Disabled: fully or partly. Centralised: living in a care home (this roster); target {percent}% (a district setting)",
    ),
    "report.care_homes.rule": (
        "现入住老人数＝本名册在院人员（{day}）＋名册外在院人数（各院填报）；应住人数按入住率{percent}%（区县设置）计",
        "Residents = persons of this roster living there ({day}) + residents not on the roster (as each home keeps "
        "them); the target at {percent}% occupancy (a district setting)",
    ),
    "alert.no_caregiver": ("{name}没有生效的照料协议", "{name} has no active care agreement"),
    "alert.visit_gap": ("{name}已{days}天没有核实的探访", "{name} has had no verified visit for {days} days"),
    "alert.never_visited": (
        "{name}签订协议后还没有核实的探访",
        "{name} has had no verified visit since the agreement began",
    ),
    "alert.quota_missed": ("{month} 有{count}人走访未达标", "{month}: {count} persons were visited too few times"),
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
    "outcome.funeral_arranged": ("丧葬事宜已办理", "the funeral arranged"),
    "outcome.funeral_subsidy_paid": ("丧葬补贴已发放", "the funeral subsidy paid"),
    "outcome.withdrawn": ("登记错误，已撤回", "withdrawn: recorded in error"),
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
    "alert.escalated.digest.title": ("【上报】{township}：{count}条走访提醒超时未处理",
                                     "[Escalated] {township}: {count} visit alerts not handled in time"),
    "alert.escalated.digest.body": (
        "{township}有{count}条走访提醒（探访间隔、走访未达标）未在时限内处理，请在提醒列表中查看。",
        "{township} did not handle {count} visit alerts (gaps between visits, quotas missed) in time: see the alerts.",
    ),
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
    "reminder.festival.title": ("{festival}走访慰问提醒", "{festival} visits"),
    "reminder.festival.cadre": (
        "{festival}走访慰问截至{ends}，您结对的以下人员还没有走访：{names}",
        "The {festival} visits run until {ends}; not yet visited among your pairs: {names}",
    ),
    "reminder.festival.team": (
        "{festival}走访慰问截至{ends}，{township}还有{count}人没有走访慰问。",
        "The {festival} visits run until {ends}; {count} people of {township} have not been visited yet.",
    ),
    "festival.spring": ("元旦春节", "New Year and Spring Festival"),
    "festival.dragon_boat": ("端午", "Dragon Boat Festival"),
    "festival.mid_autumn": ("中秋", "Mid-Autumn Festival"),
    # whose visits count for a festival campaign (FestivalPolicy, seed 000 item 12)
    "festival.visitor.cadre": ("结对干部", "paired cadres"),
    "festival.visitor.volunteer": ("志愿服务队", "volunteer teams"),
    "festival.policy.text": ("计入节日走访慰问的走访：{visitors}", "Visits counted for the festival campaigns: {visitors}"),
    "festival.policy.source": (
        "默认：{visitors}。依据文件：开展特困人员关爱行动（第12项），在重要节日，发动社会力量，对特困人员进行走访慰问",
        "Default: {visitors}. Source: the care campaign for persons in extreme difficulty (item 12): at the "
        "important festivals, mobilise social forces to visit them",
    ),
    "pairing.rule.over": (
        "{name}（{rank}）已结对{count}人，超过“321”原则的{range}人",
        "{name} ({rank}) is paired with {count}, more than the \"321\" rule's {range}",
    ),
    "pairing.rule.under": (
        "{name}（{rank}）结对{count}人，少于“321”原则的{range}人",
        "{name} ({rank}) is paired with {count}, fewer than the \"321\" rule's {range}",
    ),
    "rank.district_leader": ("区级领导", "district leader"),
    "rank.division_leader": ("处级领导", "division-level leader"),
    "rank.other": ("其他干部", "other cadre"),
    "category.tekun": ("特困人员", "extreme difficulty"),
    "category.dibao": ("低保对象", "minimum living allowance"),
    "category.special_hardship": ("特殊困难家庭", "special-hardship family"),
    "reminder.health_check.title": ("年度健康体检提醒", "Yearly health check"),
    "reminder.health_check.body": (
        "本镇有{count}名{age}岁以上特困人员，今年需安排一次免费健康体检。",
        "{count} people of {age} and over in this township are due their free health check this year.",
    ),
    "reminder.review.title": ("动态管理复核提醒", "Periodic review"),
    "digest.gap.title": ("探访间隔提醒", "Visits overdue"),
    "digest.gap.body": ("{names}等{count}人超过规定间隔没有核实的探访，请查看提醒。",
                        "Past the longest gap without a verified visit: {names} ({count} in all). See the alerts."),
    "digest.month.title": ("{month} 走访月报", "Visits in {month}"),
    "digest.month.body": (
        "在册{total}人，已探访{visited}人；照料服务履约{met}份达标，{missed}份未达标。",
        "{total} on the register, {visited} visited; {met} care agreements fulfilled, {missed} not.",
    ),
    # how staff decided on a visit that waited for review (server/visits/service.py)
    "visit.review.accepted.title": ("{name} {month}月{day}日的走访已审核通过", "Your visit to {name} on {day}/{month} was accepted"),
    "visit.review.accepted.body": ("审核意见：{reason}。{note}本次走访计入走访次数。",
                                   "Reason: {reason}. {note}The visit counts."),
    "visit.review.rejected.title": ("{name} {month}月{day}日的走访未通过审核", "Your visit to {name} on {day}/{month} was rejected"),
    "visit.review.rejected.body": ("审核意见：{reason}。{note}本次走访不计入走访次数，有疑问请联系镇街专职人员。",
                                   "Reason: {reason}. {note}The visit does not count; ask the township staff if unsure."),
    "visit.review.note": ("备注：{note}。", "Note: {note}. "),
    # what ends an agreement when its person moves into a care home (server/care/service.py)
    "agreement.end.care_home": ("转入敬老院集中供养", "Moved into a care home"),
    # what ends an agreement when its person leaves the roster (server/lifecycle/exits.py)
    "agreement.end.exit.deceased": ("被照料人去世", "The person died"),
    "agreement.end.exit.moved_away": ("被照料人迁出", "The person moved away"),
    "agreement.end.exit.care_home": ("被照料人入住养老机构", "The person moved into a care home"),
    "agreement.end.exit.not_eligible": ("经复核不再符合条件", "No longer eligible after review"),
    # the follow-up of a death (seed 004 item 2)
    "task.funeral": ("{name}去世：办理丧葬事宜", "{name} died: arrange the funeral"),
    "task.funeral.body": (
        "{name}于{on}去世。请做好基本殡葬服务，丧葬费用按照6个月基本生活标准给予补贴。",
        "{name} died on {on}. Arrange the basic funeral service; the funeral subsidy is 6 months of the basic "
        "living standard.",
    ),
    # the periodic review (seed 004 item 4; server/reviews)
    "reminder.review.open": (
        "{campaign}复核进行中：本镇还有{count}人未复核，请在本月底前完成。",
        "Review {campaign} is open: {count} people of this township are not reviewed yet; finish by the month's end.",
    ),
    "alert.review_overdue": (
        "{township}有{count}人未按期完成{campaign}复核",
        "{township}: {count} people were not reviewed in {campaign}",
    ),
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
    "rates.elderly": ("各群体只计当月满60周岁的特殊困难老年人（seed 002 第3项）",
                      "The groups count the elderly only: 60 or over in the month (seed 002 item 3)"),
    # what a month's figures are (month_note, below), printed under its tables
    "report.month.name": ("{year}年{month}月", "{year}-{month:02d}"),
    "report.month.closed": ("{month}已结算（{date}），数据为月末结算记录",
                            "{month} closed on {date}: the figures are the month's record"),
    "report.month.as_recorded": ("{month}按当前登记统计", "{month}: counted from the records as they stand"),
    "report.month.live": ("{month}尚未结算，数据统计于{at}", "{month} not closed yet: counted at {at}"),
    "report.agreements.rule": (
        "履行情况：照料服务人本人的计入探访次数达到按在家天数折算的应探访次数为达标；服务对象全月住院或外出为不计",
        "Fulfilled: the caregiver's own counted visits reach the quota prorated over the days at home; "
        "not counted (不计) when the person was away the whole month",
    ),
    # report titles (server/reports/service.py)
    "report.annex1": ("{place}分散供养人员分乡镇统计表", "{place}: people under decentralised support by township"),
    "report.coverage": ("{place}{year}年{month}月走访覆盖情况", "{place}: visit coverage, {year}-{month:02d}"),
    "report.volunteers": ("{place}{year}年{month}月志愿服务活动情况", "{place}: volunteer activity, {year}-{month:02d}"),
    "report.pairing_annex": ("{place}区级部门结对帮扶困难群众一览表", "{place}: district departments paired with people in difficulty"),
    "report.pairing_rule": ("{place}结对帮扶“321”原则落实情况", "{place}: the \"321\" pairing rule"),
    "report.festival": ("{place}{year}年{festival}走访慰问情况", "{place}: {festival} {year} visits"),
    "report.care_homes": ("养老机构情况统计表", "Care homes"),
    "report.visit_rates": (
        "{place}{year}年{month}月特殊困难群体月探访率",
        "{place}: monthly visit rate by group, {year}-{month:02d}",
    ),
    "report.annex3": ("{place}分散供养特困人员排查评估表", "{place}: assessment of people under decentralised support"),
    "report.annex3.sheet": ("排查评估表", "Assessments"),
    "report.hospital_days": ("{place}{year}年特困人员住院天数", "{place}: hospital days, {year}"),
    "report.hospital_budget": (
        "{place}{year}年住院照料护理补贴使用情况",
        "{place}: hospital care subsidy, {year} budget and use",
    ),
    "report.reviews": ("{place}{campaign}动态管理复核情况", "{place}: periodic review {campaign}"),
    "report.relief": ("{place}{year}年{month}月临时救助情况", "{place}: emergency relief, {year}-{month:02d}"),
    "report.evaluations": ("{place}逐人考核评价进度（{months}个月内）", "{place}: door-to-door evaluation ({months} months)"),
    "report.centralisation": ("{place}集中供养意愿落实情况", "{place}: wishes to move into a care home, and moves"),
    # the care-home top-up (server/care/topup.py, seed 000 item 7)
    "report.care_topup": ("{place}{year}年{month}月敬老院失能、半失能特困人员补助表",
                          "{place}: care-home top-up for disabled residents, {year}-{month:02d}"),
    "topup.total.persons": ("{n}人", "{n} persons"),
    "topup.total.levels": ("失能{full}人，半失能{partly}人", "{full} fully, {partly} partly disabled"),
    "topup.note.rates": ("补助标准：失能{full}元、半失能{partly}元每人每月（{source}）",
                         "Rates: {full} / {partly} yuan a resident a month for fully / partly disabled ({source})"),
    "topup.source.default": ("荣昌府办规〔2023〕8号第7项", "seed 000 item 7"),
    "topup.source.local": ("本区调整后的标准", "the district's own rates"),
    "topup.note.part_month": ("本月入住或离开的人员按当月在院列出，不足一月的补助由敬老院核定",
                              "Residents who moved in or left during the month are listed; the home decides a part month"),
    "topup.note.home": ("{home}：{amount}元", "{home}: {amount} yuan"),
    "report.agreements": (
        "{place}{year}年{month}月照料协议履行情况",
        "{place}: care agreements kept, {year}-{month:02d}",
    ),
    # subsidised home services (server/homeservices), seed 002 附件2 items 5–7
    "service.bath": ("助浴", "bathing"),
    "service.cleaning": ("助洁", "cleaning"),
    "service.recreation": ("助乐", "recreation"),
    "service.group.tekun_decentralised": ("分散供养特困", "特困 under decentralised support"),
    "service.group.dibao": ("低保", "低保"),
    "service.group.severe_disability": ("一二级残疾", "disability grade 1–2"),
    "service.group.lost_only_child": ("失独", "lost their only child"),
    "service.group.aged_80": ("80岁以上", "aged 80 and over"),
    "service.group.mutual_aid_point": ("互助养老点", "mutual-aid point"),
    "service.statement.total": ("合计", "Total"),
    "report.service_statement": (
        "{place}{year}年{month}月居家养老服务补贴结算表",
        "{place}: home-service subsidies owed, {year}-{month:02d}",
    ),
    # campaigns with a frequency (server/campaigns)
    "campaign.cleanup": ("人居环境卫生整治", "home clean-up"),
    "campaign.health_check": ("免费健康体检", "free health check"),
    "campaign.reminder.title": ("{campaign}提醒", "{campaign}: reminder"),
    "campaign.reminder.body": (
        "本期（{period}）{campaign}还有{count}人未完成，将于{end}结束。",
        "{count} people are not done for {campaign} this period ({period}), which ends on {end}.",
    ),
    "campaign.overdue.title": ("{township}{period}{campaign}未完成", "{township}: {campaign} not finished in {period}"),
    "campaign.overdue.body": (
        "本期（{period}）已结束，{count}人未完成{campaign}。",
        "The period {period} has ended with {count} people not done for {campaign}.",
    ),
}


def text(key: str, lang: str = "zh-CN", **params) -> str:
    return TEXT[key][LANGUAGES.index(lang)].format(**params)


def month_note(year: int, month: int, state: str, at, zone, lang: str = "zh-CN") -> str:
    """The line under a month's table that says what its figures are: the month close's record
    (``closed``, written at ``at``), counted at ``at`` (``live``), or counted from the dated records
    as they stand (``as_recorded``: a month whose close wrote no record of them)."""
    name = text("report.month.name", lang, year=year, month=month)
    if state == "closed":
        return text("report.month.closed", lang, month=name, date=f"{at.astimezone(zone):%Y-%m-%d}")
    if state == "as_recorded":
        return text("report.month.as_recorded", lang, month=name)
    return text("report.month.live", lang, month=name, at=f"{at.astimezone(zone):%Y-%m-%d %H:%M}")


def text_sql(key: str, lang: str = "zh-CN", **columns):
    """The message as an SQL expression: its words as literals, each ``{field}`` the column (or
    expression) given for it — for messages written in bulk by one INSERT … SELECT."""
    import string

    import sqlalchemy as sa

    parts = []
    for literal, field, _spec, _conv in string.Formatter().parse(TEXT[key][LANGUAGES.index(lang)]):
        if literal:
            parts.append(sa.literal(literal))
        if field is not None:
            parts.append(sa.cast(columns[field], sa.String))
    expression = parts[0]
    for part in parts[1:]:
        expression = expression + part
    return expression
