"""Every table, imported in one place so metadata (and Alembic) sees them all."""

from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.audit.models import AuditLog
from server.auth.models import AuthToken, LoginFailure, User
from server.care.models import CareAgreement, CareHome
from server.people.models import Person
from server.photos.models import VisitPhoto
from server.places.models import Place
from server.quotas.models import QuotaPolicy
from server.visits.models import Visit

__all__ = [
    "AuditLog",
    "AuthToken",
    "CareAgreement",
    "CareHome",
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
