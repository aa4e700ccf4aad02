"""Demo data built from seed 001's annexes (Aohan banner, August 2023).

Annex 1 gives the people under decentralised support per township, with the fully
and partly disabled among them; annex 2 the 14 public care homes. Everything else
(villages, names, birth dates, caregivers, coordinates) is generated, plausible and
deterministic for a given seed. ID numbers are well-formed but belong to no one:
their sequence digits are drawn from a range the demo keeps to itself.
"""

from __future__ import annotations

import csv
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
import sqlalchemy as sa
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from server import clock, geo
from server.activities.models import VolunteerTeam, VolunteerTeamMember
from server.auth.models import User
from server.auth.roles import CAREGIVER, DISTRICT_ADMIN, TOWNSHIP_STAFF, VOLUNTEER
from server.care.models import CareAgreement, CareHome
from server.people import idnumber
from server.people.models import Person
from server.places import service as places
from server.places.models import Place

DATA = Path(__file__).parent / "data"
DISTRICT = "敖汉旗"
DISTRICT_CODE = "150430"
DEMO_PASSWORD = "zhaoying2023"
# Aohan banner's seat, Xinhui (新惠镇), WGS-84.
CENTRE = (42.29, 119.92)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文包乌宝"
GIVEN_M = ["德明", "振华", "国庆", "海山", "玉林", "宝山", "永福", "文学", "金才", "长青", "志刚", "树林", "福田",
           "建国", "凤山", "喜春", "老五", "广才", "立新", "万有", "巴特尔", "那顺", "吉日嘎拉", "守义", "占春"]
GIVEN_F = ["秀英", "桂兰", "玉兰", "淑珍", "凤英", "秀兰", "桂英", "玉珍", "素芬", "春花", "翠华", "兰英", "金花",
           "桂芝", "秀珍", "荣华", "乌云", "其其格", "玉梅", "凤琴", "丽华", "淑英", "桂香", "美兰", "银凤"]
VILLAGE_HEADS = ["东", "西", "南", "北", "前", "后", "大", "小", "上", "下", "新", "老", "二道", "三道", "四家", "五家",
                 "七家", "双井", "石门", "白家", "王家", "李家", "张家", "刘家", "马家", "杨树", "榆树", "柳条", "黄花",
                 "红山", "金沟", "水泉", "敖包", "哈拉", "房申", "萨力", "扎赛"]
VILLAGE_TAILS = ["营子村", "沟村", "湾村", "窝铺村", "井村", "山村", "台村", "店村", "甸子村", "杖子村", "梁村", "洼村"]
TEAM_KINDS = ["youth_league", "womens_federation", "disability_federation", "party_members", "grid_workers"]


@dataclass(frozen=True)
class TownshipRow:
    seq: int
    name: str
    total: int
    fully_disabled: int
    partly_disabled: int


def annex1() -> list[TownshipRow]:
    with open(DATA / "aohan-2023-08-decentralised-by-township.csv", encoding="utf-8") as f:
        return [
            TownshipRow(int(r["seq"]), r["township"], int(r["decentralised_total"]), int(r["fully_disabled"]),
                        int(r["partly_disabled"]))
            for r in csv.DictReader(f)
        ]


def annex2() -> list[dict]:
    with open(DATA / "aohan-2023-08-care-homes.csv", encoding="utf-8") as f:
        return [
            # annex 2's 现入住老人数: none of them on the demo roster, so all are kept as residents not on it
            {"seq": int(r["seq"]), "name": r["name"], "beds": int(r["beds"]), "other_residents": int(r["residents"]),
             "staff": int(r["staff"])}
            for r in csv.DictReader(f)
        ]


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used_ids: set[str] = set()
        self.phone = 13900000000 + rng.randrange(1_000_000)

    def person(self, sex: str) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_M if sex == "M" else GIVEN_F)

    def id_number(self, born: date, sex: str) -> str:
        while True:
            # sequences 400–499 are kept for the demo (see the module docstring)
            number = idnumber.make(DISTRICT_CODE, born, 400 + self.rng.randrange(100), sex)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def next_phone(self) -> str:
        self.phone += 1 + self.rng.randrange(7)
        return str(self.phone)


def _villages(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(VILLAGE_HEADS) + rng.choice(VILLAGE_TAILS)
        if name not in names:
            names.append(name)
    return names


def _offset(rng: random.Random, centre: tuple[float, float], spread: float) -> tuple[float, float]:
    return (round(centre[0] + rng.uniform(-spread, spread), 6), round(centre[1] + rng.uniform(-spread, spread), 6))


def _birth(rng: random.Random, level: str) -> date:
    # Mostly elderly; a share of the disabled are younger adults with a severe disability.
    if level != "self_care" and rng.random() < 0.3:
        years = rng.randint(25, 59)
    else:
        years = rng.randint(60, 95)
    return date(2023, 8, 1) - timedelta(days=years * 365 + rng.randrange(365))


def load(session: Session, *, hasher: PasswordHasher, seed: int = 2023) -> list[tuple[str, str, str]]:
    """Load the demo; returns the logins to show (role, username, name), or [] if already loaded."""
    if session.scalar(select(Place.id).where(Place.name == DISTRICT, Place.parent_id.is_(None))) is not None:
        return []
    rng = random.Random(seed)
    names = _Names(rng)
    password_hash = hasher.hash(DEMO_PASSWORD)  # one hash for every demo login keeps loading fast
    logins: list[tuple[str, str, str]] = []

    district = places.create(session, actor=None, name=DISTRICT, level="district", code=DISTRICT_CODE)
    admin = User(username="admin", password_hash=password_hash, role=DISTRICT_ADMIN, display_name="敖汉旗民政局",
                 place_id=district.id)
    session.add(admin)
    logins.append((DISTRICT_ADMIN, "admin", admin.display_name))

    townships: dict[str, Place] = {}
    signed = date(2023, 9, 20)
    for row in annex1():
        centre = _offset(rng, CENTRE, 0.45)
        township = places.create(session, actor=None, name=row.name, level="township", parent_id=district.id)
        townships[row.name] = township
        staff = User(username=f"staff{row.seq:02d}", password_hash=password_hash, role=TOWNSHIP_STAFF,
                     display_name=f"{row.name}民政专干", phone=names.next_phone(), place_id=township.id)
        session.add(staff)
        if row.seq <= 2:
            logins.append((TOWNSHIP_STAFF, staff.username, staff.display_name))

        village_count = max(2, min(12, row.total // 20))
        villages = []
        for vname in _villages(rng, village_count):
            village = places.create(session, actor=None, name=vname, level="village", parent_id=township.id)
            villages.append((village, _offset(rng, centre, 0.08)))
        session.flush()

        team = VolunteerTeam(name=f"{row.name}志愿服务队", kind=rng.choice(TEAM_KINDS), township_id=township.id)
        session.add(team)
        session.flush()
        for k in range(1, 4):
            volunteer = User(username=f"vol{row.seq:02d}{k}", password_hash=password_hash, role=VOLUNTEER,
                             display_name=names.person(rng.choice("MF")), phone=names.next_phone(),
                             place_id=township.id)
            session.add(volunteer)
            session.flush()
            session.add(VolunteerTeamMember(team_id=team.id, user_id=volunteer.id))
            if row.seq == 1 and k == 1:
                logins.append((VOLUNTEER, volunteer.username, volunteer.display_name))

        levels = (["fully_disabled"] * row.fully_disabled + ["partly_disabled"] * row.partly_disabled
                  + ["self_care"] * (row.total - row.fully_disabled - row.partly_disabled))
        for i, level in enumerate(levels):
            village, vcentre = villages[i % len(villages)]
            sex = "M" if rng.random() < 0.62 else "F"
            born = _birth(rng, level)
            flags = []
            if rng.random() < 0.6:
                flags.append("lives_alone")
            if rng.random() < 0.05:
                flags.append("mental_illness")
            if level == "fully_disabled" or (level == "partly_disabled" and rng.random() < 0.4):
                flags.append("severe_disability")
            if i % 40 == 7:  # a few 计划生育特殊家庭 (seed 002 item 3), without drawing from rng (the demo stays the same)
                flags.append("family_planning_special")
            lat, lon = _offset(rng, vcentre, 0.006)
            # 纳入日期: before the agreements of September 2023 (seed 001's roster is of August 2023)
            enrolled = date(2019, 1, 1) + timedelta(days=rng.randrange(4 * 365))
            person = Person(name=names.person(sex), sex=sex, birth_date=born, id_number=names.id_number(born, sex),
                            self_care_level=level, risk_flags=flags, village_id=village.id, enrolled_on=enrolled,
                            address=f"{row.name}{village.name}{rng.randint(1, 120)}号", home_lat=lat, home_lon=lon,
                            home_location_state="confirmed")
            csex = rng.choice("MF")
            caregiver = User(username=names.next_phone(), password_hash=password_hash, role=CAREGIVER,
                             display_name=names.person(csex), place_id=village.id)
            caregiver.phone = caregiver.username
            session.add_all([person, caregiver])
            session.flush()
            relation = rng.choices(["relative", "neighbour", "dibao_member"], [5, 4, 1])[0]
            day = signed - timedelta(days=rng.randrange(15))
            session.add(CareAgreement(person_id=person.id, caregiver_id=caregiver.id, relation=relation,
                                      signed_on=day, start_on=day, created_by=None))
            if row.seq == 1 and i == 0:
                logins.append((CAREGIVER, caregiver.username, caregiver.display_name))

    _visit_history(session, rng, now=clock.now())
    _every_role(session, random.Random(seed + 1), district=district, townships=townships, admin=admin,
                password_hash=password_hash, logins=logins, today=clock.today(ZONE, clock.now()))

    for home in annex2():
        place = next((t for name, t in townships.items() if name in home["name"]), district)
        session.add(CareHome(place_id=place.id, **home))
    session.flush()
    return logins


ZONE = ZoneInfo("Asia/Shanghai")
DESK_TOWNSHIP = "新惠镇"  # staff15's: the cadre's pairings, a service provider and mutual-aid points are here


def _every_role(session: Session, rng: random.Random, *, district: Place, townships: dict[str, Place], admin: User,
                password_hash: str, logins: list, today: date) -> None:
    """What every role's screens need to show something (issue 28 problem 12): persons with phone
    numbers, a cadre paired with three persons of 新惠镇 (结对帮扶, seed 003), this year's festival
    window open today, a home-service provider and mutual-aid points, last month's spot checks. Drawn from its own random
    stream, so the roster, the villages and the visits stay what they were."""
    from server.homeservices.models import AidPoint, ServiceProvider
    from server.pairing.models import Cadre, FestivalCampaign, Pairing, PairingUnit, UnitTownship

    # phone numbers for most persons (the call button on the caregiver's and the staff's screens)
    ids = session.scalars(select(Person.id).order_by(Person.id)).all()
    session.execute(Person.__table__.update().where(Person.id == sa.bindparam("pid")).values(phone=sa.bindparam("phone")),
                    [{"pid": pid, "phone": f"135{rng.randrange(10 ** 8):08d}"} for pid in ids if rng.random() < 0.7])
    town = townships[DESK_TOWNSHIP]
    unit = PairingUnit(name="敖汉旗民政局", district_id=district.id, leader_name="孙国强", leader_phone="0476-4321000")
    session.add(unit)
    session.flush()
    session.add(UnitTownship(unit_id=unit.id, township_id=town.id))
    cadre_user = User(username="13700000001", password_hash=password_hash, role="cadre", display_name="钱志刚",
                      phone="13700000001", place_id=district.id)
    session.add(cadre_user)
    session.flush()
    cadre = Cadre(user_id=cadre_user.id, unit_id=unit.id, rank="other")
    session.add(cadre)
    session.flush()
    village_ids = select(Place.id).where(Place.parent_id == town.id)
    for pid in session.scalars(select(Person.id).where(Person.village_id.in_(village_ids)).order_by(Person.id).limit(3)):
        session.add(Pairing(cadre_id=cadre.id, person_id=pid, started_on=today - timedelta(days=30), created_by=admin.id))
    logins.append(("cadre", cadre_user.username, cadre_user.display_name))
    # this year's festival visits, open today (the district sets the window each year)
    session.add(FestivalCampaign(year=today.year, festival="spring", starts_on=today - timedelta(days=3),
                                 ends_on=today + timedelta(days=14), created_by=admin.id))
    # 居家养老服务: a provider of the township, and a mutual-aid point in two of its villages
    session.add(ServiceProvider(name=f"{DESK_TOWNSHIP}居家养老服务中心", township_id=town.id, phone="0476-4332100",
                                services=["bath", "cleaning", "recreation"]))
    for village in session.scalars(select(Place).where(Place.parent_id == town.id).order_by(Place.id).limit(2)):
        session.add(AidPoint(name=f"{village.name}互助养老点", village_id=village.id, township_id=town.id))
    session.flush()
    # last month's spot checks (重点抽查), drawn as the job on the 1st would, for staff to call back
    from server.spotchecks import service as spotchecks
    from server.timeutil import month_before

    year, month = month_before(today.year, today.month)
    spotchecks.draw(session, year=year, month=month, zone=ZONE, now=clock.now())


# how often the demo's caregivers happen to visit (demo data, not a policy: see server/quotas/models.py)
QUOTAS = {"self_care": 2, "partly_disabled": 4, "fully_disabled": 8}
DEMO_SERVICES = {"self_care": ["home_cleaning", "personal_hygiene", "regular_meals"],
                 "partly_disabled": ["home_cleaning", "help_eating", "medication", "washing"],
                 "fully_disabled": ["help_eating", "medication", "dressing", "washing", "toileting"]}


FAR = 0.013  # degrees of latitude: about 1,450 m (a demo visit outside the geofence)
HISTORY_MONTHS = 13  # a year of visits and the live month: every month the month picker offers


def _visit_history(session: Session, rng: random.Random, *, now) -> None:
    """A year of visits up to now: most people visited about as often as their quota asks, some
    less, a few not at all this month; most verified, some with exceptions."""
    from zoneinfo import ZoneInfo

    from server.timeutil import month_before
    from server.visits.models import Visit

    zone = ZoneInfo("Asia/Shanghai")
    local_now = now.astimezone(zone)
    rows = session.execute(
        select(Person.id, Person.self_care_level, Person.home_lat, Person.home_lon, CareAgreement.id,
               CareAgreement.caregiver_id)
        .join(CareAgreement, CareAgreement.person_id == Person.id)
    ).all()
    visits = []
    for person_id, level, lat, lon, agreement_id, caregiver_id in rows:
        neglected = rng.random() < 0.08
        for back in range(HISTORY_MONTHS - 1, -1, -1):
            y, m = local_now.year, local_now.month
            for _ in range(back):
                y, m = month_before(y, m)
            month_start = local_now.replace(year=y, month=m, day=1, hour=0, minute=0, second=0, microsecond=0)
            span = (local_now - month_start).days if back == 0 else 28
            if span < 1:
                continue
            wanted = QUOTAS[level] * (span / 30 if back == 0 else 1)
            count = 0 if (neglected and back == 0) else max(0, round(wanted * rng.uniform(0.5, 1.25)))
            for _ in range(count):
                start = month_start + timedelta(days=rng.uniform(0, span), hours=rng.uniform(-5, 5))
                start = min(start, local_now - timedelta(hours=1)).replace(hour=rng.randint(8, 17))
                if start > local_now:
                    continue
                roll = rng.random()
                status, exceptions = ("verified", [])
                if roll < 0.05:
                    status, exceptions = "exception", ["outside_geofence"]
                elif roll < 0.07:
                    status, exceptions = "accepted", ["no_gps"]
                minutes = rng.randint(15, 70)
                at_lat = lat + rng.uniform(-0.0004, 0.0004) if "no_gps" not in exceptions else None
                at_lon = lon + rng.uniform(-0.0004, 0.0004) if "no_gps" not in exceptions else None
                if "outside_geofence" in exceptions:
                    at_lat += FAR  # recorded about 1.4 km from the home: what the exception says, and the map
                visits.append({
                    "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "person_id": person_id,
                    "caregiver_id": caregiver_id, "agreement_id": agreement_id, "mode": "home",
                    "started_at": start.astimezone(timezone.utc),
                    "ended_at": (start + timedelta(minutes=minutes)).astimezone(timezone.utc),
                    "lat": at_lat, "lon": at_lon,
                    "accuracy_m": rng.choice([8, 12, 15, 25, 40]) if "no_gps" not in exceptions else None,
                    "coord_system": "wgs84", "services": DEMO_SERVICES[level][: rng.randint(1, 3)],
                    "received_at": (start + timedelta(minutes=minutes + 2)).astimezone(timezone.utc),
                    "status": status, "exceptions": exceptions,
                    "exception_detail": {"distance_from_home_m": round(geo.distance_m(at_lat, at_lon, lat, lon), 1)}
                    if "outside_geofence" in exceptions else {},
                    "content_hash": "demo", "health": rng.choice(["well"] * 8 + ["unwell", "needs_doctor"]),
                    "living_environment": rng.choice(["clean"] * 5 + ["fair"] * 3 + ["dirty"]),
                    "mood": rng.choice(["good", "good", "fair", "low"]),
                })
    if visits:
        session.execute(Visit.__table__.insert(), visits)


SCALE_DISTRICT = "规模测试区"


def load_scale(engine: Engine, n: int, *, seed: int = 2023, batch: int = 5000, progress=None) -> None:
    """Add ``n`` generated people (each with a caregiver and an agreement) under a district of
    their own, so the seed's figures stay exact. Batched core inserts: 1 M people take minutes."""
    from server.auth.service import make_hasher

    rng = random.Random(seed)
    password_hash = make_hasher(time_cost=1, memory_kib=8).hash(DEMO_PASSWORD)
    with Session(engine) as session:
        district = session.scalar(select(Place).where(Place.name == SCALE_DISTRICT, Place.parent_id.is_(None)))
        if district is None:
            district = places.create(session, actor=None, name=SCALE_DISTRICT, level="district", code="159900")
        townships = []
        for t in range(20):
            townships.append(places.create(session, actor=None, name=f"规模{len(townships) + 1}镇", level="township",
                                           parent_id=district.id))
        villages = [places.create(session, actor=None, name=f"第{v + 1}村", level="village", parent_id=t.id).id
                    for t in townships for v in range(50)]
        start = session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) or 0
        session.commit()

    now = clock.now()
    levels = ["self_care"] * 8 + ["partly_disabled"] + ["fully_disabled"]
    base = date(1935, 1, 1)
    bar = progress(length=n, label="generating people") if progress else None
    done = 0
    with engine.begin() as conn:
        if bar:
            bar.__enter__()
        try:
            while done < n:
                size = min(batch, n - done)
                persons, users = [], []
                for k in range(done, done + size):
                    serial = start + k
                    sex = "M" if k % 3 else "F"
                    born = base + timedelta(days=(serial // 499) % 18000)
                    persons.append({
                        "name": rng.choice(SURNAMES) + rng.choice(GIVEN_M if sex == "M" else GIVEN_F),
                        "sex": sex, "birth_date": born,
                        "id_number": idnumber.make("159900", born, serial % 499 + 1, sex),
                        "support_mode": "decentralised", "self_care_level": levels[k % 10], "risk_flags": [],
                        "status": "active", "village_id": villages[k % len(villages)],
                        "enrolled_on": date(2023, 12, 1), "created_at": now, "updated_at": now,
                    })
                    users.append({"username": f"s{serial}", "password_hash": password_hash, "role": CAREGIVER,
                                  "display_name": "照料人", "place_id": villages[k % len(villages)],
                                  "is_active": True, "failed_logins": 0, "created_at": now})
                pids = conn.execute(insert(Person).returning(Person.id, sort_by_parameter_order=True), persons).scalars().all()
                uids = conn.execute(insert(User).returning(User.id, sort_by_parameter_order=True), users).scalars().all()
                conn.execute(insert(CareAgreement), [
                    {"person_id": p, "caregiver_id": u, "relation": "relative", "signed_on": date(2024, 1, 1),
                     "start_on": date(2024, 1, 1), "status": "active", "created_at": now}
                    for p, u in zip(pids, uids)
                ])
                done += size
                if bar:
                    bar.update(size)
        finally:
            if bar:
                bar.__exit__(None, None, None)
