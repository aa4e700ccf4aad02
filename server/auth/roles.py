"""The four roles, and the questions every domain asks about a user's role.

A "user" here is anything with a ``role`` attribute: a ``User`` row, or the read-only row
``service.user_for_token`` returns for the logged-in user.
"""

from __future__ import annotations

CAREGIVER = "caregiver"  # 日常照料服务人: signs the care agreement, checks in visits
VOLUNTEER = "volunteer"  # 志愿者 of a township volunteer team: logs team activities
TOWNSHIP_STAFF = "township_staff"  # 镇街专职人员: manages their township
DISTRICT_ADMIN = "district_admin"  # 区/旗民政局: manages everything
CADRE = "cadre"  # 干部 of a 区级部门 paired with persons (结对帮扶, seed 003): logs pairing visits

ROLES = (CAREGIVER, VOLUNTEER, TOWNSHIP_STAFF, DISTRICT_ADMIN, CADRE)
STAFF_ROLES = (TOWNSHIP_STAFF, DISTRICT_ADMIN)  # those who manage places, and who is in them
FIELD_ROLES = (CAREGIVER, VOLUNTEER)  # those who work in the villages
TEAM_ROLES = (VOLUNTEER, TOWNSHIP_STAFF, DISTRICT_ADMIN)  # those who see volunteer teams
VISITOR_ROLES = (CAREGIVER, CADRE)  # those who check in visits, and see only their own


def is_caregiver(user) -> bool:
    return user.role == CAREGIVER


def is_volunteer(user) -> bool:
    return user.role == VOLUNTEER


def is_township_staff(user) -> bool:
    return user.role == TOWNSHIP_STAFF


def is_district_admin(user) -> bool:
    return user.role == DISTRICT_ADMIN


def is_staff(user) -> bool:
    """Township staff or a district admin."""
    return user.role in STAFF_ROLES


def is_cadre(user) -> bool:
    return user.role == CADRE


def checks_in(user) -> bool:
    """A caregiver or a cadre: they check in visits, and see only the visits they made."""
    return user.role in VISITOR_ROLES
