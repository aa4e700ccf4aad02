"""The quota policy (what counts toward a month, per self-care level) and its versions, and the
schedule policy beside it: what district admins set in the app, and what each month is judged by.

A change to a level's policy applies from a month the admin chooses — this month or a later one,
never a closed one — and every month is judged by the version in force in it (``policies``), so
a report of October prints and applies October's rule whatever was decided since."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from server import clock
from server.audit import service as audit
from server.auth.actor import Actor
from server.auth.models import User
from server.errors import LANGUAGES, ServiceError, message
from server.messages import text
from server.people.models import SELF_CARE_LEVELS
from server.quotas.models import DEFAULT_POLICY, MODE_GROUPS, MonthClose, QuotaPolicy, SchedulePolicy
from server.visits import service as visits
from server.visits.catalogue import OBSERVATIONS

POLICY_FIELDS = tuple(DEFAULT_POLICY)
# How far ahead a change may be scheduled (months after this one): a year's budget ahead.
HORIZON_MONTHS = 12


def label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def seeds_default(level: str) -> QuotaPolicy:
    """The seeds' default for a level, as a version never saved (no id, no month)."""
    return QuotaPolicy(self_care_level=level, effective_month="", **DEFAULT_POLICY)


def in_force(versions: list[QuotaPolicy], month: str) -> dict[str, QuotaPolicy]:
    """Of ``versions`` (in the order they take effect), each level's in force in ``month``
    (YYYY-MM): the latest whose effective month is that month or before it; the seeds' default for
    a level with none."""
    found: dict[str, QuotaPolicy] = {}
    for version in versions:
        if version.effective_month <= month:
            found[version.self_care_level] = version
    return {level: found.get(level) or seeds_default(level) for level in SELF_CARE_LEVELS}


def versions_until(session: Session, month: str) -> list[QuotaPolicy]:
    """Every version taking effect in ``month`` (YYYY-MM) or before, in the order they do."""
    return list(session.scalars(select(QuotaPolicy).where(QuotaPolicy.effective_month <= month)
                                .order_by(QuotaPolicy.effective_month)))


def policies(session: Session, *, year: int, month: int) -> dict[str, QuotaPolicy]:
    """The version of each level's policy in force in the month (``in_force``)."""
    return in_force(versions_until(session, label(year, month)), label(year, month))


def _months_ahead(base: tuple[int, int], target: str) -> int:
    y, m = (int(part) for part in target.split("-"))
    return (y * 12 + m) - (base[0] * 12 + base[1])


def _version(session: Session, *, level: str, effective_month: str, today: tuple[int, int]) -> QuotaPolicy:
    """The version of ``level`` from ``effective_month`` to edit: this month or a later one (within
    HORIZON_MONTHS), never a closed one; a new version starts from the one in force then."""
    ahead = _months_ahead(today, effective_month)
    if ahead < 0 or session.get(MonthClose, effective_month) is not None:
        raise ServiceError(422, "quota_month_closed", errors={"effective_month": [message("quota_month_closed")]})
    if ahead > HORIZON_MONTHS:
        raise ServiceError(422, "quota_month_too_far", months=HORIZON_MONTHS,
                           errors={"effective_month": [message("quota_month_too_far", months=HORIZON_MONTHS)]})
    existing = session.scalar(select(QuotaPolicy).where(QuotaPolicy.self_care_level == level,
                                                        QuotaPolicy.effective_month == effective_month))
    if existing is not None:
        return existing
    y, m = (int(part) for part in effective_month.split("-"))
    in_force = policies(session, year=y, month=m)[level]
    return QuotaPolicy(self_care_level=level, effective_month=effective_month,
                       **{field: getattr(in_force, field) for field in POLICY_FIELDS})


def update(session: Session, *, actor: Actor, level: str, effective_month: str, today: tuple[int, int],
           now: datetime | None = None, **values) -> QuotaPolicy:
    """A district admin sets a level's policy from ``effective_month`` (YYYY-MM) on; every mode
    that has a minimum must count, and some mode must count. ``today``: (year, month) of today."""
    policy = _version(session, level=level, effective_month=effective_month, today=today)
    merged = {field: values.get(field, getattr(policy, field)) for field in POLICY_FIELDS}
    errors = {f"min_{g}": [message("quota_min_not_counted")]
              for g in MODE_GROUPS if merged[f"min_{g}"] and not merged[f"count_{g}"]}
    if errors:
        raise ServiceError(422, "quota_min_not_counted", errors=errors)
    if not any(merged[f"count_{g}"] for g in MODE_GROUPS):
        raise ServiceError(422, "quota_no_mode", errors={f"count_{g}": [message("quota_no_mode")] for g in MODE_GROUPS})
    for field, value in merged.items():
        setattr(policy, field, value)
    policy.updated_by, policy.updated_at = actor.user.id, now or clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="quota", entity_id=policy.id,
                 detail={"level": level, "effective_month": effective_month, **merged})
    return policy


def reset(session: Session, *, actor: Actor, level: str, effective_month: str, today: tuple[int, int],
          now: datetime | None = None) -> QuotaPolicy:
    """Back to the seeds' default for a level, from ``effective_month`` on."""
    policy = _version(session, level=level, effective_month=effective_month, today=today)
    for field, value in DEFAULT_POLICY.items():
        setattr(policy, field, value)
    policy.updated_by, policy.updated_at = actor.user.id, now or clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="quota", entity_id=policy.id,
                 detail={"level": level, "effective_month": effective_month, "reset": True})
    return policy


def describe(policy: QuotaPolicy, lang: str = "zh-CN") -> str:
    """A level's policy in words, as reports print it beside 达标: "每月至少探访1次（上门入户、电话视频、
    远程监测均计入）"."""
    sep = text("quota.separator", lang)
    modes = sep.join(text(f"quota.mode.{g}", lang) for g in MODE_GROUPS if getattr(policy, f"count_{g}"))
    out = text("quota.describe", lang, n=policy.visits_per_month, modes=modes)
    mins = [text("quota.describe.min", lang, mode=text(f"quota.mode.{g}", lang), n=getattr(policy, f"min_{g}"))
            for g in MODE_GROUPS if getattr(policy, f"min_{g}")]
    if mins:
        out += text("quota.describe.mins", lang, mins=sep.join(mins))
    if policy.max_gap_days:
        out += text("quota.describe.gap", lang, days=policy.max_gap_days)
    return out


def is_default(policy: QuotaPolicy) -> bool:
    """Whether a level's policy is the seeds' default, whoever last saved it."""
    return all(getattr(policy, field) == value for field, value in DEFAULT_POLICY.items())


def row(policy: QuotaPolicy, lang: str = "zh-CN") -> dict:
    """A version as the API and the editor show it: its rule in words, whether it is the seeds'
    default, from which month (None: the seeds' default, never saved) and when it was saved."""
    return {"self_care_level": policy.self_care_level, **{f: getattr(policy, f) for f in POLICY_FIELDS},
            "text": describe(policy, lang), "default": is_default(policy), "version_id": policy.id,
            "effective_month": policy.effective_month or None,
            "updated_at": policy.updated_at if policy.id is not None else None}


def policy_rows(session: Session, *, year: int, month: int, lang: str = "zh-CN") -> list[dict]:
    """Each level's policy in force in the month, with its rule in words."""
    found = policies(session, year=year, month=month)
    return [row(found[level], lang) for level in SELF_CARE_LEVELS]


def history(session: Session, lang: str = "zh-CN") -> list[dict]:
    """Every saved version, each level's in the order they take effect, with who saved it."""
    versions = session.execute(
        select(QuotaPolicy, User.display_name).outerjoin(User, User.id == QuotaPolicy.updated_by)
        .order_by(QuotaPolicy.self_care_level, QuotaPolicy.effective_month)).all()
    order = {level: k for k, level in enumerate(SELF_CARE_LEVELS)}
    return [{**row(version, lang), "updated_by": name}
            for version, name in sorted(versions, key=lambda v: (order[v[0].self_care_level], v[0].effective_month))]


def applied_rules(found: dict[str, QuotaPolicy], volunteer_visits: bool, lang: str = "zh-CN") -> dict:
    """The policy a month was judged by, for a report's JSON and the line under its table: each
    level's rule in words and its version, whether it is the seeds' default or a local rule, and
    whether volunteer visits counted toward 月探访率."""
    rows = [row(found[level], lang) for level in SELF_CARE_LEVELS]
    words = text("quota.applied.separator", lang).join(
        text("quota.applied.level", lang, level=OBSERVATIONS["self_care_level"][r["self_care_level"]][LANGUAGES.index(lang)],
             rule=r["text"]) for r in rows)
    source = "quota.applied.default" if all(r["default"] for r in rows) else "quota.applied.local"
    levels = {r["self_care_level"]: {k: v for k, v in r.items() if k not in ("self_care_level", "updated_at")}
              for r in rows}
    return {"levels": levels, "text": text(source, lang, rules=words), "volunteer_visits_count": volunteer_visits,
            "volunteer_text": text("rates.volunteers.yes" if volunteer_visits else "rates.volunteers.no", lang)}


def schedule(session: Session) -> SchedulePolicy:
    return session.get(SchedulePolicy, 1) or SchedulePolicy(id=1)


@visits.reads_late_after_days
def late_submission_days(session: Session) -> int:
    """A visit received more than this many days after it started is a late_submission exception."""
    return schedule(session).late_submission_days


def update_schedule(session: Session, *, actor: Actor, **values) -> SchedulePolicy:
    """A district admin sets the cadences; the two review months of seed 004 item 4 differ."""
    policy = schedule(session)
    # a second month left to follow the first (None) never meets it
    if values.get("review_month", policy.review_month) == values.get("review_second_month", policy.review_second_month):
        raise ServiceError(422, "review_months_same", errors={"review_second_month": [message("review_months_same")]})
    for key, value in values.items():
        setattr(policy, key, value)
    policy.updated_by, policy.updated_at = actor.user.id, clock.now()
    session.add(policy)
    session.flush()
    audit.record(session, actor=actor, action="update", entity="schedule", detail=values)
    return policy


SCHEDULE_FIELDS = ("volunteer_activities_per_month", "health_check_min_age", "review_month", "review_second_month",
                   "late_submission_days", "volunteer_visits_count", "reminder_days_left")


def second_review_month(policy: SchedulePolicy) -> int:
    """The month B and C class 低保 are reviewed again: the one set, else six after the yearly one
    (seed 004 item 4: 3月和9月)."""
    return policy.review_second_month or (policy.review_month + 5) % 12 + 1


def present_schedule(session: Session) -> dict:
    """The cadences with the defaults they started from (the seeds' where one gives a number, cited
    beside SchedulePolicy's columns), who saved them last and when (None: nobody yet)."""
    policy, default = schedule(session), SchedulePolicy(id=1)
    by = session.get(User, policy.updated_by) if policy.updated_by else None
    values = {f: getattr(policy, f) for f in SCHEDULE_FIELDS} | {"review_second_month": second_review_month(policy)}
    return {**values, "defaults": {f: getattr(default, f) for f in SCHEDULE_FIELDS} | {"review_second_month": 9},
            "updated_by": by.display_name if by else None, "updated_at": policy.updated_at if by else None}
