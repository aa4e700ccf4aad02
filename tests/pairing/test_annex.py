"""Seed 003's annex, 渝中区区级部门结对帮扶困难群众一览表, rebuilt from a generated district of 12,018
people whose streets hold exactly the annex's counts."""

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import insert

from server.pairing.models import PairingUnit, UnitTownship
from server.people import idnumber
from server.people.models import Person
from tests import factories

# 序号, 区级部门, 街道, 低保对象, 特困人员（孤儿）, 特殊困难家庭建档 — as the seed prints them
ANNEX = [
    ("区委办公室、区委机要保密局、区发改委、区金融办、区招商投资局、区信访办、区医保局", "七星岗", 1508, 51, 99),
    ("区政府办、区商务委、区审计局、区统计局、区民宗委、区人民防空办、区政府外办、CBD管委会", "解放碑", 1276, 41, 135),
    ("区人大机关、区法院机关、区检察机关、区人武部机关、区妇联", "南纪门", 1320, 46, 37),
    ("区政协机关、区税务局、区城管局、区交巡警支队、区党史研究室、区文联", "上清寺", 686, 13, 109),
    ("区委党校、区文化旅游委、区市场监管局、历史文化街区管委会、区交通局、区总工会", "朝天门", 1143, 27, 65),
    ("区委政法委、区司法局、区公安分局", "化龙桥", 579, 15, 33),
    ("区委宣传部、区委直属机关工委、区科技局、区政务服务办、区经济信息委、团区委、区科协", "大溪沟", 713, 13, 80),
    ("纪委监委机关、区委统战部、区委巡察办、电创园管委会、区规划自然资源局、区工商联、区侨联", "两路口", 1273, 20, 76),
    ("区财政局、区生态环境局、区住房城市建设委、区国资委、区机关事务局", "菜园坝", 1157, 23, 57),
    ("区委组织部、区委编办、区委老干局、区人力社保局、区卫生健康委、区大数据发展局、大石化管委会", "石油路", 411, 4, 88),
    ("区教委、区民政局、区应急局、区退役军人事务局、区残联", "大坪", 801, 23, 24),
]
WELFARE_HOME = ("福利院", 8, 64, 0)  # no department; its people live in the home (集中供养)
TOTALS = (10875, 340, 803, 12018)


def build_district(session):
    district = factories.place(session, "渝中区", "district")
    rows, n = [], 0
    places = []
    for unit_name, street, dibao, tekun, hardship in ANNEX:
        township = factories.place(session, street, "township", district)
        village = factories.place(session, f"{street}社区", "village", township)
        unit = PairingUnit(name=unit_name, district_id=district.id)
        session.add(unit)
        session.flush()
        session.add(UnitTownship(unit_id=unit.id, township_id=township.id))
        places.append((village, dibao, tekun, hardship, "active"))
    home = factories.place(session, WELFARE_HOME[0], "township", district)
    places.append((factories.place(session, "福利院院内", "village", home), *WELFARE_HOME[1:], "centralised"))
    for village, *counts, status in places:
        for category, k in zip(("dibao", "tekun", "special_hardship"), counts):
            for _ in range(k):
                born = date(1940, 1, 1) + timedelta(days=n // 500)
                rows.append({"name": f"居民{n}", "sex": "M", "birth_date": born,
                             "id_number": idnumber.make("500103", born, n % 500, "M"), "self_care_level": "self_care",
                             "village_id": village.id, "assistance_category": category, "status": status,
                             "support_mode": "centralised" if status == "centralised" else "decentralised",
                             "dibao_class": "A" if category == "dibao" else None, "risk_flags": [],
                             "enrolled_on": factories.ENROLLED, "created_at": factories.now(),
                             "updated_at": factories.now()})
                n += 1
    # left out of the count: a person who died, and one who left the roster
    for status in ("deceased", "exited"):
        born = date(1930, 1, 1)
        rows.append({**rows[0], "name": status, "birth_date": born, "status": status,
                     "id_number": idnumber.make("500103", born, len(rows), "M")})
    session.execute(insert(Person), rows)
    session.flush()
    return district


def test_the_annex_adds_up_as_the_seed_prints_it(client, session):
    district = build_district(session)
    admin = factories.user(session, "district_admin", district)
    h = factories.headers(session, admin)
    report = client.get(f"/api/pairing/annex?place_id={district.id}", headers=h).get_json()
    assert report["title"] == "渝中区区级部门结对帮扶困难群众一览表"
    assert report["headers"] == ["序号", "区级部门", "街道", "低保对象", "特困人员（孤儿）", "特殊困难家庭建档", "小计"]
    body, total = report["rows"][:-1], report["rows"][-1]
    expected = [[i, unit, street, d, t, s, d + t + s] for i, (unit, street, d, t, s) in enumerate(ANNEX, start=1)]
    expected.append(["", "", "福利院", 8, 64, 0, 72])
    assert body == expected
    assert total == ["", "合计", "", *TOTALS]
    # each column adds up
    for col in range(3, 7):
        assert sum(r[col] for r in body) == total[col]

    # the same table as CSV and XLSX
    r = client.get(f"/api/pairing/annex?place_id={district.id}&format=csv", headers=h)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert table[0] == report["headers"] and table[-1] == ["", "合计", "", "10875", "340", "803", "12018"]
    r = client.get(f"/api/pairing/annex?place_id={district.id}&format=xlsx", headers=h)
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in ws[ws.max_row]][3:] == [10875, 340, 803, 12018]


def test_a_township_sees_its_own_row_and_others_are_refused(client, session, world):
    h = factories.headers(session, world.a.staff)
    report = client.get("/api/pairing/annex", headers=h).get_json()
    assert report["rows"] == [["", "", "甲镇", 0, 1, 0, 1], ["", "合计", "", 0, 1, 0, 1]]
    r = client.get(f"/api/pairing/annex?place_id={world.b.place.id}", headers=h)
    assert r.status_code == 403
    assert client.get("/api/pairing/annex", headers=factories.headers(session, world.a.caregiver)).status_code == 403


def test_a_formula_like_unit_name_is_neutralised_in_the_file(client, session, world):
    session.add(UnitTownship(unit_id=_unit(session, world, "=HYPERLINK(\"x\")").id, township_id=world.a.place.id))
    session.flush()
    h = factories.headers(session, world.admin)
    r = client.get(f"/api/pairing/annex?place_id={world.district.id}&format=csv", headers=h)
    assert "'=HYPERLINK" in r.data.decode("utf-8-sig")


def _unit(session, world, name):
    unit = PairingUnit(name=name, district_id=world.district.id)
    session.add(unit)
    session.flush()
    return unit
