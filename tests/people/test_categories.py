"""Categories as seed 002 item 3 words them: 对独居、空巢、留守、失能、重残、计划生育特殊家庭等特殊困难老年人进行定期探访，
力争到2025年，特殊困难老年人月探访率达到100%.

计划生育特殊家庭 is a flag of its own that staff set (not 失独), and a group of its own in the 月探访率;
the groups count 老年人 only — 60 or over in the month, from the birth date (which the ID number
carries) — while the roster's own 月探访率 counts everyone."""

import csv
import io
from datetime import date, datetime

import time_machine

from tests import factories
from tests.quotas.test_quotas import visit

EN = {"Accept-Language": "en"}


def test_staff_set_the_flag_and_a_word_the_app_does_not_know_is_refused(client, session, world):
    p = factories.person(session, world.a.villages[0], name="计生户", risk_flags=["lost_only_child"])
    staff_a = factories.headers(session, world.a.staff, **EN)
    r = client.patch(f"/api/persons/{p.id}", json={"risk_flags": ["family_planning_special"]}, headers=staff_a)
    assert r.status_code == 200 and r.get_json()["risk_flags"] == ["family_planning_special"]
    session.refresh(p)
    assert p.risk_flags == ["family_planning_special"]  # 失独 was not kept for it: they are two groups
    bad = client.patch(f"/api/persons/{p.id}", json={"risk_flags": ["family_planning"]}, headers=staff_a)
    assert bad.status_code == 422 and "risk_flags" in bad.get_json()["errors"]
    assert client.patch(f"/api/persons/{p.id}", json={"risk_flags": "family_planning_special"},
                        headers=staff_a).status_code == 422
    # another township's staff and a caregiver may not
    assert client.patch(f"/api/persons/{p.id}", json={"risk_flags": []},
                        headers=factories.headers(session, world.b.staff)).status_code in (403, 404)
    assert client.patch(f"/api/persons/{p.id}", json={"risk_flags": []},
                        headers=factories.headers(session, world.a.caregiver)).status_code == 403
    session.refresh(p)
    assert p.risk_flags == ["family_planning_special"]


def test_the_groups_count_those_60_or_over_in_the_month(client, session, world):
    v = world.a.villages[1]  # a village of its own people: 甲镇2村
    cg = world.a.caregiver
    people = {
        "old": factories.person(session, v, name="计生老人", caregiver=cg, risk_flags=["family_planning_special"]),
        "sixty_on_30_nov": factories.person(session, v, name="十一月满六十", caregiver=cg, born=date(1966, 11, 30),
                                            risk_flags=["lives_alone", "family_planning_special"]),
        "sixty_on_1_dec": factories.person(session, v, name="十二月满六十", caregiver=cg, born=date(1966, 12, 1),
                                           risk_flags=["lives_alone"]),
        "young": factories.person(session, v, name="五十六岁", caregiver=cg, born=date(1970, 3, 1),
                                  level="partly_disabled", risk_flags=["severe_disability"]),
    }
    for p in people.values():
        for when in (datetime(2026, 10, 10, 10, tzinfo=factories.SH), datetime(2026, 11, 10, 10, tzinfo=factories.SH)):
            visit(session, p, cg, when=when)

    def groups(month):
        r = client.get(f"/api/visit-rates?month={month}&place_id={world.a.place.id}", headers=admin)
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert body["groups"] == ["lives_alone", "empty_nest", "left_behind", "disabled", "severe_disability",
                                  "family_planning_special"]
        row = next(c for c in body["children"] if c["place_id"] == v.id)
        return {g: (c["visited"], c["total"]) for g, c in row["groups"].items()}

    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=factories.SH), tick=False):
        admin = factories.headers(session, world.admin)  # a token of the traveller's clock
        nov, octo = groups("2026-11"), groups("2026-10")
        coverage = client.get(f"/api/coverage?month=2026-11&place_id={world.a.place.id}", headers=admin).get_json()
    # November: 计生老人 and 十一月满六十 (60 on the month's last day); 十二月满六十 and 五十六岁 not yet
    assert nov["family_planning_special"] == (2, 2)
    assert nov["lives_alone"] == (1, 1)
    assert nov["severe_disability"] == (0, 0) and nov["disabled"] == (0, 0)
    assert nov["any"] == (2, 2)
    # October: 十一月满六十 was 59
    assert octo["family_planning_special"] == (1, 1) and octo["lives_alone"] == (0, 0) and octo["any"] == (1, 1)
    # the roster's own 月探访率 counts everyone on it, whatever their age
    village = next(c for c in coverage["children"] if c["place_id"] == v.id)
    assert (village["visited"], village["active"]) == (4, 4)


def test_the_report_has_the_group_and_says_who_it_counts(client, session, world):
    p = factories.person(session, world.a.villages[0], name="计生老人", caregiver=world.a.caregiver,
                         risk_flags=["family_planning_special"])
    visit(session, p, world.a.caregiver, when=factories.now())
    admin = factories.headers(session, world.admin)
    r = client.get("/api/reports/visit-rates?format=csv", headers=admin)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    header = rows[0]
    at = header.index("计划生育特殊家庭人数")
    assert header[at:at + 3] == ["计划生育特殊家庭人数", "计划生育特殊家庭已探访", "计划生育特殊家庭探访率"]
    total = next(row for row in rows if row and row[0] == "合计")
    assert total[at:at + 3] == ["1", "1", "100%"]
    assert any("各群体只计当月满60周岁" in line[0] for line in rows if line)
    en = client.get("/api/reports/visit-rates", headers={**admin, **EN}).get_json()
    assert any("60 or over in the month" in n for n in en["notes"])
