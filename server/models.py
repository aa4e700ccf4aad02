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
from server.campaigns.models import CampaignFrequency, CampaignPolicy, CampaignRecord
from server.care.models import CareAgreement, CareHome, CareHomePolicy, CareResidence
from server.care.topup import CareSubsidyPolicy
from server.casework.models import CaseworkPolicy, FieldReport, Relief
from server.intake.models import IntakeApplication, IntakeObjection, IntakePolicy
from server.homeservices.models import (
    AidPoint,
    ServicePolicy,
    ServiceProvider,
    ServiceRate,
    ServiceRecord,
)
from server.imports.models import ImportJob, ImportMapping, ImportRecords
from server.notify.models import Delivery, JobRun, Notification, PushSubscription
from server.pairing.models import (
    Cadre,
    FestivalCampaign,
    FestivalPolicy,
    Pairing,
    PairingUnit,
    UnitTownship,
)
from server.people.models import Absence, Person, PersonExit
from server.photos.models import VisitPhoto
from server.places.models import Place
from server.quotas.models import (
    AgreementMonth,
    MonthAmendment,
    MonthClose,
    MonthTotals,
    PersonMonth,
    QuotaPolicy,
    SchedulePolicy,
)
from server.reviews.models import ReviewRecord
from server.spotchecks.models import SpotCheck
from server.visits.models import Visit

__all__ = [
    "AidPoint",
    "CampaignFrequency",
    "CampaignPolicy",
    "CampaignRecord",
    "ServicePolicy",
    "ServiceProvider",
    "ServiceRate",
    "ServiceRecord",
    "Assessment",
    "Alert",
    "AlertEvent",
    "Delivery",
    "JobRun",
    "AgreementMonth",
    "MonthAmendment",
    "MonthClose",
    "MonthTotals",
    "PersonMonth",
    "Notification",
    "PushSubscription",
    "SchedulePolicy",
    "VolunteerActivity",
    "AuditLog",
    "Cadre",
    "FestivalCampaign",
    "FestivalPolicy",
    "Pairing",
    "PairingUnit",
    "UnitTownship",
    "AuthToken",
    "CareAgreement",
    "CareHome",
    "CareHomePolicy",
    "CareSubsidyPolicy",
    "CareResidence",
    "CaseworkPolicy",
    "FieldReport",
    "IntakeApplication",
    "IntakeObjection",
    "IntakePolicy",
    "Relief",
    "ImportJob",
    "ImportRecords",
    "ImportMapping",
    "LoginFailure",
    "Person",
    "PersonExit",
    "Absence",
    "ReviewRecord",
    "SpotCheck",
    "Place",
    "QuotaPolicy",
    "User",
    "Visit",
    "VisitPhoto",
    "VolunteerTeam",
    "VolunteerTeamMember",
]
