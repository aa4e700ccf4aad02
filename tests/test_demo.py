"""The demo data equals seed 001's annexes, row by row."""

import sqlalchemy as sa
from sqlalchemy import func, select

from server import demo
from server.activities.models import VolunteerTeam
from server.auth.models import User
from server.auth.service import make_hasher
from server.care.models import CareAgreement, CareHome
from server.people import idnumber
from server.people.models import Person
from server.places.models import Place

# Seed 001 annex 1 (2023年8月分散供养人员分乡镇统计表), typed from the paper:
# township, people under decentralised support, fully disabled, partly disabled.
ANNEX_1 = [
    ("敖润苏莫苏木", 21, 0, 0), ("贝子府镇", 325, 1, 14), ("丰收乡", 169, 0, 13), ("古鲁板蒿镇", 161, 11, 17),
    ("黄羊洼镇", 87, 0, 7), ("惠州街道办", 16, 0, 6), ("金厂沟梁镇", 180, 3, 9), ("玛尼罕乡", 129, 1, 11),
    ("木头营子乡", 158, 0, 4), ("牛古吐镇", 261, 0, 8), ("萨力巴乡", 89, 0, 5), ("四道湾子镇", 94, 0, 12),
    ("四家子镇", 200, 1, 14), ("下洼镇", 175, 1, 0), ("新惠镇", 267, 1, 23), ("新州街道办", 14, 2, 2),
    ("兴隆洼镇", 215, 0, 18), ("长胜镇", 139, 3, 21),
]
# Seed 001 annex 2: name, beds, residents, staff.
ANNEX_2_TOTALS = {"homes": 14, "beds": 733, "residents": 341, "staff": 79}


def test_demo_matches_the_seed(session):
    logins = demo.load(session, hasher=make_hasher(time_cost=1, memory_kib=8))
    assert {role for role, _, _ in logins} == {"district_admin", "township_staff", "volunteer", "caregiver", "cadre"}

    district = session.scalar(select(Place).where(Place.name == "敖汉旗"))
    township = Place.__table__.alias("township")
    village = Place.__table__.alias("village")
    rows = session.execute(
        select(
            township.c.name,
            func.count(Person.id),
            func.sum(sa.case((Person.self_care_level == "fully_disabled", 1), else_=0)),
            func.sum(sa.case((Person.self_care_level == "partly_disabled", 1), else_=0)),
        )
        .select_from(Person)
        .join(village, village.c.id == Person.village_id)
        .join(township, township.c.id == village.c.parent_id)
        .where(township.c.parent_id == district.id, Person.support_mode == "decentralised")
        .group_by(township.c.name)
    ).all()
    assert sorted(tuple(r) for r in rows) == sorted(ANNEX_1)
    assert sum(r[1] for r in rows) == 2700
    assert sum(r[2] for r in rows) == 24 and sum(r[3] for r in rows) == 184

    # one caregiver and one active agreement per person, ID numbers well-formed and unique
    persons = session.scalars(select(Person)).all()
    assert len({p.id_number for p in persons}) == len(persons) == 2700
    assert all(idnumber.problem(p.id_number) is None for p in persons)
    assert all(idnumber.birth_date(p.id_number) == p.birth_date and idnumber.sex(p.id_number) == p.sex for p in persons)
    agreements = session.scalars(select(CareAgreement).where(CareAgreement.status == "active")).all()
    assert len(agreements) == 2700 and len({a.caregiver_id for a in agreements}) == 2700
    assert session.scalar(select(func.count()).select_from(User).where(User.role == "caregiver")) == 2700

    # a volunteer team and a staff login per township; the 14 care homes
    assert session.scalar(select(func.count()).select_from(VolunteerTeam)) == 18
    assert session.scalar(select(func.count()).select_from(User).where(User.role == "township_staff")) == 18
    homes = session.scalars(select(CareHome)).all()
    assert {"homes": len(homes), "beds": sum(h.beds for h in homes), "residents": sum(h.other_residents for h in homes),
            "staff": sum(h.staff for h in homes)} == ANNEX_2_TOTALS
    assert session.scalar(select(Place.name).join(CareHome, CareHome.place_id == Place.id)
                          .where(CareHome.name == "贝子府镇敬老院")) == "贝子府镇"

    # a year of visit history (every month the month picker offers), none in the future, most verified
    from server.clock import now as utcnow
    from server.visits.models import Visit

    visits = session.scalars(select(Visit)).all()
    assert len(visits) > 2700 * 3
    assert max(v.started_at for v in visits) <= utcnow()
    assert min(v.started_at for v in visits) >= utcnow() - __import__("datetime").timedelta(days=400)
    assert sum(v.status == "verified" for v in visits) / len(visits) > 0.85

    # loading again changes nothing
    assert demo.load(session, hasher=make_hasher(time_cost=1, memory_kib=8)) == []
    assert session.scalar(select(func.count()).select_from(Person)) == 2700


def test_scale_generates_people_under_their_own_district(engine, database_url):
    # load_scale commits through its own connections, so this test removes what it added
    before = _count(engine)
    demo.load_scale(engine, 1200, batch=500)
    try:
        with engine.connect() as conn:
            district_id = conn.scalar(sa.select(Place.id).where(Place.name == demo.SCALE_DISTRICT))
            n = conn.scalar(
                sa.select(func.count()).select_from(Person).join(Place, Place.id == Person.village_id)
                .where(Place.path.startswith(f"/{district_id}/"))
            )
            agreements = conn.scalar(sa.select(func.count()).select_from(CareAgreement)
                                     .where(CareAgreement.person_id.in_(sa.select(Person.id).where(Person.id_number.startswith("159900")))))
        assert n == 1200 and agreements == 1200
        assert _count(engine) == before + 1200
    finally:
        with engine.begin() as conn:
            ids = sa.select(Person.id).where(Person.id_number.startswith("159900"))
            conn.execute(sa.delete(CareAgreement).where(CareAgreement.person_id.in_(ids)))
            conn.execute(sa.delete(Person).where(Person.id_number.startswith("159900")))
            conn.execute(sa.delete(User).where(User.username.startswith("s"), User.role == "caregiver"))
            district_id = conn.scalar(sa.select(Place.id).where(Place.name == demo.SCALE_DISTRICT))
            for level in ("village", "township", "district"):
                conn.execute(sa.delete(Place).where(Place.path.startswith(f"/{district_id}/"), Place.level == level))


def _count(engine):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Person))


def test_the_demo_shows_every_role_and_tells_one_story(session):
    """Issue 28 (12): a cadre paired with three persons, this year's festival window open today,
    a home-service provider and mutual-aid points, persons with phone numbers; and an exception
    "outside the geofence" says the distance its own position is from the home."""
    from datetime import datetime, timezone

    import time_machine

    from server import geo
    from server.homeservices.models import AidPoint, ServiceProvider
    from server.pairing.models import Cadre, FestivalCampaign, Pairing
    from server.visits.models import Visit

    with time_machine.travel(datetime(2026, 11, 18, 2, 0, tzinfo=timezone.utc), tick=False):
        logins = demo.load(session, hasher=make_hasher(time_cost=1, memory_kib=8))
    cadre = next(username for role, username, _ in logins if role == "cadre")
    user = session.scalar(select(User).where(User.username == cadre))
    [c] = session.scalars(select(Cadre).where(Cadre.user_id == user.id)).all()
    assert session.scalar(select(func.count()).select_from(Pairing).where(Pairing.cadre_id == c.id)) == 3
    [festival] = session.scalars(select(FestivalCampaign)).all()
    assert festival.starts_on <= datetime(2026, 11, 18).date() <= festival.ends_on
    assert session.scalar(select(func.count()).select_from(ServiceProvider)) >= 1
    assert session.scalar(select(func.count()).select_from(AidPoint)) >= 1
    with_phone = session.scalar(select(func.count()).select_from(Person).where(Person.phone.is_not(None)))
    assert 0.6 < with_phone / 2700 < 0.8
    # last month's spot checks, 5% of each township's verified visits (rounded up), for staff to call back
    from server.spotchecks.models import SpotCheck
    checks = session.scalars(select(SpotCheck)).all()
    assert checks and {c.month for c in checks} == {"2026-10"} and {c.percent for c in checks} == {5}
    assert {session.get(Visit, c.visit_id).status for c in checks} == {"verified"}
    far = session.execute(select(Visit, Person).join(Person, Person.id == Visit.person_id)
                          .where(Visit.status == "exception").limit(50)).all()
    assert far
    for visit, person in far:
        actual = geo.distance_m(visit.lat, visit.lon, person.home_lat, person.home_lon)
        assert abs(actual - visit.exception_detail["distance_from_home_m"]) < 1 and 1300 < actual < 1600
