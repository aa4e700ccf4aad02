import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.alerts.models import Alert
from server.assessments.service import ANNEX3_HEADERS
from server.people.models import Person
from tests import factories

# dates and months are counted in Shanghai: run at the instants that break date code
pytestmark = pytest.mark.clock_edges

EN = {"Accept-Language": "en"}


def form(person_id, **over):
    return {"person_id": person_id, "assessed_on": factories.today().isoformat(), "guardian_name": "王小明",
            "guardian_age": 45, "guardian_relation": "侄子", "self_care_level": "partly_disabled", "housing": "own",
            "living_environment": "fair", "quality_of_life": "fair", "care_quality": "good", "treated_promptly": True,
            "subsidy_self_controlled": True, "rights_infringed": False, "overall": "good", "remarks": "", **over}


def test_assessment_sets_the_level_and_closes_the_reassessment_task(client, session, world):
    from server.alerts.service import AlertSettings, raise_alert

    task, _ = raise_alert(session, kind="reassessment_due", township_id=world.a.place.id, person_id=world.a.person.id,
                          title="需要重新评估", dedupe_key="reassess:x", settings=AlertSettings({"urgent": 1, "normal": 1}))
    h = factories.headers(session, world.a.staff)
    r = client.post("/api/assessments", json=form(world.a.person.id), headers=h)
    assert r.status_code == 201
    session.expire_all()
    assert session.get(Person, world.a.person.id).self_care_level == "partly_disabled"
    assert session.get(Alert, task.id).status == "resolved"
    client.post("/api/assessments", json=form(world.a.person.id, overall="poor", assessed_on="2026-01-05"), headers=h)
    history = client.get(f"/api/assessments?person_id={world.a.person.id}", headers=h).get_json()
    assert [a["overall"] for a in history] == ["good", "poor"]


def test_an_overall_result_of_bad_recommends_centralised_care(client, session, world):
    r = client.post("/api/assessments", json=form(world.a.person.id, overall="bad", living_environment="dirty"),
                    headers=factories.headers(session, world.a.staff))
    assert r.status_code == 201
    alert = session.scalar(select(Alert).where(Alert.kind == "centralised_recommended"))
    assert alert.person_id == world.a.person.id and alert.detail["recommend"] == "centralised"


@pytest.mark.parametrize("over, field", [
    ({"housing": "castle"}, "housing"), ({"overall": "great"}, "overall"), ({"treated_promptly": "maybe"}, "treated_promptly"),
    ({"guardian_age": 300}, "guardian_age"), ({"assessed_on": "2026-02-30"}, "assessed_on"), ({"colour": "red"}, "colour"),
])
def test_bad_assessments(client, session, world, over, field):
    r = client.post("/api/assessments", json=form(world.a.person.id, **over),
                    headers=factories.headers(session, world.a.staff, **EN))
    assert r.status_code == 422 and field in r.get_json()["errors"]


def test_scope(client, session, world):
    assert client.post("/api/assessments", json=form(world.b.person.id),
                       headers=factories.headers(session, world.a.staff)).status_code == 403
    assert client.post("/api/assessments", json=form(world.a.person.id),
                       headers=factories.headers(session, world.a.caregiver)).status_code == 403


def test_annex3_export_as_xlsx_and_csv(client, session, world):
    h = factories.headers(session, world.a.staff)
    client.post("/api/assessments", json=form(world.a.person.id, overall="poor", remarks="屋顶漏雨"), headers=h)
    r = client.get(f"/api/assessments/export?place_id={world.a.place.id}&format=xlsx", headers=h)
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[2]) == ANNEX3_HEADERS  # under the title and 填报单位
    assert rows[3][:5] == (1, "甲镇1村", "王德明", "男", rows[3][4]) and rows[3][8] == "半失能"
    assert rows[3][13:] == ("是", "是", "否", "较差", "屋顶漏雨")
    r = client.get(f"/api/assessments/export?place_id={world.a.place.id}&format=csv", headers=h)
    text = r.data.decode("utf-8")
    assert text.startswith("\ufeff序号,村/居委会,姓名,性别,年龄") and "王德明" in text
    assert client.get(f"/api/assessments/export?place_id={world.b.place.id}", headers=h).status_code == 403
