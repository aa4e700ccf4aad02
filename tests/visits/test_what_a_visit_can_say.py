"""Issue 29 part 9: what a visit can say — seed 002 item 3 (及时了解老年人基本生活、安全风险、家庭赡养、
关爱保护等情况并提供有针对性的帮扶和救助措施). A home visit records 安全风险 (``safety_risk``),
家庭赡养 (``family_support``) and 关爱保护 (``care_need``) beside the observations it had; each may
be left empty, and a check-in sent without them is what it was."""

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import select

from server.alerts.models import Alert
from server.migrate import alembic_config, upgrade
from server.visits.models import Visit
from tests import factories

SEEN = {"health": "well", "safety_risk": "fall_risk", "family_support": "not_fulfilled", "care_need": "needs_company"}


def test_the_three_are_stored_and_shown_back(checkin, client, session, world):
    """Seed 002 item 3: 安全风险、家庭赡养、关爱保护 are kept on the visit and read back with its observations."""
    r = checkin.post(observations=SEEN)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["observations"] == {**dict.fromkeys(
        ("self_care_level", "hygiene", "living_environment", "food_supplies", "mood", "note")), **SEEN}
    visit = session.get(Visit, r.get_json()["id"])
    assert (visit.safety_risk, visit.family_support, visit.care_need) == ("fall_risk", "not_fulfilled", "needs_company")
    got = client.get(f"/api/visits/{visit.id}", headers=factories.headers(session, world.a.staff)).get_json()
    assert {k: got["observations"][k] for k in SEEN} == SEEN


@pytest.mark.parametrize("lang, labels", [
    ("zh-CN", {"safety_risk": ["无", "用火用电隐患", "房屋不安全", "跌倒风险"],
               "family_support": ["已履行", "部分履行", "未履行", "无赡养义务人"],
               "care_need": ["无", "需要陪伴", "需要保护"]}),
    ("en", {"safety_risk": ["None", "Fire or electrical hazard", "House unsafe", "Risk of falling"],
            "family_support": ["Fulfilled", "Partly fulfilled", "Not fulfilled", "No one obliged to support"],
            "care_need": ["None", "Needs company", "Needs protection"]}),
])
def test_the_catalogue_offers_their_choices_in_both_languages(client, lang, labels):
    """Seed 002 item 3's headings, each with the fewest choices that tell staff what to act on."""
    got = client.get("/api/visits/catalogue", headers={"Accept-Language": lang}).get_json()["observations"]
    assert {f: [c["label"] for c in got[f]] for f in labels} == labels
    assert [c["code"] for c in got["safety_risk"]] == ["none", "fire_electric", "house_unsafe", "fall_risk"]
    assert [c["code"] for c in got["family_support"]] == ["fulfilled", "partly", "not_fulfilled", "no_family"]
    assert [c["code"] for c in got["care_need"]] == ["none", "needs_company", "needs_protection"]


@pytest.mark.parametrize("field", ["safety_risk", "family_support", "care_need"])
def test_a_value_not_in_the_catalogue_is_422(checkin, session, field):
    """Seed 002 item 3: only the catalogue's codes are stored, as for the other observations."""
    r = checkin.post(observations={"health": "well", field: "volcano"})
    assert r.status_code == 422
    body = r.get_json()
    assert body["message"] and body["errors"]["observations"][field][0].startswith("Must be one of: ")
    assert session.scalar(select(sa.func.count()).select_from(Visit)) == 0


def test_a_check_in_without_them_is_as_before(checkin, session):
    """Seed 002 item 3's observations are optional: an old-style check-in is still 201, left empty."""
    r = checkin.post(observations={"health": "well", "living_environment": "clean", "mood": "good"})
    assert r.status_code == 201
    visit = session.get(Visit, r.get_json()["id"])
    assert (visit.safety_risk, visit.family_support, visit.care_need) == (None, None, None)
    assert checkin.post(mode="phone", lat=None, lon=None, accuracy_m=None).status_code == 201


def test_an_unsafe_house_is_urgent_and_staff_see_the_three_marked(checkin, client, session, world):
    """Seed 002 item 3 (提供有针对性的帮扶和救助措施): 房屋不安全 is an urgent alert to the township's staff,
    beside which the visit's 安全风险、家庭赡养、关爱保护 are shown, the concerning ones marked."""
    r = checkin.post(observations={"health": "well", "safety_risk": "house_unsafe", "family_support": "not_fulfilled",
                                   "care_need": "none"})
    alerts = {a.kind: a for a in session.scalars(select(Alert).where(Alert.person_id == world.a.person.id))}
    assert set(alerts) == {"house_unsafe"}
    alert = alerts["house_unsafe"]
    assert alert.severity == "urgent" and alert.title == "王德明的房屋不安全，需及时处置"
    assert alert.detail["safety_risk"] == "house_unsafe" and alert.detail["visit_id"] == r.get_json()["id"]
    got = client.get("/api/alerts", headers=factories.headers(session, world.a.staff)).get_json()
    seen = {o["field"]: (o["label"], o["concern"]) for o in next(a for a in got if a["id"] == alert.id)
            ["context"]["visit"]["observations"]}
    assert seen == {"health": ("良好", False), "safety_risk": ("房屋不安全", True),
                    "family_support": ("未履行", True), "care_need": ("无", False)}


@pytest.mark.parametrize("observations", [
    {"safety_risk": "fire_electric", "family_support": "not_fulfilled", "care_need": "needs_protection"},
    {"safety_risk": "fall_risk", "family_support": "no_family", "care_need": "needs_company"},
])
def test_the_other_risks_raise_nothing(checkin, session, world, observations):
    """Seed 002 item 3: only a house unsafe to live in is raised; the rest are marked beside the visit."""
    assert checkin.post(observations=observations).status_code == 201
    assert session.scalars(select(Alert).where(Alert.person_id == world.a.person.id)).all() == []


def test_the_migration_only_adds_three_nullable_columns(tmp_path):
    """Migration 0033 (seed 002 item 3) only adds three nullable columns: nothing to backfill, and down again."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url=url), "0032_festival_visitors")
    engine = sa.create_engine(url)
    assert "safety_risk" not in {c["name"] for c in sa.inspect(engine).get_columns("visit")}
    upgrade(url=url)
    columns = {c["name"]: c for c in sa.inspect(engine).get_columns("visit")}
    for name in ("safety_risk", "family_support", "care_need"):
        assert columns[name]["nullable"] and columns[name]["type"].length == 20
    command.downgrade(alembic_config(url=url), "0032_festival_visitors")
    assert not {"safety_risk", "family_support", "care_need"} & {c["name"] for c in sa.inspect(engine).get_columns("visit")}
    engine.dispose()
