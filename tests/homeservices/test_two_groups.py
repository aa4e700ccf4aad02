"""A person in two groups with different rates, and 计划生育特殊家庭 beside 失独.

Seed 002 附件2 第5项 (助浴服务): 分散供养特困老人65元/人/次；低保老年人、一二级残疾老年人、失独老年人75元/人/次 —
失独 alone of the family-planning families is named, so a 计划生育特殊家庭 that is not 失独 earns no 75 元
bath (seed 002 item 3 names it as a group of 探访关爱, not of the service list). A 特困 at home who is
also 一二级残疾 is in two groups, 65 and 75 元: no seed says which applies, the district decides in the
app; until it has, the first group listed applies (分散供养特困: 65 元), as before."""

from sqlalchemy import select

from server.audit.models import AuditLog
from tests import factories
from tests.homeservices.test_home_services import elder, provider, record  # noqa: F401  (fixture)

EN = {"Accept-Language": "en"}


def rule_of(client, h):
    r = client.get("/api/home-services/policy", headers=h)
    assert r.status_code == 200
    return r.get_json()["group_rule"]


def set_rule(client, h, rule):
    return client.put("/api/home-services/group-rule", json={"rule": rule}, headers=h)


def test_family_planning_alone_earns_no_bath_and_lost_only_child_earns_75(client, session, world, provider):
    h = factories.headers(session, world.a.staff, **EN)
    v = world.a.villages[0]
    family = elder(session, v, name="计生家庭", assistance_category="special_hardship",
                   risk_flags=["family_planning_special"])
    r = record(client, h, provider, family)
    assert r.status_code == 422 and r.get_json()["reason"] == "not_eligible"
    assert record(client, h, provider, family, service="cleaning").status_code == 422
    both = elder(session, v, name="计生失独", assistance_category="special_hardship",
                 risk_flags=["lost_only_child", "family_planning_special"])
    r = record(client, h, provider, both)
    assert r.status_code == 201 and (r.get_json()["amount"], r.get_json()["group_code"]) == (75, "lost_only_child")
    # nor can the district give 计划生育特殊家庭 a rate as if it were one of the list's groups
    admin = factories.headers(session, world.admin, **EN)
    put = client.put("/api/home-services/rates/bath/family_planning_special",
                     json={"amount": 75, "source": "x"}, headers=admin)
    assert put.status_code == 404


def test_two_groups_take_the_first_listed_until_the_district_decides(client, session, world, provider):
    staff = factories.headers(session, world.a.staff, **EN)
    admin = factories.headers(session, world.admin, **EN)
    v = world.a.villages[1]
    assert rule_of(client, staff) is None  # not decided: the screen says so
    first = elder(session, v, name="特困重残甲", risk_flags=["severe_disability"])
    r = record(client, staff, provider, first)
    assert r.status_code == 201 and (r.get_json()["amount"], r.get_json()["group_code"]) == (65, "tekun_decentralised")

    # township staff may not decide it; a rule the app does not know is refused, nothing stored
    assert set_rule(client, staff, "higher").status_code == 403
    bad = set_rule(client, admin, "average")
    assert bad.status_code == 422 and "rule" in bad.get_json()["errors"]
    assert set_rule(client, admin, None).status_code == 422
    assert client.put("/api/home-services/group-rule", json={}, headers=admin).status_code == 422
    assert rule_of(client, staff) is None

    saved = set_rule(client, admin, "higher")
    assert saved.status_code == 200 and saved.get_json()["rule"] == "higher"
    assert rule_of(client, staff)["rule"] == "higher"
    second = elder(session, v, name="特困重残乙", risk_flags=["severe_disability"])
    r = record(client, staff, provider, second)
    assert (r.get_json()["amount"], r.get_json()["group_code"]) == (75, "severe_disability")
    # a person in one group only is not touched by the rule
    plain = elder(session, v, name="特困丙")
    assert record(client, staff, provider, plain).get_json()["amount"] == 65

    assert set_rule(client, admin, "lower").status_code == 200
    third = elder(session, v, name="特困重残丁", risk_flags=["severe_disability", "lost_only_child"])
    assert record(client, staff, provider, third).get_json()["amount"] == 65
    # the district's own rate edits are what the rule compares: 重残 lowered to 60 is now the lower
    assert client.put("/api/home-services/rates/bath/severe_disability",
                      json={"amount": 60, "source": "区民政局 2026 年标准"}, headers=admin).status_code == 200
    fourth = elder(session, v, name="特困重残戊", risk_flags=["severe_disability"])
    r = record(client, staff, provider, fourth)
    assert (r.get_json()["amount"], r.get_json()["group_code"]) == (60, "severe_disability")
    # the listed order, chosen on purpose, is the 特困 rate again
    assert set_rule(client, admin, "listed").status_code == 200
    fifth = elder(session, v, name="特困重残己", risk_flags=["severe_disability"])
    assert record(client, staff, provider, fifth).get_json()["amount"] == 65

    changes = session.scalars(select(AuditLog).where(AuditLog.entity == "service_group_rule")
                              .order_by(AuditLog.id)).all()
    assert [(c.detail["before"], c.detail["rule"]) for c in changes] == [
        (None, "higher"), ("higher", "lower"), ("lower", "listed")]
