"""Test data through the services, with traits as keyword arguments."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from server import clock
from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.auth.models import User
from server.auth.service import issue_token, make_hasher
from server.care.models import CareAgreement
from server.people import idnumber
from server.people.models import Person
from server.places import service as places
from server.places.models import Place

SH = ZoneInfo("Asia/Shanghai")  # where days and months are counted (the app's default TIMEZONE)
PASSWORD = "correct horse"
HASHER = make_hasher(time_cost=1, memory_kib=8)
_HASH = HASHER.hash(PASSWORD)
_seq = itertools.count(1)


def now() -> datetime:
    """The (frozen) instant the test runs at, in UTC."""
    return clock.now()


def today() -> date:
    """The test's day in Shanghai, as the server counts it (not the machine's UTC date)."""
    return clock.today(SH)


def place(session: Session, name: str, level: str, parent: Place | None = None) -> Place:
    return places.create(session, actor=None, name=name, level=level, parent_id=parent.id if parent else None)


def user(session: Session, role: str, home: Place, *, username: str | None = None, team: VolunteerTeam | None = None,
         active: bool = True) -> User:
    n = next(_seq)
    u = User(username=username or f"{role}{n}", password_hash=_HASH, role=role, display_name=f"{role} {n}",
             place_id=home.id, is_active=active)
    session.add(u)
    session.flush()
    if team is not None:
        session.add(VolunteerTeamMember(team_id=team.id, user_id=u.id))
        session.flush()
    return u


def id_number(born: date = date(1950, 5, 17), sex: str = "M") -> str:
    return idnumber.make("150430", born, next(_seq) % 499 + 1, sex)


# The day the tests' persons came under support (纳入日期), unless a test says otherwise: long before
# any month a test looks at, so every month's roster has them.
ENROLLED = date(2020, 1, 1)


def person(session: Session, village: Place, *, name: str = "王德明", sex: str = "M", born: date = date(1950, 5, 17),
           level: str = "self_care", caregiver: User | None = None, enrolled_on: date = ENROLLED, **extra) -> Person:
    p = Person(name=name, sex=sex, birth_date=born, id_number=id_number(born, sex), self_care_level=level,
               village_id=village.id, enrolled_on=enrolled_on, **extra)
    session.add(p)
    session.flush()
    if caregiver is not None:
        agreement(session, p, caregiver)
    return p


def agreement(session: Session, p: Person, caregiver: User, *, start: date | None = None) -> CareAgreement:
    start = start or today() - timedelta(days=30)
    a = CareAgreement(person_id=p.id, caregiver_id=caregiver.id, relation="relative", signed_on=start, start_on=start)
    session.add(a)
    session.flush()
    return a


def headers(session: Session, u: User, **extra) -> dict:
    issued = issue_token(session, user=u, ttl=timedelta(hours=1))
    session.flush()
    return {"Authorization": f"Bearer {issued.token}", **extra}


@dataclass
class Township:
    place: Place
    villages: list[Place]
    staff: User
    caregiver: User
    person: Person
    volunteer: User
    team: VolunteerTeam


@dataclass
class World:
    district: Place
    admin: User
    a: Township
    b: Township
    extra: dict = field(default_factory=dict)

    @classmethod
    def build(cls, session: Session) -> "World":
        district = place(session, "测试旗", "district")
        admin = user(session, "district_admin", district)
        a = cls._township(session, district, "甲镇", "王德明")
        b = cls._township(session, district, "乙乡", "李秀英")
        return cls(district=district, admin=admin, a=a, b=b)

    @staticmethod
    def _township(session: Session, district: Place, name: str, person_name: str) -> Township:
        t = place(session, name, "township", district)
        villages = [place(session, f"{name}{k}村", "village", t) for k in (1, 2)]
        staff = user(session, "township_staff", t)
        caregiver = user(session, "caregiver", villages[0])
        team = VolunteerTeam(name=f"{name}志愿服务队", township_id=t.id)
        session.add(team)
        session.flush()
        volunteer = user(session, "volunteer", t, team=team)
        p = person(session, villages[0], name=person_name, caregiver=caregiver, address="一组12号",
                   home_lat=42.3, home_lon=119.9, home_location_state="confirmed", risk_flags=["lives_alone"])
        return Township(place=t, villages=villages, staff=staff, caregiver=caregiver, person=p, volunteer=volunteer,
                        team=team)


def quota_policy(session: Session, level: str, **values):
    """Set a self-care level's quota policy (server/quotas/models.py QuotaPolicy) explicitly, the
    fields not given at the seeds' default; as a district admin's edit would leave it."""
    from sqlalchemy import select

    from server.quotas.models import DEFAULT_POLICY, QuotaPolicy

    month = values.pop("effective_month", "2000-01")  # from the start: every month a test looks at
    row = session.scalar(select(QuotaPolicy).where(QuotaPolicy.self_care_level == level,
                                                   QuotaPolicy.effective_month == month)) or QuotaPolicy(
        self_care_level=level, effective_month=month, **DEFAULT_POLICY)
    for key, value in {**DEFAULT_POLICY, **values}.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row


def home_visits_policy(session: Session, **per_level: tuple[int, int | None]):
    """The rule the project used to apply: only verified home visits count, ``visits`` a month and
    at most ``gap`` days apart, per level — for tests about a local rule that asks for home visits."""
    for level, (visits, gap) in per_level.items():
        quota_policy(session, level, visits_per_month=visits, max_gap_days=gap, count_phone_video=False,
                     count_remote=False)
