"""Deterioration rules: how staff learn that something is wrong. Every rule is here.

Each rule reads what was just recorded (a visit's observations, an assessment, an ended agreement)
— or, for the hourly gap watch, what was not — and says which alerts to raise; `raise_findings` raises them (once each, by their dedupe keys)
to the township's staff, who are notified at once, urgently where a person may be in danger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server import db
from server.alerts import service as alerts
from server.alerts.models import Alert
from server.db import UTCDateTime
from server.messages import text, text_sql
from server.places.models import Place

WORSE = {"self_care": 0, "partly_disabled": 1, "fully_disabled": 2}


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    title: str
    dedupe_key: str
    detail: dict = field(default_factory=dict)


def on_visit(*, visit: dict, person_name: str, recorded_level: str, previous: dict | None) -> list[Finding]:
    """``visit`` and ``previous`` (the person's visit before it, or None) carry observation fields."""
    found: list[Finding] = []
    vid, name = visit["id"], person_name
    seen_level = visit.get("self_care_level")
    if seen_level and WORSE[seen_level] > WORSE[recorded_level]:
        found.append(Finding("self_care_worse", "normal", text("alert.self_care_worse", name=name),
                             f"worse:{vid}", {"recorded": recorded_level, "observed": seen_level}))
        found.append(Finding("reassessment_due", "normal", text("alert.reassessment_due", name=name),
                             f"reassess:{visit['person_id']}:{vid}", {"task": "assessment"}))
    health = visit.get("health")
    if health in ("unwell", "needs_doctor"):
        key = "alert.needs_doctor" if health == "needs_doctor" else "alert.unwell"
        found.append(Finding("health_concern", "urgent", text(key, name=name), f"health:{vid}", {"health": health}))
    elif health == "in_hospital":
        found.append(Finding("in_hospital", "normal", text("alert.in_hospital", name=name), f"hospital:{vid}", {}))
    elif health == "missing":
        found.append(Finding("person_missing", "urgent", text("alert.missing", name=name), f"missing:{vid}", {}))
    elif health == "deceased":
        found.append(Finding("person_deceased", "urgent", text("alert.deceased", name=name), f"deceased:{vid}", {}))

    # 对遭遇特殊困难的特困人员…及时予以救助和帮扶; 由专业社工组织为特困人员提供心理慰藉、精神关爱 (seed 000
    # item 12): a home without food is helped today, low spirits are a task for the township to arrange comfort
    if visit.get("food_supplies") == "none":
        found.append(Finding("no_food", "urgent", text("alert.no_food", name=name), f"food:{vid}",
                             {"food_supplies": "none"}))
    if visit.get("mood") == "low":
        found.append(Finding("mood_low", "normal", text("alert.mood_low", name=name), f"mood:{vid}",
                             {"mood": "low", "task": "comfort"}))
    # 安全风险 (seed 002 item 3: 及时了解…安全风险…并提供有针对性的帮扶和救助措施): a house that is not safe
    # to live in is acted on at once; the other risks are marked for staff beside the visit, not raised
    if visit.get("safety_risk") == "house_unsafe":
        found.append(Finding("house_unsafe", "urgent", text("alert.house_unsafe", name=name), f"house:{vid}",
                             {"safety_risk": "house_unsafe"}))

    def poor(v: dict | None) -> bool:
        return bool(v) and (v.get("living_environment") == "dirty" or v.get("hygiene") == "poor")

    if poor(visit) and poor(previous):
        found.append(Finding("poor_conditions", "normal", text("alert.poor_conditions", name=name),
                             f"poor:{vid}", {"recommend": "centralised"}))
    # staff act on what the caregiver saw: the alert keeps the visit it came from
    return [Finding(f.kind, f.severity, f.title, f.dedupe_key, {**f.detail, "visit_id": vid}) for f in found]


def on_assessment(*, assessment_id: int, person_name: str, overall: str, rights_infringed: bool = False,
                  subsidy_self_controlled: bool = True, care_quality: str | None = None,
                  quality_of_life: str | None = None, living_environment: str | None = None,
                  lives_alone: bool = False, wishes_centralised: bool | None = None, person_id: int | None = None,
                  assessed_on: str | None = None) -> list[Finding]:
    """Seed 001 annex 3 acts: 差 recommends centralised care (§二(一)2), and so do the conditions
    §二(一)2 names for 无条件地纳入敬老院 whatever the overall result — 监护人生活照料、监护责任不到位
    (护理情况 较差), or 特困人员独自生活、生活质量和居住环境差 (living alone, 生活质量 较差 and 居住环境
    脏乱差); 是否存在侵占特困供养人员合法权益 answered yes is urgent (坚决整治和打击侵害…合法权益, to be
    handed to the judiciary); the subsidy not controlled by the person (严禁…私自领取、支配, §二(一)1)
    needs following up. A wish to move (集中供养意愿) asked on the form opens the move's task (on_wish)."""
    found = []
    grounds = [g for g, met in (
        ("overall_bad", overall == "bad"),
        ("care_not_in_place", care_quality == "poor"),
        ("alone_poor_life", lives_alone and quality_of_life == "poor" and living_environment == "dirty")) if met]
    if grounds:
        key = "alert.assessment_bad" if grounds == ["overall_bad"] else "alert.assessment_centralise"
        found.append(Finding("centralised_recommended", "normal", text(key, name=person_name),
                             f"assessment:{assessment_id}", {"recommend": "centralised", "grounds": grounds}))
    if rights_infringed:
        found.append(Finding("rights_infringed", "urgent", text("alert.rights_infringed", name=person_name),
                             f"rights:{assessment_id}", {"assessment_id": assessment_id}))
    if not subsidy_self_controlled:
        found.append(Finding("subsidy_not_controlled", "normal", text("alert.subsidy_not_controlled", name=person_name),
                             f"subsidy:{assessment_id}", {"assessment_id": assessment_id}))
    if wishes_centralised and person_id is not None and assessed_on:
        found += on_wish(person_id=person_id, person_name=person_name, on=assessed_on)
    return found


# The task a wish to move into a care home opens (seed 004 item 2: 确保有集中供养意愿的特困人员集中供养率达到
# 100%; seed 002 item 5: 对有集中供养意愿的特困老年人全部实行集中供养): done by the move, or closed with a reason.
WISH_TASK = "centralisation_wish"


def on_wish(*, person_id: int, person_name: str, on: str) -> list[Finding]:
    return [Finding(WISH_TASK, "normal", text("alert.centralisation_wish", name=person_name), f"wish:{person_id}:{on}",
                    {"recommend": "centralised", "task": "move", "wished_on": on})]


# Rejections that say the care was not given (visits/catalogue.py REVIEW_REASONS): 核实未上门, 照料服务未落实.
NOT_DONE_REASONS = ("not_at_home", "service_not_done")


def on_rejected_visits(*, agreement_id: int, visit_id: int, person_name: str, rejected: int, needed: int,
                       window_days: int, already_raised: bool) -> list[Finding]:
    """疑似虚报 (seed 001 §二(一)2, §四(四): 领取护理补贴资金却不履行相应义务, 虚报、冒领): ``rejected``
    visits of one agreement rejected as not done within ``window_days``; raised once per window —
    a further rejection while one raised within it stands adds nothing."""
    if rejected < needed or already_raised:
        return []
    return [Finding("suspected_fraud", "normal", text("alert.suspected_fraud", name=person_name, n=rejected,
                                                      days=window_days),
                    f"fraud:{agreement_id}:{visit_id}",
                    {"agreement_id": agreement_id, "rejected": rejected, "window_days": window_days})]


def on_no_caregiver(*, person_id: int, person_name: str, since: str) -> list[Finding]:
    return [Finding("no_caregiver", "normal", text("alert.no_caregiver", name=person_name),
                    f"nocare:{person_id}:{since}", {})]


def on_gaps(gaps: sa.Subquery, *, now: datetime) -> sa.Select:
    """The alert of each person past the longest allowed gap since their last verified home visit
    (or never visited since an agreement that began that long ago), over ``gaps``
    (quotas.service.visit_gaps) — built in the database, for alerts.raise_select: "张三已25天没有核实的探访",
    keyed by the person and the (UTC) date of that last visit, so a later visit and a new gap raise
    again."""
    since = sa.func.coalesce(db.utc_date(gaps.c.last_visit_at), sa.literal("never"))
    days = db.whole_days(sa.literal(now, type_=UTCDateTime()), gaps.c.last_visit_at)
    title = sa.case((gaps.c.last_visit_at.is_(None), text_sql("alert.never_visited", name=gaps.c.name)),
                    else_=text_sql("alert.visit_gap", name=gaps.c.name, days=days))
    return select(sa.literal("visit_gap").label("kind"), sa.literal("normal").label("severity"),
                  gaps.c.person_id, gaps.c.township_id.label("place_id"), title.label("title"),
                  (sa.literal("gap:") + sa.cast(gaps.c.person_id, sa.String) + sa.literal(":") + since)
                  .label("dedupe_key"),
                  db.json_object(summary=title, last_visit=since, max_gap_days=gaps.c.max_gap_days).label("detail"))


def raise_findings(session: Session, findings: list[Finding], *, person_id: int, village_id: int,
                   settings: alerts.AlertSettings, now=None) -> list[Alert]:
    if not findings:
        return []
    township_id = session.get(Place, village_id).parent_id
    raised = []
    for f in findings:
        alert, created = alerts.raise_alert(session, kind=f.kind, severity=f.severity, township_id=township_id,
                                            person_id=person_id, title=f.title, dedupe_key=f.dedupe_key,
                                            detail={"summary": f.title, **f.detail}, settings=settings, now=now)
        if created:
            raised.append(alert)
    return raised
