"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from server.activities.models import (
    VolunteerActivity,
    VolunteerTeam,
    VolunteerTeamMember,
)
from server.alerts.models import Alert, AlertEvent
from server.assessments.models import Assessment
from server.audit.models import AuditLog
from server.auth.models import AuthToken, LoginFailure, User
from server.care.models import CareAgreement, CareHome
from server.casework.models import CaseworkPolicy, FieldReport, Relief
from server.imports.models import ImportJob
from server.notify.models import Delivery, JobRun, Notification, PushSubscription
from server.people.models import Person
from server.photos.models import VisitPhoto
from server.places.models import Place
from server.quotas.models import MonthlyCompliance, QuotaPolicy, SchedulePolicy
from server.visits.models import Visit

__all__ = [
    "Assessment",
    "Alert",
    "AlertEvent",
    "Delivery",
    "JobRun",
    "MonthlyCompliance",
    "Notification",
    "PushSubscription",
    "SchedulePolicy",
    "VolunteerActivity",
    "AuditLog",
    "AuthToken",
    "CareAgreement",
    "CareHome",
    "CaseworkPolicy",
    "FieldReport",
    "Relief",
    "ImportJob",
    "LoginFailure",
    "Person",
    "Place",
    "QuotaPolicy",
    "User",
    "Visit",
    "VisitPhoto",
    "VolunteerTeam",
    "VolunteerTeamMember",
]
