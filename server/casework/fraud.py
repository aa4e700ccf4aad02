"""疑似虚报: staff rejecting a caregiver's visits as not done, again and again within the district's
window (CaseworkPolicy), raises an alert for the agreement. Hears ``visit_rejected`` from the
visits room (imported by the composition root)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import select
from sqlmodel import Session

from server.alerts import rules
from server.alerts.models import Alert
from server.alerts.service import AlertSettings
from server.casework.policy import policy
from server.people.models import Person
from server.visits.events import visit_rejected
from server.visits.models import Visit


@visit_rejected.connect
def watch_rejections(session: Session, *, visit, alert_settings: AlertSettings, now: datetime, **_) -> list[Alert]:
    """After a visit is rejected as not done: 疑似虚报 when the district's number of such rejections
    of its agreement fall within its window (CaseworkPolicy; 2 in 90 days by default)."""
    if visit.review_reason not in rules.NOT_DONE_REASONS or visit.agreement_id is None:
        return []
    rule = policy(session)
    window = timedelta(days=rule.fraud_window_days)
    rejected = session.scalar(select(sa.func.count()).select_from(Visit).where(
        Visit.agreement_id == visit.agreement_id, Visit.status == "rejected",
        Visit.review_reason.in_(rules.NOT_DONE_REASONS),
        Visit.started_at > visit.started_at - window, Visit.started_at < visit.started_at + window))
    already = session.scalar(select(sa.func.count()).select_from(Alert).where(
        Alert.kind == "suspected_fraud", Alert.dedupe_key.startswith(f"fraud:{visit.agreement_id}:"),
        Alert.created_at > now - window)) > 0
    person = session.get(Person, visit.person_id)
    findings = rules.on_rejected_visits(agreement_id=visit.agreement_id, visit_id=visit.id, person_name=person.name,
                                        rejected=rejected, needed=rule.fraud_rejections,
                                        window_days=rule.fraud_window_days, already_raised=already)
    return rules.raise_findings(session, findings, person_id=person.id, village_id=person.village_id,
                                settings=alert_settings, now=now)
