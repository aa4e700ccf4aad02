"""Subsidised home services with the seed's numbers (seed 002 附件2 items 5–7): 助浴 65 / 75 元 and
once a month, 助洁 5 元 once a month, 助乐 200 元 a session once a week at a mutual-aid point."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.homeservices.models import ServiceProvider, ServiceRecord
from server.photos.models import VisitPhoto
from tests import factories
from tests.visits.conftest import fetch, multipart, photo

EN = {"Accept-Language": "en"}


def born_aged(age: int) -> date:
    """A birth date that makes a person ``age`` today (Shanghai), whatever the day."""
    today = factories.today()
    return date(today.year - age - 1, 12, 31) if (today.month, today.day) < (12, 31) else date(today.year - age, 1, 1)


def elder(session, village, *, age=70, **extra):
    return factories.person(session, village, name=extra.pop("name", "赵老人"), born=born_aged(age), **extra)


@pytest.fixture
def provider(session, world):
    p = ServiceProvider(name="甲镇康乐助浴服务中心", township_id=world.a.place.id, services=["bath", "cleaning", "recreation"])
    session.add(p)
    session.flush()
    return p


def record(client, h, provider, person=None, service="bath", served_on=None, **over):
    body = {"service": service, "provider_id": provider.id, "served_on": (served_on or factories.today()).isoformat(),
            **({"person_id": person.id} if person else {}), **over}
    return client.post("/api/home-services/records", json=body, headers=h)


def stored(session, **where):
    return session.scalar(select(func.count()).select_from(ServiceRecord).filter_by(**where))


@pytest.mark.clock_edges
def test_a_second_subsidised_bath_in_one_month_is_refused(client, session, world, provider):
    h = factories.headers(session, world.a.staff)
    p = elder(session, world.a.villages[0], level="fully_disabled")
    first = record(client, h, provider, p)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["amount"] == 65 and first.get_json()["group_code"] == "tekun_decentralised"
    again = record(client, h, provider, p)
    assert again.status_code == 409
    assert again.get_json()["reason"] == "service_cap_month"
    assert again.get_json()["message"].startswith("本月已享受1次助浴补贴，每人每月只补贴1次")
    en = record(client, {**h, **EN}, provider, p)
    assert en.status_code == 409 and "bathing subsidy was already given 1 time(s) this month" in en.get_json()["message"]
    assert stored(session, person_id=p.id) == 1
    # the cap is a month's: a bath last month does not count against this one
    last_month = factories.today().replace(day=1) - timedelta(days=1)
    assert record(client, h, provider, p, served_on=last_month).status_code == 201
    # and 助洁 is a cap of its own
    assert record(client, h, provider, p, service="cleaning").status_code == 201


def test_the_statement_of_10_tekun_and_5_dibao_baths_is_1025_yuan(client, session, world, provider):
    h = factories.headers(session, world.a.staff)
    levels = ["self_care", "partly_disabled", "fully_disabled"]
    for k in range(10):
        p = elder(session, world.a.villages[k % 2], name=f"特困{k}", level=levels[k % 3])
        assert record(client, h, provider, p).status_code == 201
    for k in range(5):
        p = elder(session, world.a.villages[k % 2], name=f"低保{k}", assistance_category="dibao", dibao_class="A",
                  level=levels[k % 3])
        assert record(client, h, provider, p).status_code == 201
    month = factories.today().strftime("%Y-%m")
    r = client.get(f"/api/home-services/statement?month={month}", headers=h)
    assert r.status_code == 200
    report = r.get_json()
    assert report["rows"] == [
        ["甲镇", "甲镇康乐助浴服务中心", "助浴", "分散供养特困", 65, 10, 650],
        ["甲镇", "甲镇康乐助浴服务中心", "助浴", "低保", 75, 5, 375],
        ["合计", "", "", "", "", 15, 1025],
    ]
    assert report["headers"][-1] == "金额(元)"
    text = client.get(f"/api/home-services/statement?month={month}&format=csv", headers=h).data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[-1] == ["合计", "", "", "", "", "15", "1025"]
    xlsx = client.get(f"/api/home-services/statement?month={month}&format=xlsx", headers=h)
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in ws[ws.max_row]][-2:] == [15, 1025]
    # the other township's staff see none of it; the district sees it all
    other = client.get(f"/api/home-services/statement?month={month}", headers=factories.headers(session, world.b.staff))
    assert other.get_json()["rows"] == [["合计", "", "", "", "", 0, 0]]
    district = client.get(f"/api/home-services/statement?month={month}", headers=factories.headers(session, world.admin))
    assert district.get_json()["rows"][-1][-1] == 1025
    assert client.get(f"/api/home-services/statement?month={month}&place_id={world.a.place.id}",
                      headers=factories.headers(session, world.b.staff)).status_code == 403


def test_who_is_eligible_and_at_which_rate(client, session, world, provider):
    h = factories.headers(session, world.a.staff, **EN)
    v = world.a.villages[1]
    cases = [
        (elder(session, v, name="全失能特困", level="fully_disabled"), 201, 65),
        (elder(session, v, name="重残", assistance_category="special_hardship", risk_flags=["severe_disability"]), 201, 75),
        (elder(session, v, name="失独", assistance_category="special_hardship", risk_flags=["lost_only_child"]), 201, 75),
        (elder(session, v, name="低保", assistance_category="dibao"), 201, 75),
        (elder(session, v, name="未满60", age=59), 422, None),
        (elder(session, v, name="集中供养", support_mode="centralised"), 422, None),
        (elder(session, v, name="其他困难", assistance_category="special_hardship"), 422, None),
    ]
    for person, status, amount in cases:
        r = record(client, h, provider, person)
        assert r.status_code == status, (person.name, r.get_json())
        if amount:
            assert r.get_json()["amount"] == amount
        else:
            assert r.get_json()["reason"] == "not_eligible" and "not eligible for the bathing subsidy" in r.get_json()["message"]
    # 助洁 also covers everyone of 80 and over
    old = elder(session, v, name="八十岁", age=80, assistance_category="special_hardship")
    assert record(client, h, provider, old, service="bath").status_code == 422
    r = record(client, h, provider, old, service="cleaning")
    assert r.status_code == 201 and r.get_json()["amount"] == 5 and r.get_json()["group_code"] == "aged_80"


@pytest.mark.clock_edges
def test_cleaning_is_subsidised_once_a_month(client, session, world, provider):
    h = factories.headers(session, world.a.staff)
    p = elder(session, world.a.villages[0], assistance_category="dibao")
    assert record(client, h, provider, p, service="cleaning").get_json()["amount"] == 5
    again = record(client, h, provider, p, service="cleaning")
    assert again.status_code == 409 and again.get_json()["message"].startswith("本月已享受1次助洁补贴")
    assert stored(session, person_id=p.id, service="cleaning") == 1


def test_recreation_is_subsidised_once_a_week_per_mutual_aid_point(client, session, world, provider):
    h = factories.headers(session, world.a.staff)
    r = client.post("/api/home-services/points", json={"name": "一组院坝互助养老点", "village_id": world.a.villages[0].id},
                    headers=h)
    assert r.status_code == 201
    point = r.get_json()["id"]
    today = factories.today()
    monday_last_week = today - timedelta(days=today.weekday() + 7)
    first = record(client, h, provider, service="recreation", point_id=point, served_on=monday_last_week)
    assert first.status_code == 201 and first.get_json()["amount"] == 200
    same_week = record(client, h, provider, service="recreation", point_id=point,
                       served_on=monday_last_week + timedelta(days=6))
    assert same_week.status_code == 409 and same_week.get_json()["reason"] == "service_cap_week"
    assert "每周只补助1场" in same_week.get_json()["message"]
    assert record(client, h, provider, service="recreation", point_id=point,
                  served_on=monday_last_week + timedelta(days=7)).status_code == 201
    assert stored(session, service="recreation") == 2
    assert record(client, h, provider, service="recreation").status_code == 422  # no point


def test_bad_service_records_store_nothing(client, session, world, provider):
    h = factories.headers(session, world.a.staff, **EN)
    p = elder(session, world.a.villages[0])
    theirs = elder(session, world.b.villages[0], name="乙乡老人")
    their_provider = ServiceProvider(name="乙乡助浴", township_id=world.b.place.id, services=["bath"])
    only_bath = ServiceProvider(name="甲镇只助浴", township_id=world.a.place.id, services=["bath"])
    session.add_all([their_provider, only_bath])
    session.flush()
    cases = [
        (dict(person=theirs), 403),
        (dict(person=p, provider=their_provider), 403),
        (dict(person=p, provider=only_bath, service="cleaning"), 422),
        (dict(person=p, served_on=factories.today() + timedelta(days=1)), 422),
        (dict(person=p, service="massage"), 422),
        (dict(person=None), 422),
    ]
    for over, status in cases:
        args = {"provider": provider, **over}
        r = record(client, h, args.pop("provider"), args.pop("person"), **args)
        assert r.status_code == status and r.get_json()["message"], (over, r.get_json())
    r = client.post("/api/home-services/records", json={"service": "bath", "provider_id": 99999, "person_id": p.id,
                                                        "served_on": factories.today().isoformat()}, headers=h)
    assert r.status_code == 404 and r.get_json()["message"] == "Service provider not found"
    for who in (world.a.caregiver, world.a.volunteer):
        assert record(client, factories.headers(session, who), provider, p).status_code == 403
    assert stored(session) == 0


def test_a_bath_with_its_photo_is_read_by_the_township_only(client, session, world, provider):
    h = factories.headers(session, world.a.staff)
    p = elder(session, world.a.villages[0])
    fields = {"service": "bath", "provider_id": provider.id, "person_id": p.id,
              "served_on": factories.today().isoformat(), "client_id": "5a0d3c1e-1111-4b7e-9a55-6f1f3e2d9c11"}
    r = client.post("/api/home-services/records", data=multipart(fields, [photo(77)]), headers=h)
    assert r.status_code == 201, r.get_json()
    url = r.get_json()["photos"][0]["url"]
    assert fetch(client, url, h)[0] == 200
    assert fetch(client, url, factories.headers(session, world.admin))[0] == 200
    assert fetch(client, url, factories.headers(session, world.b.staff))[0] == 403
    row = session.scalar(select(VisitPhoto).where(VisitPhoto.service_record_id == r.get_json()["id"]))
    assert row is not None and row.visit_id is None
    # an outbox resend is the same record
    again = client.post("/api/home-services/records", data=multipart(fields, [photo(77)]), headers=h)
    assert again.status_code == 200 and again.get_json()["id"] == r.get_json()["id"]


def test_district_admins_set_rates_and_caps_with_their_source(client, session, world, provider):
    admin = factories.headers(session, world.admin)
    policy = client.get("/api/home-services/policy", headers=admin).get_json()
    bath = next(x for x in policy["rates"] if (x["service"], x["group_code"]) == ("bath", "tekun_decentralised"))
    assert bath["amount"] == 65 and "seed 002" in bath["source"]
    assert next(x for x in policy["policies"] if x["service"] == "recreation")["cap_period"] == "week"
    staff = factories.headers(session, world.a.staff)
    body = {"amount": 70, "eligible": True, "source": "区民政局2027年文件"}
    assert client.put("/api/home-services/rates/bath/tekun_decentralised", json=body, headers=staff).status_code == 403
    r = client.put("/api/home-services/rates/bath/tekun_decentralised", json=body, headers=admin)
    assert r.status_code == 200 and r.get_json()["amount"] == 70
    assert client.put("/api/home-services/rates/bath/mutual_aid_point", json=body, headers=admin).status_code == 422
    assert client.put("/api/home-services/rates/bath/tekun_decentralised", json={**body, "amount": -1},
                      headers=admin).status_code == 422
    r = client.put("/api/home-services/policy/bath", json={"cap_count": 2, "cap_period": "month", "min_age": 60,
                                                           "source": "区民政局2027年文件"}, headers=admin)
    assert r.status_code == 200
    p = elder(session, world.a.villages[0])
    assert [record(client, staff, provider, p).status_code for _ in range(3)] == [201, 201, 409]
    assert session.scalars(select(ServiceRecord.amount_fen).where(ServiceRecord.person_id == p.id)).all() == [7000, 7000]


def test_providers_are_registered_per_township(client, session, world):
    h = factories.headers(session, world.a.staff, **EN)
    body = {"name": "=HYPERLINK(\"http://x\")", "township_id": world.a.place.id, "services": ["bath"]}
    r = client.post("/api/home-services/providers", json=body, headers=h)
    assert r.status_code == 201
    assert client.post("/api/home-services/providers", json={**body, "township_id": world.b.place.id},
                       headers=h).status_code == 403
    assert client.post("/api/home-services/providers", json={**body, "township_id": world.a.villages[0].id},
                       headers=h).status_code == 422
    assert client.post("/api/home-services/providers", json={**body, "services": ["spa"]}, headers=h).status_code == 422
    assert [x["name"] for x in client.get("/api/home-services/providers", headers=h).get_json()] == [body["name"]]
    assert client.get("/api/home-services/providers", headers=factories.headers(session, world.b.staff)).get_json() == []
    provider = session.get(ServiceProvider, r.get_json()["id"])
    p = elder(session, world.a.villages[0])
    assert record(client, h, provider, p).status_code == 201
    text = client.get("/api/home-services/statement?format=csv", headers=h).data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][1] == "'" + body["name"]


def test_the_persons_data_export_carries_their_services_and_campaigns(client, session, world, provider):
    import json
    import zipfile

    h = factories.headers(session, world.a.staff)
    p = world.a.person
    fields = {"service": "bath", "provider_id": provider.id, "person_id": p.id, "served_on": factories.today().isoformat()}
    assert client.post("/api/home-services/records", data=multipart(fields, [photo(91)]), headers=h).status_code == 201
    assert client.post("/api/campaigns/cleanup/records", headers=h, json={
        "person_id": p.id, "done_on": factories.today().isoformat(), "items": ["home_clean"]}).status_code == 201
    r = client.get(f"/api/persons/{p.id}/data-export", headers=factories.headers(session, world.admin))
    z = zipfile.ZipFile(io.BytesIO(r.data))
    doc = json.loads(z.read("person.json"))
    [bath] = doc["home_services"]
    assert (bath["service"], bath["amount_fen"], len(bath["photos"])) == ("bath", 6500, 1)
    assert bath["photos"][0]["file"] in z.namelist()
    assert [(c["kind"], c["points"]) for c in doc["campaigns"]] == [("cleanup", 1)]


def test_a_resend_racing_the_first_is_the_same_record_not_a_409(client, session, world, provider, monkeypatch):
    """Issue 30 L7: ten resends of one record at once (same client_id) answered 9×409: each looked
    for the record before the first was stored, and the unique client_id refused their insert as
    if the cap were reached. Here the second send's look comes too early, as in the race."""
    from server.homeservices import service as homeservices

    h = factories.headers(session, world.a.staff)
    p = elder(session, world.a.villages[0])
    fields = {"service": "bath", "provider_id": provider.id, "person_id": p.id,
              "served_on": factories.today().isoformat(), "client_id": "5a0d3c1e-2222-4b7e-9a55-6f1f3e2d9c11"}
    first = client.post("/api/home-services/records", data=multipart(fields, [photo(78)]), headers=h)
    assert first.status_code == 201
    real, looks = homeservices._resent, []

    def too_early(session, actor, client_id):
        looks.append(client_id)
        return None if len(looks) == 1 else real(session, actor, client_id)

    monkeypatch.setattr(homeservices, "_resent", too_early)
    again = client.post("/api/home-services/records", data=multipart(fields, [photo(78)]), headers=h)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert len(looks) == 2
    assert stored(session) == 1
