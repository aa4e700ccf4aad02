"""Deterioration rules: how staff learn that something is wrong. Every rule is here.

Each rule reads what was just recorded (a visit's observations, an assessment, an ended agreement)
and says which alerts to raise; `raise_findings` raises them (once each, by their dedupe keys)
to the township's staff, who are notified at once, urgently where a person may be in danger.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from server.alerts import service as alerts
from server.alerts.models import Alert
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
        found.append(Finding("self_care_worse", "normal", f"{name}自理能力下降，需重新评估",
                             f"worse:{vid}", {"recorded": recorded_level, "observed": seen_level}))
        found.append(Finding("reassessment_due", "normal", f"{name}需要重新评估自理能力",
                             f"reassess:{visit['person_id']}:{vid}", {"task": "assessment"}))
    health = visit.get("health")
    if health in ("unwell", "needs_doctor"):
        found.append(Finding("health_concern", "urgent", f"{name}身体不适{'，需要就医' if health == 'needs_doctor' else ''}",
                             f"health:{vid}", {"health": health}))
    elif health == "in_hospital":
        found.append(Finding("in_hospital", "normal", f"{name}住院", f"hospital:{vid}", {}))
    elif health == "missing":
        found.append(Finding("person_missing", "urgent", f"{name}找不到人，联系不上", f"missing:{vid}", {}))
    elif health == "deceased":
        found.append(Finding("person_deceased", "urgent", f"{name}已去世", f"deceased:{vid}", {}))

    def poor(v: dict | None) -> bool:
        return bool(v) and (v.get("living_environment") == "dirty" or v.get("hygiene") == "poor")

    if poor(visit) and poor(previous):
        found.append(Finding("poor_conditions", "normal", f"{name}连续两次居住环境或个人卫生差，建议转集中供养",
                             f"poor:{vid}", {"recommend": "centralised"}))
    return found


def on_assessment(*, assessment_id: int, person_name: str, overall: str) -> list[Finding]:
    if overall == "bad":
        return [Finding("centralised_recommended", "normal", f"{person_name}评估结果为差，建议转集中供养",
                        f"assessment:{assessment_id}", {"recommend": "centralised"})]
    return []


def on_no_caregiver(*, person_id: int, person_name: str, since: str) -> list[Finding]:
    return [Finding("no_caregiver", "normal", f"{person_name}没有生效的照料协议", f"nocare:{person_id}:{since}", {})]


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
