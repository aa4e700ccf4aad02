"""Errors a user can cause: one clear 4xx, with a message in the user's language.

Every error body carries ``code`` (HTTP status), ``status`` (its name), ``message``
(for a person to read, zh-CN unless the client prefers English) and ``reason``
(a stable key for programs); validation errors add ``errors`` by field.
"""

from __future__ import annotations

import logging

from flask import has_request_context, request
from flask_smorest import abort

LANGUAGES = ("zh-CN", "en")

# key -> (zh-CN, en); {name} placeholders are filled from fail()'s keyword arguments.
MESSAGES: dict[str, tuple[str, str]] = {
    "validation": ("提交的内容有误，请检查标出的项目", "The request has invalid fields; see errors"),
    "bad_request": ("请求格式有误", "The request is malformed"),
    "not_found": ("找不到该内容", "Not found"),
    "method_not_allowed": ("不支持该操作", "Method not allowed"),
    "server_error": ("服务器出错了，请稍后再试", "Internal server error; please try again later"),
    "too_large": ("上传的内容太大", "The upload is too large"),
    "unauthenticated": ("请先登录", "Please log in"),
    "token_invalid": ("登录已失效，请重新登录", "Your session has expired; please log in again"),
    "bad_credentials": ("用户名或密码错误", "Wrong username or password"),
    "account_locked": (
        "密码错误次数过多，账号已锁定，请{minutes}分钟后再试",
        "Too many failed attempts; the account is locked for {minutes} more minute(s)",
    ),
    "address_throttled": (
        "登录尝试过于频繁，请{minutes}分钟后再试",
        "Too many failed logins from this address; try again in {minutes} minute(s)",
    ),
    "database_unavailable": (
        "服务器暂时连不上数据库，请稍后再试",
        "The server cannot reach its database for a moment; please try again shortly",
    ),
    "too_deep": ("提交的内容嵌套层数太多", "The request's JSON is nested too deeply"),
    "name_multi_line": ("姓名只能写一行（不能有换行或制表符）", "A name is one line (no line break or tab)"),
    "name_formula": ("姓名不能以“=”开头", "A name may not start with “=”"),
    "control_characters": ("不能包含控制字符", "Control characters are not allowed"),
    "login_busy": (
        "同时登录的人太多，请稍后再试",
        "Too many logins at once; please try again in a moment",
    ),
    "password_change_required": (
        "请先设置新密码：一次性密码只能用来设置新密码",
        "Set a new password first: a one-time password may only be used to set a new one",
    ),
    "password_too_short": ("新密码至少需要{min}个字符", "The new password needs at least {min} characters"),
    "password_too_weak": (
        "新密码太容易被猜到：请换一个更长的，不要用手机号、姓名、连续或重复的数字",
        "The new password is too easy to guess: choose a longer one, not your phone number, name or a run of digits",
    ),
    "password_is_username": ("新密码不能与用户名或手机号相同", "The new password may not be the username or phone number"),
    "password_current_wrong": ("当前密码不正确", "The current password is wrong"),
    "password_unchanged": ("新密码不能与当前密码相同", "The new password must differ from the current one"),
    "user_not_found": ("找不到该用户", "User not found"),
    "account_disabled": ("该账号已停用", "This account is disabled"),
    "forbidden_role": ("您的角色无权进行此操作", "Your role may not do this"),
    "place_out_of_scope": ("该地区不在您的管辖范围内", "That place is outside your area"),
    "person_out_of_scope": ("您无权查看或管理该人员", "That person is outside your area"),
    "user_out_of_scope": ("该用户不在您的管辖范围内", "That user is outside your area"),
    "place_not_found": ("找不到该地区", "Place not found"),
    "parent_level": (
        "上级地区层级不对：{level}下面只能建{child}",
        "Wrong parent level: below a {level} comes a {child}",
    ),
    "root_must_be_district": ("顶级地区必须是区/旗", "A place with no parent must be a district"),
    "village_required": ("人员必须归属到村/居委会", "A person must belong to a village"),
    "person_not_found": ("找不到该人员", "Person not found"),
    "id_number_taken": ("该身份证号已登记", "That ID number is already registered"),
    "id_birth_mismatch": (
        "身份证号中的出生日期与填写的出生日期不一致",
        "The birth date in the ID number differs from the birth date given",
    ),
    "id_sex_mismatch": (
        "身份证号中的性别与填写的性别不一致",
        "The sex encoded in the ID number differs from the sex given",
    ),
    "username_taken": ("该用户名已被使用", "That username is already taken"),
    "role_not_grantable": ("您不能创建该角色的用户", "You may not create users with that role"),
    "team_not_found": ("找不到该志愿服务队", "Volunteer team not found"),
    "team_outside_place": ("志愿服务队不在该用户所在乡镇", "The team is not in that user's township"),
    "team_only_for_volunteers": ("只有志愿者可以加入服务队", "Only volunteers join a volunteer team"),
    "caregiver_not_found": ("找不到该照料服务人", "Caregiver not found"),
    "not_a_caregiver": ("该用户不是照料服务人", "That user is not a caregiver"),
    "person_not_active": ("该人员当前不是分散供养在册状态", "That person is not under active home care"),
    "agreement_exists": (
        "该人员已有生效的照料协议，请先终止原协议",
        "That person already has an active care agreement; end it first",
    ),
    "agreement_not_found": ("找不到该照料协议", "Care agreement not found"),
    "agreement_ended": ("该协议已终止", "That agreement has already ended"),
    "care_content_unknown": ("照料服务内容不在服务目录中", "That care is not in the care-content catalogue"),
    "care_content_level": ("所选照料服务内容不适用于该人员的自理能力", "That care does not apply to the person's self-care level"),
    "agreement_filed": ("该协议已备案", "That agreement is already filed"),
    "agreement_no_document": ("请先拍照上传签字的协议书", "Photograph the signed agreement first"),
    "agreement_no_committee": ("请先填写村（居）委会签字人", "Record who signed for the village committee first"),
    "district_only": ("只有区（旗）民政局可以备案", "Only the district civil-affairs bureau files agreements"),
    "organisation_not_found": ("找不到该服务机构", "Organisation not found"),
    "organisation_exists": ("已有同名的服务机构", "An organisation of that name exists"),
    "organisation_place": ("服务机构须属于一个乡镇或本区（旗）", "An organisation belongs to a township or the district"),
    "organisation_inactive": ("该服务机构已停用", "That organisation is no longer active"),
    "not_organisation_staff": ("该照料人不是该服务机构的工作人员", "That caregiver is not on the organisation's staff"),
    "organisation_relation": (
        "服务机构签订的协议关系须为“供养服务机构、社会组织”",
        "An organisation's agreement has the relation \"organisation\", and only it has",
    ),
    "status_by_move": (
        "转入敬老院集中供养请通过“转入敬老院”办理，不能直接修改状态",
        "A move into a care home is made through \"Move to a care home\", not by editing the status",
    ),
    "exit_before_move_in": (
        "该人员于{on}入住敬老院，退出日期不能早于入住日期",
        "That person moved into the care home on {on}; the exit cannot be earlier",
    ),
    "exit_resident_care_home": (
        "该人员已在敬老院集中供养，不能以“入住养老机构”退出",
        "That person already lives in a care home; choose another reason",
    ),
    "status_by_exit": (
        "去世、迁出等退出名册的情况请通过“登记退出”办理",
        "A person leaves the roster through \"Record an exit\", not by editing the status",
    ),
    "person_exited": ("该人员已办理退出，不能重复办理", "That person has already left the roster"),
    "person_not_exited": ("该人员没有退出登记，无需撤销", "That person has no exit recorded to undo"),
    "exit_undo_reason_required": (
        "请写明撤销的原因（例如：登记错了人、误登记去世）",
        "Say why the exit is undone (for instance: the wrong person, a death recorded in error)",
    ),
    "person_exited_visit": (
        "该人员已于{on}退出（去世、迁出或不再符合条件），之后的走访不能再提交",
        "That person left the roster on {on}; visits after that day cannot be recorded",
    ),
    "absence_not_found": ("找不到该外出/住院记录", "Absence not found"),
    "absence_overlap": ("该时段已登记过外出或住院", "An absence is already recorded for part of those days"),
    "absence_outside_roster": ("外出/住院日期不在该人员在册期间", "Those days are outside the person's time on the roster"),
    "review_exists": ("该人员本轮复核已登记", "That person's review for this campaign is already recorded"),
    "review_not_due": ("该人员不在这一轮复核范围内", "That person is not due in this review campaign"),
    "review_campaign_invalid": (
        "复核月份不对：每年{march}月复核全部，{september}月复核B、C类低保",
        "Not a review month: everyone in month {march}, B and C class 低保 again in month {september}",
    ),
    "end_before_start": ("终止日期不能早于开始日期", "The end date cannot be before the start date"),
    "date_in_future": ("日期不能晚于今天", "The date cannot be in the future"),
    "photo_purged": (
        "该照片已按保存期限规定于{date}删除，走访记录仍然保留",
        "This photo was deleted on {date} under the retention rules; the visit record remains",
    ),
    "photo_empty": ("第{index}张照片是空文件", "Photo {index} is an empty file"),
    "photo_too_large": ("第{index}张照片文件太大", "Photo {index} is too large"),
    "photo_unsupported": (
        "第{index}张照片格式不支持，请用 JPEG、PNG 或 WebP",
        "Photo {index} is not in an accepted format (JPEG, PNG, WebP)",
    ),
    "photo_corrupt": ("第{index}张照片已损坏或不完整", "Photo {index} is damaged or incomplete"),
    "photo_too_many_pixels": ("第{index}张照片像素太多", "Photo {index} has too many pixels"),
    "photos_too_many_pixels_total": ("这次上传的照片像素总数太多（上限 {limit} 像素），请少传几张或缩小后再传",
                                     "The photos of this upload have too many pixels together (limit {limit}); "
                                     "send fewer or smaller photos"),
    "photo_polyglot": (
        "第{index}张照片在图像之后还夹带了其他数据，已拒收",
        "Photo {index} carries other data after the image and was refused",
    ),
    "photo_required": ("上门走访至少需要一张照片", "A home visit needs at least one photo"),
    "too_many_photos": ("照片太多，最多{limit}张", "Too many photos; at most {limit}"),
    "visit_not_assigned": ("该人员不是您照料的对象", "That person is not under your care agreement"),
    "caregivers_only": ("只有照料服务人和结对帮扶干部可以打卡走访", "Only caregivers and paired cadres record visits"),
    "visit_not_paired": ("该人员不是您的结对帮扶对象", "That person is not paired with you"),
    # 结对帮扶 (server/pairing)
    "unit_not_found": ("没有这个结对单位", "No such pairing unit"),
    "unit_name_taken": ("已有同名的结对单位", "A pairing unit of that name exists already"),
    "unit_township_exists": ("该单位已与这个街道（乡镇）结对", "That unit is already paired with that township"),
    "township_required": ("请选择一个街道（乡镇）", "Choose a township or street office"),
    "cadre_not_found": ("没有这名结对干部", "No such cadre"),
    "pairing_not_found": ("没有这条结对记录", "No such pairing"),
    "pairing_exists": ("这名干部已与该人员结对", "That cadre is already paired with that person"),
    "pairing_unit_not_in_township": (
        "该干部所在单位没有与{township}结对，不能结对该街道（乡镇）的人员",
        "The cadre's unit is not paired with {township}; they cannot be paired with its people",
    ),
    "pairing_person_inactive": ("该人员已不在册，不能结对", "That person is no longer on the roster"),
    "pairing_ended": ("这条结对已经结束", "That pairing has ended already"),
    "festival_not_found": ("没有这个节日慰问活动", "No such festival campaign"),
    "festival_exists": ("{year}年的这个节日慰问活动已经设置", "That festival campaign of {year} is set already"),
    "festival_visitors_invalid": (
        "请至少选择一种计入节日走访慰问的走访：结对干部、志愿服务队",
        "Choose at least one kind of visit to count for the festival campaigns: paired cadres, volunteer teams",
    ),
    "festival_window_invalid": (
        "节日慰问的起止日期不对：结束日期不能早于开始日期，不超过{days}天，且在{year}年内（元旦春节可从上一年12月开始）",
        "The campaign's dates are wrong: the end may not be before the start, the window is at most {days} days, "
        "and it lies in {year} (New Year and Spring Festival may start in the December before)",
    ),
    "services_not_in_catalogue": (
        "照料内容不在该人员自理等级的服务清单中：{codes}",
        "Services not in the catalogue for this person's self-care level: {codes}",
    ),
    "services_not_for_mode": (
        "这些照料需要上门才能完成，电话、视频或远程监测不能勾选：{services}",
        "This care is given in the home, not by a call or a remote monitor: {services}",
    ),
    "monitor_required": ("远程监测请选择所查看的监测设备", "Say which monitor a remote check looked at"),
    "monitor_only_remote": ("只有远程监测才记录监测设备", "Only a remote check records a monitor"),
    "started_in_future": ("开始时间晚于当前时间，请检查手机时间", "The start time is in the future; check the phone's clock"),
    "ended_before_started": ("结束时间早于开始时间", "The end time is before the start time"),
    "gps_incomplete": ("定位信息不完整：经纬度和精度需要一起提交", "Send lat, lon and accuracy_m together"),
    "client_id_conflict": (
        "该记录编号已用于另一条不同的走访记录",
        "That client_id was already used for a different visit",
    ),
    "visit_not_found": ("找不到该走访记录", "Visit not found"),
    "visit_out_of_scope": ("您无权查看该走访记录", "That visit is outside your area"),
    "checkout_conflict": ("该走访已有不同的结束时间", "That visit already has a different end time"),
    "review_not_pending": ("该走访没有待审核的异常", "That visit has no exception waiting for review"),
    "visit_not_verified": ("该走访不是已核实的走访，不能再核实", "That visit is not a verified one"),
    "spot_check_not_found": ("找不到该抽查记录", "Spot check not found"),
    "spot_check_done": ("该抽查已经回访登记过了", "That spot check is recorded already"),
    "spot_check_untrue_needs": (
        "核实不属实时，请选择是未上门还是照料未落实，并写明回访了解到的情况",
        "For an untrue visit, say whether nobody came or the care was not given, and note what the call-back found",
    ),
    "spot_check_township_only": ("抽查按乡镇（街道）查看，请选择一个乡镇", "Spot checks are by township: choose one"),
    "review_reason_mismatch": ("审核理由与审核结论不符", "That reason does not go with that decision"),
    "review_reason_not_applicable": ("该审核理由与这次走访的异常不符，请另选理由",
                                     "That reason does not answer this visit's exceptions; choose another"),
    "review_note_required": ("选择“其他（见备注）”时请填写备注", "Write a note when the reason is “Other (see note)”"),
    "photo_not_found": ("找不到该照片", "Photo not found"),
    "photo_store_unavailable": ("照片存储暂时无法访问，请稍后再试", "The photo store cannot be reached; please try again later"),
    "alert_not_found": ("找不到该预警", "Alert not found"),
    "alert_not_open": ("该预警已确认或已处理", "That alert is already acknowledged or resolved"),
    "alert_resolved": ("该预警已处理完毕", "That alert is already resolved"),
    "alert_closed_by_form": (
        "该任务须填写事后补充说明后才会关闭，不能直接确认或处理",
        "This task closes when its statement is filed; it cannot be acknowledged or resolved directly",
    ),
    "outcome_not_for_kind": ("该处理结果不适用于这类预警，请从列出的结果中选择",
                             "That outcome does not fit this kind of alert; choose one of those listed"),
    "note_required": (
        "此项须写明处理情况或理由后才能关闭",
        "Write down what was found or why before closing this",
    ),
    "relief_required": ("选择临时救助时须填写救助金额和救助日期", "Emergency relief needs its amount and date"),
    "relief_only_with_relief": (
        "只有处理结果为临时救助时才填写救助金额",
        "An amount of relief goes only with the outcome emergency relief",
    ),
    "relief_not_found": ("找不到该临时救助记录", "Relief record not found"),
    "relief_statement_filed": ("该临时救助已填写补充说明", "The statement for this relief is already filed"),
    "report_subject_mismatch": ("上报事项与上报类别不符", "That subject does not belong to that kind of report"),
    "report_no_caregiver": ("该人员没有生效的照料协议，无法投诉照料人", "That person has no caregiver to complain about"),
    "report_person_required": (
        "请选择在册人员；只有发现需要救助的人时才可填写未在册人员的姓名和村",
        "Choose a person on the roster; only someone found in need may be named with their village instead",
    ),
    "report_village_required": ("请选择该人员所在的村/居委会", "Choose the person's village"),
    "team_not_yours": ("您不能为该服务队登记活动", "You may not log activities for that team"),
    "place_outside_team": ("活动地点不在该服务队所在乡镇", "The place is outside the team's township"),
    "care_home_not_found": ("找不到该敬老院", "Care home not found"),
    "care_home_exists": ("已有同名的敬老院", "A care home of that name exists"),
    "care_home_place": ("敬老院须属于一个乡镇或本区县", "A care home belongs to a township or the district"),
    "care_home_out_of_scope": ("该敬老院不在您的辖区", "That care home is outside your area"),
    "care_home_district_only": ("只有区县民政可修改敬老院的名称、所属乡镇和床位", "Only district admins change a home's name, township and beds"),
    "care_home_beds_below_residents": ("床位数不能少于现有在院人数", "Beds cannot be fewer than the residents living there"),
    "care_home_full": ("该敬老院已无空余床位", "That care home has no bed free"),
    "move_not_recorded": ("请先在“办理入住敬老院”中登记入住，或选择其他结果并说明原因",
                          "Record the move into the care home first, or choose another outcome and give a reason"),
    "push_unavailable": ("服务器未配置推送", "Web Push is not configured on this server"),
    "push_endpoint_refused": ("推送地址不被接受：必须是已知推送服务的 https 地址",
                              "Push endpoint refused: it must be an https address of a known push service"),
    "import_not_spreadsheet": (
        "文件不是可读取的电子表格，请上传 .xlsx、.xls 或 .csv 文件",
        "The file is not a readable spreadsheet; upload an .xlsx, .xls or .csv file",
    ),
    "import_macro": (
        "文件含有宏，已拒收；请在 Excel 或 WPS 中另存为不含宏的 .xlsx 再上传",
        "The workbook contains macros and was refused; save it as a plain .xlsx",
    ),
    "import_encrypted": (
        "文件已加密（设了打开密码）；请在 Excel 或 WPS 中去掉密码后再上传",
        "The workbook is encrypted (it has a password to open); remove the password and upload it again",
    ),
    "import_zip_bomb": (
        "文件解压后过大，已拒收",
        "The file expands to far more than a spreadsheet would and was refused",
    ),
    "import_row_too_wide": (
        "第{row}行的单元格太多（一行最多{cells}个），请只保留花名册的各列后再导入",
        "Row {row} holds too many cells (at most {cells} a row); keep only the roster's columns",
    ),
    "import_sheet_too_large": (
        "表格的范围太大（超过{cells}个单元格），请只保留花名册的行和列后再导入",
        "The sheet spans too many cells (more than {cells}); keep only the roster's rows and columns",
    ),
    "import_too_large": ("文件太大，最大{limit} MB", "The file is too large; at most {limit} MB"),
    "import_too_many_rows": ("行数太多，一次最多导入{limit}行", "Too many rows; at most {limit} per import"),
    "import_empty": ("文件中没有数据行", "The file has no data rows"),
    "import_no_header": (
        "前{rows}行中找不到表头，表头至少要有：{required}",
        "No header row in the first {rows} rows; it needs at least: {required}",
    ),
    "quota_min_not_counted": (
        "规定了最少次数的探访方式必须计入每月探访",
        "A mode with a minimum must count toward the month",
    ),
    "activity_person_outside_team": (
        "所选服务对象不在本服务队所在乡镇的在册人员中",
        "A person named is not on the register of the team's township",
    ),
    "quota_no_mode": ("至少要有一种探访方式计入每月探访", "At least one mode must count toward the month"),
    "quota_month_closed": (
        "只能从本月或以后的月份起执行，已过去或已结算的月份不能更改",
        "A change applies from this month or a later one; a past or closed month cannot change",
    ),
    "quota_month_too_far": (
        "最多只能提前{months}个月设定",
        "A change can be scheduled at most {months} months ahead",
    ),
    "month_not_found": ("该月份格式有误，请选择年月", "Choose a month as YYYY-MM"),
    "enrolled_in_future": ("纳入日期不能晚于今天", "The enrolment date cannot be in the future"),
    "enrolled_after_exit": ("纳入日期不能晚于退出日期", "The enrolment date cannot be after the exit"),
    "import_mapping_invalid": ("列的对应有误：{problems}", "The column mapping is invalid: {problems}"),
    "import_township_required": ("请选择要导入的乡镇（place_id）", "Choose the township to import into (place_id)"),
    "import_not_township": ("只能按乡镇导入", "Imports are made for a township"),
    "import_not_found": ("找不到该导入记录", "Import not found"),
    "import_has_errors": (
        "文件中有{count}处错误，不能导入；请改正后重新上传",
        "The file has {count} error(s) and cannot be applied; correct it and upload it again",
    ),
    "import_stale": (
        "预览之后系统中的数据已有变化，请重新上传文件并核对预览",
        "The data changed since the dry run; upload the file again and review the new dry run",
    ),
    "import_already_applied": ("该文件已经导入过了", "This import has already been applied"),
    "import_applying": ("这份文件正在导入，请等它完成", "This import is being applied; wait for it to finish"),
    "import_expired": (
        "上传已超过{hours}小时未导入，文件已删除；请重新上传",
        "The upload was not applied within {hours} hours and was deleted; upload it again",
    ),
    "import_failed": (
        "导入中途出错（{reason}），已导入的批次保留，请重新上传核对",
        "The import stopped part-way ({reason}); the batches before stand; upload again to review",
    ),
    # subsidised home services (server/homeservices)
    "provider_not_found": ("找不到该服务组织", "Service provider not found"),
    "provider_not_offering": ("该服务组织没有登记{service_zh}服务", "This provider is not registered for {service_en}"),
    "provider_other_township": ("服务对象不在该服务组织所在的镇街", "That person or point is not in the provider's township"),
    "point_village_required": ("互助养老点必须设在村/社区", "A mutual-aid point must be in a village"),
    "not_eligible": (
        "该人员不符合{service_zh}补贴条件（年龄或对象类别不符）",
        "That person is not eligible for the {service_en} subsidy (age or group)",
    ),
    "service_cap_month": (
        "本月已享受{cap}次{service_zh}补贴，每人每月只补贴{cap}次（{period}）",
        "The {service_en} subsidy was already given {cap} time(s) this month; {cap} a month at most ({period})",
    ),
    "service_cap_week": (
        "该互助养老点本周已补助{cap}场{service_zh}活动，每周只补助{cap}场（{period}）",
        "This mutual-aid point already had {cap} subsidised {service_en} session(s) this week; {cap} a week at most ({period})",
    ),
    # campaigns (server/campaigns)
    "campaign_done": (
        "{name}本期（{period}）已经登记过{campaign_zh}",
        "{name} is already recorded for {campaign_en} this period ({period})",
    ),
    "campaign_not_due": (
        "{name}不在{campaign_zh}范围内",
        "{name} is not due {campaign_en}",
    ),
    "checklist_unknown": ("清单中没有该项目", "That item is not on the checklist"),
    "campaign_frequency_year": (
        "频次只能从以后的年份（{first}年起，最多五年内）改变：今年已开始的各期保持不变",
        "A frequency can change only from a later year ({first} on, at most five years ahead): this year's periods stay as they began",
    ),
    # intake (server/intake, issue 29 part 4)
    "intake_not_found": ("找不到该纳入申请", "Application not found"),
    "intake_wrong_step": ("该申请当前不在这一步，请按顺序办理", "The application is not at that step; take the steps in order"),
    "intake_assessment_missing": ("请先完成入户调查评估，再作审核决定", "Record the home investigation's assessment before deciding"),
    "intake_date_before_step": ("日期不能早于上一步（{day}）", "The date cannot be before the step it follows ({day})"),
    "intake_on_roster": ("该身份证号的人员已在花名册中，不能重复申请", "A person with that ID number is already on the roster"),
    "intake_duplicate": ("该身份证号已有一份正在办理的申请", "An application with that ID number is already open"),
    "intake_report_not_applicant": ("该上报不是发现名册外的困难群众", "That report is not of someone in need off the roster"),
    "intake_report_taken": ("这条上报已经办理了纳入申请", "An application was already opened from that report"),
    "intake_publicity_unset": (
        "区（旗）民政局尚未设定张榜公示天数（政策文件未规定），设定后才能批准",
        "The district has not set the number of days of the public notice (no policy paper gives one); "
        "it must be set before an approval",
    ),
    "intake_publicity_running": ("张榜公示到{until}结束，公示期满后才能纳入", "The public notice runs until {until}; place after it"),
    "intake_needs_care_home": (
        "入户调查评估结果为“差”，不适合分散供养，应纳入敬老院集中供养",
        "The investigation found 差 (poor): not fit for home care, place in a care home",
    ),
    # local numbers (issue 29 part 8)
    "subsidy_month_past": ("只能从本月或以后的月份起调整补助标准", "Amounts can change from this month or a later one only"),
    "review_months_same": ("两个核查月份不能相同", "The two review months must differ"),
    "festival_unknown": ("节日名单中没有这个节日", "That festival is not on the district's list"),
    "festival_name_invalid": (
        "节日名称须为1至10个字，不能与已有节日重复",
        "A festival's name has 1 to 10 characters and is not on the list already",
    ),
    "festival_in_use": (
        "{festival}已有慰问活动，不能从名单中删除",
        "{festival} has campaigns; it cannot be taken off the list",
    ),
    "rule_321_invalid": (
        "结对人数范围须为1至20人，且最少不超过最多",
        "Each range is 1 to 20 persons, its least no more than its most",
    ),
}


def language() -> str:
    if not has_request_context():
        return "zh-CN"
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
    return "en" if best == "en" else "zh-CN"


def message(key: str, **params) -> str:
    zh, en = MESSAGES[key]
    return (en if language() == "en" else zh).format(**params)


def fail(status: int, key: str, *, headers: dict | None = None, errors: dict | None = None, **params):
    """Abort the request with ``status`` and the message ``key``."""
    kwargs = {"message": message(key, **params), "reason": key}
    if headers:
        kwargs["headers"] = headers
    if errors:
        kwargs["errors"] = errors
    abort(status, **kwargs)


# how soon a client may try again while the database is away: a PostgreSQL restart or failover
# takes seconds (measured in tests/test_database_restart.py)
RETRY_AFTER_SECONDS = 5


def unavailable() -> ServiceError:
    """The answer while the database cannot be reached: 503 with Retry-After. The request stored
    nothing (or, when the connection broke during the commit, possibly everything): a replay of it
    under its client_id is stored once either way."""
    return ServiceError(503, "database_unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


_DEFAULT_KEYS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden_role",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "validation",
    500: "server_error",
}


def error_payload(error) -> tuple[dict, int, dict]:
    """Shape any HTTPException as the house error body (used by the Api subclass)."""
    payload = {"code": error.code, "status": error.name}
    headers: dict = {}
    data = getattr(error, "data", None) or {}
    key = data.get("reason") or _DEFAULT_KEYS.get(error.code)
    if "message" in data:
        payload["message"] = data["message"]
    elif key:
        payload["message"] = message(key)
    else:
        payload["message"] = error.description or error.name
    if key:
        payload["reason"] = key
    if "errors" in data:
        payload["errors"] = data["errors"]
    elif "messages" in data:
        # webargs puts validation errors under messages[location]; flatten the one location.
        messages = data["messages"]
        payload["errors"] = next(iter(messages.values())) if len(messages) == 1 else messages
        if not isinstance(payload["errors"], dict):
            # a body that is no object at all (not JSON, a list): marshmallow's key for the whole
            payload["errors"] = {"_schema": payload["errors"]}
    if "headers" in data:
        headers = data["headers"]
    log_refusal(error.code, key, payload.get("errors"))
    return payload, error.code, headers


log = logging.getLogger("zhaoying.errors")


def _field_paths(errors, prefix: str = "") -> list[str]:
    """The fields an ``errors`` dict names (``observations.note``, ``services.0``), not their
    values: what a user typed stays out of the log."""
    if not isinstance(errors, dict):
        return [prefix] if prefix else []
    paths = []
    for key, value in errors.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        paths.extend(_field_paths(value, path) if isinstance(value, dict) else [path])
    return paths


def log_refusal(status: int, reason: str | None, errors) -> None:
    """One log line for a 422: the route (its rule, no ids), the reason key and the fields it
    names, so a refused check-in says which check refused it. No values, no user."""
    if status != 422 or not has_request_context():
        return
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    log.warning("422 %s %s reason=%s fields=%s", request.method, rule, reason or "-",
                ",".join(_field_paths(errors)) or "-")


class ServiceError(Exception):
    """Raised by a service for an error the user caused; the app turns it into the
    house error body, and the request's transaction is rolled back."""

    def __init__(self, status: int, key: str, *, headers: dict | None = None, errors: dict | None = None, **params):
        super().__init__(key)
        self.status = status
        self.key = key
        self.headers = headers or {}
        self.errors = errors
        self.params = params

    def payload(self) -> tuple[dict, int, dict]:
        from werkzeug.http import HTTP_STATUS_CODES

        body = {
            "code": self.status,
            "status": HTTP_STATUS_CODES.get(self.status, "Error"),
            "message": message(self.key, **self.params),
            "reason": self.key,
        }
        if self.errors:
            body["errors"] = self.errors
        log_refusal(self.status, self.key, self.errors)
        return body, self.status, self.headers
