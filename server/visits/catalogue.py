"""The care-content catalogue (seed 001 §二(一)1), observation choices and review reasons.

Codes are what the API stores; the Chinese and English labels are what people read.
"""

from __future__ import annotations

# code -> (zh-CN, en, levels it applies to)
_ALL = ("self_care", "partly_disabled", "fully_disabled")
_DISABLED = ("partly_disabled", "fully_disabled")

SERVICES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "home_cleaning": ("维护居所卫生", "Keep the home clean", _ALL),
    "personal_hygiene": ("保持个人清洁", "Personal hygiene", _ALL),
    "regular_meals": ("确保规律饮食", "Regular meals", _ALL),
    "help_eating": ("协助用餐", "Help with eating", _DISABLED),
    "help_drinking": ("协助饮水", "Help with drinking", _DISABLED),
    "medication": ("协助用药", "Help with medication", _DISABLED),
    "dressing": ("协助穿（脱）衣", "Help with dressing", _DISABLED),
    "washing": ("协助洗漱", "Help with washing", _DISABLED),
    "bathing": ("协助洗澡", "Help with bathing", _DISABLED),
    "toileting": ("协助如厕", "Help with toileting", _DISABLED),
    "doctor_visit": ("生病送医", "Take to a doctor", _ALL),
    "buy_supplies": ("物资代购", "Buy supplies", _ALL),
    "environment_cleanup": ("指导人居环境整治", "Guide the home clean-up", _ALL),
    "wellbeing_call": ("电话/视频问候", "Check-in call", _ALL),
}


_BY_LEVEL = {level: frozenset(code for code, (_, _, levels) in SERVICES.items() if level in levels) for level in _ALL}

# The care that can be given without being in the home. Seed 000 item 2 lists 上门入户、电话视频、远程监测
# as ways to give 日常看护、生活照料、生病送医、生活物资代购 and to 引导特困人员搞好人居环境整治: what needs
# hands in the house (cleaning it, washing, feeding, dressing, taking to a doctor) is given there;
# a call or video call may check in, order supplies for the person and guide the clean-up; a look
# at a remote monitor is itself the 看护 and ticks no other care.
_BY_MODE = {
    "home": frozenset(SERVICES),
    "phone": frozenset({"wellbeing_call", "buy_supplies", "environment_cleanup"}),
    "video": frozenset({"wellbeing_call", "buy_supplies", "environment_cleanup"}),
    "remote": frozenset(),
}


def modes_of(code: str) -> list[str]:
    """The check-in modes a service may be ticked on."""
    return [m for m, codes in _BY_MODE.items() if code in codes]


def services_for_mode(mode: str) -> frozenset[str]:
    """The service codes a check-in of ``mode`` may tick (before its person's self-care level)."""
    return _BY_MODE.get(mode, frozenset())


# What a 远程监测 check looked at (seed 000 item 2): the device, and what it read (free text).
MONITOR_DEVICES: dict[str, tuple[str, str]] = {
    "camera": ("监控摄像头", "Home camera"),
    "wearable": ("智能手环/手表", "Smart band or watch"),
    "call_button": ("一键呼叫器", "Emergency call button"),
    "alarm": ("烟感/燃气报警器", "Smoke or gas alarm"),
    "other": ("其他监测设备", "Other monitor"),
}


def services_for(level: str) -> frozenset[str]:
    """The service codes that apply to a self-care level."""
    return _BY_LEVEL.get(level, frozenset())


# What a paired cadre does on a visit (结对帮扶, seed 003 item 九 and 工作要求): 节日慰问、上门走访、交心谈心,
# 就业帮扶 and 生活困难扶助; a call counts as a check-in call. code -> (zh-CN, en).
PAIRING_SERVICE_LABELS: dict[str, tuple[str, str]] = {
    "festival_greeting": ("节日慰问", "Festival visit"),
    "heart_talk": ("交心谈心", "Heart-to-heart talk"),
    "employment_help": ("就业帮扶", "Help finding work"),
    "hardship_aid": ("生活困难扶助", "Help with hardship"),
    "wellbeing_call": SERVICES["wellbeing_call"][:2],
}
PAIRING_SERVICES = frozenset(PAIRING_SERVICE_LABELS)


# Observation fields and their choices: code -> (zh-CN, en).
OBSERVATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "self_care_level": {
        "self_care": ("全自理", "Self-care"),
        "partly_disabled": ("半失能", "Partly disabled"),
        "fully_disabled": ("全失能", "Fully disabled"),
    },
    "health": {
        "well": ("良好", "Well"),
        "unwell": ("身体不适", "Unwell"),
        "needs_doctor": ("需要就医", "Needs a doctor"),
        "in_hospital": ("住院", "In hospital"),
        "missing": ("人不在，联系不上", "Missing, cannot be reached"),
        "deceased": ("已去世", "Deceased"),
    },
    "hygiene": {"good": ("干净", "Clean"), "fair": ("一般", "Fair"), "poor": ("差", "Poor")},
    "living_environment": {
        "clean": ("整洁干净", "Clean and tidy"),
        "fair": ("一般", "Fair"),
        "dirty": ("脏乱差", "Dirty and messy"),
    },
    "food_supplies": {
        "sufficient": ("充足", "Sufficient"),
        "low": ("不足", "Running low"),
        "none": ("缺乏", "None left"),
    },
    "mood": {"good": ("良好", "Good"), "fair": ("一般", "Fair"), "low": ("低落", "Low")},
    # 及时了解老年人基本生活、安全风险、家庭赡养、关爱保护等情况 (seed 002 item 3): the seeds name only the
    # headings; these choices are the fewest that tell staff what to act on. Asked on a home visit only.
    "safety_risk": {
        "none": ("无", "None"),
        "fire_electric": ("用火用电隐患", "Fire or electrical hazard"),
        "house_unsafe": ("房屋不安全", "House unsafe"),
        "fall_risk": ("跌倒风险", "Risk of falling"),
    },
    "family_support": {
        "fulfilled": ("已履行", "Fulfilled"),
        "partly": ("部分履行", "Partly fulfilled"),
        "not_fulfilled": ("未履行", "Not fulfilled"),
        "no_family": ("无赡养义务人", "No one obliged to support"),
    },
    "care_need": {
        "none": ("无", "None"),
        "needs_company": ("需要陪伴", "Needs company"),
        "needs_protection": ("需要保护", "Needs protection"),
    },
}

# Verification exceptions: code -> (zh-CN, en).
EXCEPTIONS: dict[str, tuple[str, str]] = {
    "no_gps": ("没有定位", "No GPS position"),
    "no_duration": ("电话视频没有通话时长", "The call has no end time"),
    "no_observation": ("没有记录服务对象的身体情况", "The person's health was not recorded"),
    "low_accuracy": ("定位精度太低", "GPS accuracy too low"),
    "outside_geofence": ("不在服务对象家附近", "Not near the person's home"),
    "photo_reused": ("照片与其他走访重复", "Photo matches another visit's photo"),
    "photo_stale": ("照片拍摄时间与走访时间不符", "Photo taken far from the visit time"),
    "too_short": ("走访时间过短", "Visit too short"),
    "clock_skew": ("手机时间不准", "Phone clock differs from server time"),
    "impossible_travel": ("与上一次走访之间的移动速度不可能", "Impossible travel since the previous visit"),
    "late_submission": ("补报过晚（所属月份已结算或超过规定天数）", "Submitted late (its month is closed, or too many days after)"),
}

# Review reasons: code -> (decision, zh-CN, en).
REVIEW_REASONS: dict[str, tuple[str, str, str]] = {
    "gps_unavailable": ("accept", "室内或山区无法定位，已核实", "GPS unavailable indoors or in the hills; checked"),
    "person_elsewhere": ("accept", "服务对象当时不在家（住院、走亲戚），已核实", "Person was elsewhere (hospital, relatives); checked"),
    "confirmed_by_call": ("accept", "已电话向服务对象或村委会核实", "Confirmed by phone with the person or village"),
    "device_clock_wrong": ("accept", "手机时间设置错误", "Phone clock was wrong"),
    "late_with_cause": ("accept", "因无网络等原因补报，已核实走访属实", "Sent late (no network or similar); the visit is confirmed"),
    "home_location_wrong": ("accept", "登记的住址位置有误，需更正", "Recorded home location is wrong; to be corrected"),
    "length_confirmed": ("accept", "走访时长已核实（表单在离开后才提交等）", "The visit's length is confirmed (e.g. the form was sent after leaving)"),
    "other_accept": ("accept", "其他（见备注）", "Other (see note)"),
    "not_at_home": ("reject", "核实未上门", "Checked: no home visit took place"),
    "photo_not_genuine": ("reject", "照片不真实或重复使用", "Photo not genuine or reused"),
    "duplicate_visit": ("reject", "重复记录", "Duplicate record"),
    "service_not_done": ("reject", "照料服务未落实", "Care was not actually given"),
    "other_reject": ("reject", "其他（见备注）", "Other (see note)"),
}

# Which exceptions a reason can answer: a reason is offered (and accepted by the server) only
# when it answers at least one of the visit's exception codes. Reasons not listed (confirmed by
# a call, the rejections, 其他（见备注）) answer any exception.
REASON_ANSWERS: dict[str, frozenset[str]] = {
    "gps_unavailable": frozenset({"no_gps", "low_accuracy"}),
    "person_elsewhere": frozenset({"no_gps", "low_accuracy", "outside_geofence", "impossible_travel"}),
    "device_clock_wrong": frozenset({"clock_skew", "photo_stale", "impossible_travel"}),
    "late_with_cause": frozenset({"late_submission"}),
    "home_location_wrong": frozenset({"outside_geofence"}),
    "length_confirmed": frozenset({"too_short"}),
    "not_at_home": frozenset({"no_gps", "low_accuracy", "outside_geofence", "impossible_travel", "too_short"}),
    "photo_not_genuine": frozenset({"photo_reused", "photo_stale"}),
}

# 其他（见备注）: the reason is the note, so a note is required.
NOTE_REQUIRED = frozenset({"other_accept", "other_reject"})


def reason_fits(reason_code: str, exceptions: list[str]) -> bool:
    """Whether a review reason answers a visit with these exception codes (``REASON_ANSWERS``)."""
    answers = REASON_ANSWERS.get(reason_code)
    return answers is None or not exceptions or bool(answers & set(exceptions))

# Observation values staff should look at (shown marked beside an alert): a worse self-care
# level than on record is judged against the person, not listed here.
CONCERNING: dict[str, frozenset[str]] = {
    "health": frozenset({"unwell", "needs_doctor", "in_hospital", "missing", "deceased"}),
    "hygiene": frozenset({"poor"}),
    "living_environment": frozenset({"dirty"}),
    "food_supplies": frozenset({"low", "none"}),
    "mood": frozenset({"low"}),
    "safety_risk": frozenset({"fire_electric", "house_unsafe", "fall_risk"}),
    "family_support": frozenset({"not_fulfilled"}),
    "care_need": frozenset({"needs_company", "needs_protection"}),
}
