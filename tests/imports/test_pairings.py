"""结对帮扶名册 imported the way the roster is (GB18030 CSV, merged title rows, XLSX): dry run,
apply through the pairing service, the "321" warning per row, and clear refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.auth.models import User
from server.pairing.models import Cadre, Pairing
from tests import factories
from tests.imports.conftest import make_csv, make_xlsx, upload
from tests.imports.test_imports_api import apply
from tests.pairing.conftest import make_pairs

HEADER = ["结对单位", "干部姓名", "干部手机号", "职级", "帮扶对象", "身份证号"]


@pytest.fixture
def pairs(session, world):
    return make_pairs(session, world)


def dry_run(client, headers, data, **kw):
    r = upload(client, headers, data, kind="pairings", **kw)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def row(pairs_fixture, person, *, cadre="陈处长", phone=None, rank="处级领导", unit=None):
    return [unit or pairs_fixture.unit.name, cadre, phone or pairs_fixture.users["chief"].phone, rank, person.name,
            person.id_number]


def test_a_pairing_sheet_is_planned_applied_and_warns_on_the_rule(client, session, world, pairs, staff_a):
    extra = [factories.person(session, world.a.villages[1], name=f"对象{i}") for i in range(2)]
    rows = [row(pairs, world.a.person), *(row(pairs, p) for p in extra)]
    data = make_xlsx(rows, HEADER, title="甲镇结对帮扶名册")
    result = dry_run(client, staff_a, data)
    assert result["counts"]["created"] == 3 and result["errors"] == []
    assert result["plan"][0]["cadre"] == {"name": "陈处长", "phone": pairs.users["chief"].phone,
                                          "unit": "区委办公室、区发改委", "new_login": False}
    assert result["plan"][0]["warning"] == "陈处长（处级领导）已结对3人，超过“321”原则的1–2人"
    assert result["missing"] == []  # every person of 甲镇 is in the file
    assert session.scalars(select(Pairing)).all() == []  # a dry run changes nothing
    assert apply(client, staff_a, result["id"]).status_code == 200
    assert sorted(p.person_id for p in session.scalars(select(Pairing).where(Pairing.cadre_id == pairs.chief.id))) == \
        sorted([world.a.person.id, *(p.id for p in extra)])
    # the same file again changes nothing; the export reads back as it went in
    again = dry_run(client, staff_a, make_csv(rows, HEADER), filename="结对.csv")
    assert again["counts"]["unchanged"] == 3 and again["counts"]["created"] == 0
    export = client.get("/api/imports/export?kind=pairings", headers=staff_a)
    back = dry_run(client, staff_a, export.data)
    assert back["counts"]["unchanged"] == 3 and back["errors"] == []


def test_refusals_name_the_row_and_the_column(client, session, world, pairs, staff_a):
    lonely = factories.person(session, world.a.villages[0], name="周老汉")
    rows = [
        row(pairs, world.a.person, unit="区不存在局"),
        row(pairs, world.b.person),
        [pairs.unit.name, "新干部", "13700000001", "其他干部", lonely.name, lonely.id_number],
        row(pairs, lonely, rank="区级领导"),
        [*row(pairs, lonely)[:4], "别人", lonely.id_number],
    ]
    result = dry_run(client, staff_a, make_csv(rows, HEADER), filename="结对.csv")
    errors = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert errors[(2, "结对单位")] == "系统中没有“区不存在局”这个结对单位，请区民政局先在“结对帮扶”中添加"
    assert errors[(3, "身份证号")] == "该人员不在甲镇，只能结对本街道（乡镇）的人员"
    assert errors[(4, "干部手机号")] == "手机号13700000001还没有结对干部账号，请区民政局先在“结对帮扶”中添加该干部"
    assert errors[(5, "职级")] == "职级与系统中不符（系统中为处级领导）"
    assert errors[(6, "帮扶对象")] == "姓名与身份证号不符（系统中为“周老汉”）"
    assert result["counts"]["created"] == 0
    assert client.post(f"/api/imports/{result['id']}/apply", headers=staff_a).status_code == 409


def test_a_district_admin_brings_in_new_cadres_with_logins(client, session, world, pairs):
    h = factories.headers(session, world.admin)
    rows = [[pairs.unit.name, "吴科员", "13700000002", "其他干部", world.a.person.name, world.a.person.id_number]]
    result = dry_run(client, h, make_xlsx(rows, HEADER), place_id=world.a.place.id)
    assert result["errors"] == [] and result["plan"][0]["cadre"]["new_login"] is True
    body = apply(client, h, result["id"]).get_json()
    assert [(x["username"], x["role"], x["persons"]) for x in body["logins"]] == [("13700000002", "cadre", ["王德明"])]
    user = session.scalar(select(User).where(User.username == "13700000002"))
    cadre = session.scalar(select(Cadre).where(Cadre.user_id == user.id))
    assert user.role == "cadre" and user.must_change_password and cadre.rank == "other"
    assert session.scalar(select(Pairing).where(Pairing.cadre_id == cadre.id)).person_id == world.a.person.id



def test_the_template_has_the_columns_and_the_rank_list(client, session, world, staff_a):
    import io

    from openpyxl import load_workbook

    r = client.get("/api/imports/template?kind=pairings", headers=staff_a)
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).worksheets[0]
    assert ws.title == "结对帮扶名册"
    assert [c.value for c in ws[1]] == ["结对单位", "干部姓名", "干部手机号", "职级", "帮扶对象", "公民身份号码"]
    assert [c.value for c in ws[2]][3] == "处级领导"
    assert [dv.formula1 for dv in ws.data_validations.dataValidation] == ['"区级领导,处级领导,其他干部"']
