from dataclasses import dataclass

import pytest

from server.pairing.models import Cadre, PairingUnit, UnitTownship
from tests import factories


@dataclass
class Pairs:
    unit: PairingUnit
    leader: Cadre  # 区级领导
    chief: Cadre  # 处级领导
    clerk: Cadre  # 其他干部
    users: dict


def make_cadre(session, unit, district, rank, name):
    user = factories.user(session, "cadre", district)
    user.display_name, user.phone = name, f"1390000{user.id:04d}"
    session.add(user)
    cadre = Cadre(user_id=user.id, unit_id=unit.id, rank=rank)
    session.add(cadre)
    session.flush()
    return cadre, user


@pytest.fixture
def pairs(session, world):
    return make_pairs(session, world)


def make_pairs(session, world) -> Pairs:
    """A unit (区委办公室) paired with 甲镇, with a cadre of each rank of the "321" rule."""
    unit = PairingUnit(name="区委办公室、区发改委", district_id=world.district.id, leader_name="张主任",
                       leader_phone="13900001111")
    session.add(unit)
    session.flush()
    session.add(UnitTownship(unit_id=unit.id, township_id=world.a.place.id))
    session.flush()
    leader, lu = make_cadre(session, unit, world.district, "district_leader", "刘区长")
    chief, cu = make_cadre(session, unit, world.district, "division_leader", "陈处长")
    clerk, ku = make_cadre(session, unit, world.district, "other", "赵干部")
    return Pairs(unit, leader, chief, clerk, {"leader": lu, "chief": cu, "clerk": ku})


def people_of(session, village, n, prefix="对象"):
    return [factories.person(session, village, name=f"{prefix}{i}") for i in range(n)]
