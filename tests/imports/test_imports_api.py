"""The dry run, then apply: through the API, on the `world` of two townships."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import date, timedelta

from argon2.exceptions import VerifyMismatchError
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from server.audit.models import AuditLog
from server.auth import service as auth_service
from server.auth.models import User
from server.care.models import CareAgreement
from server.imports.models import ImportJob, ImportRecords
from server.people.models import Person
from tests import factories
from tests.imports.conftest import ident, make_csv, make_xlsx, person_row, upload, walk

V1, V2 = "甲镇1村", "甲镇2村"


def roster(n=3):
    return [person_row(k, V1 if k % 2 else V2, level=("全自理", "半失能", "全失能")[k % 3]) for k in range(1, n + 1)]


def dry_run(client, headers, data, **kw):
    r = upload(client, headers, data, **kw)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def apply(client, headers, job_id, **kw):
    return client.post(f"/api/imports/{job_id}/apply", headers=headers, **kw)


def persons_of(session, ids):
    return {p.id_number: p for p in session.scalars(select(Person).where(Person.id_number.in_(ids)))}


def test_dry_run_changes_nothing_and_apply_does_it_once(client, session, world, staff_a):
    data = make_xlsx(roster(3))
    before = session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1))
    result = dry_run(client, staff_a, data)
    assert result["status"] == "dry_run" and result["township"]["name"] == "甲镇"
    assert result["counts"] == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0, "error_rows": 0}
    assert [p["action"] for p in result["plan"]] == ["create"] * 3
    assert result["plan"][0]["row"] == 2 and result["plan"][0]["id_number_masked"] == "150431********" + ident(1)[-4:]
    assert result["plan"][0]["caregiver"] == {"name": "照料人1", "phone": "13900000001", "new_login": True}
    assert result["plan"][0]["agreement"] == "sign"
    assert [m["name"] for m in result["missing"]] == ["王德明"]  # listed, never deleted
    assert session.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) == before
    assert client.get(f"/api/imports/{result['id']}", headers=staff_a).get_json()["counts"]["created"] == 3

    r = apply(client, staff_a, result["id"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "applied" and body["applied_counts"] == {"created": 3, "updated": 0, "unchanged": 0}
    logins = {x["username"]: x for x in body["logins"]}
    assert set(logins) == {"13900000001", "13900000002", "13900000003"}
    assert logins["13900000001"]["persons"] == ["人员1"] and len(logins["13900000001"]["one_time_password"]) == 8
    user = session.scalar(select(User).where(User.username == "13900000001"))
    assert user.role == "caregiver" and user.must_change_password and user.phone == "13900000001"
    assert factories.HASHER.verify(user.password_hash, logins["13900000001"]["one_time_password"])
    created = persons_of(session, [ident(k) for k in (1, 2, 3)])
    assert created[ident(2)].self_care_level == "fully_disabled" and created[ident(2)].village_id == world.a.villages[1].id
    agreement = session.scalar(select(CareAgreement).where(CareAgreement.person_id == created[ident(1)].id))
    assert (agreement.caregiver_id, agreement.relation, agreement.signed_on) == (user.id, "relative", date(2023, 5, 1))
    # the passwords are shown once: the stored import keeps none of them
    stored = client.get(f"/api/imports/{result['id']}", headers=staff_a).get_json()
    assert stored["status"] == "applied" and "logins" not in stored
    assert logins["13900000001"]["one_time_password"] not in str(session.get(ImportJob, result["id"]).result)
    # the audit row: who, and the file's SHA-256 with the counts
    row = session.scalar(select(AuditLog).where(AuditLog.entity == "import"))
    assert row.user_id == world.a.staff.id and row.entity_id == result["id"]
    assert row.detail["sha256"] == hashlib.sha256(data).hexdigest() and row.detail["created"] == 3
    # creation went through the person service: each person has its own audit row
    assert session.scalar(select(AuditLog.id).where(AuditLog.entity == "person", AuditLog.action == "create",
                                                    AuditLog.person_id == created[ident(3)].id))
    # applied once only
    assert apply(client, staff_a, result["id"]).status_code == 409
    # the checked records kept for the apply are gone
    assert session.get(ImportRecords, result["id"]) is None

    # the same file again changes nothing
    again = dry_run(client, staff_a, data)
    assert again["counts"]["unchanged"] == 3 and again["counts"]["created"] == again["counts"]["updated"] == 0
    r = apply(client, staff_a, again["id"])
    assert r.status_code == 200 and r.get_json()["logins"] == []


def test_changed_rows_update_and_a_new_caregiver_replaces_the_agreement(client, session, world, staff_a):
    apply(client, staff_a, dry_run(client, staff_a, make_xlsx(roster(2)))["id"])
    rows = roster(2)
    rows[0][4] = "二组8号"  # address
    rows[0][5] = "全失能"  # 半失能 → 全失能
    rows[1][7], rows[1][8], rows[1][9] = "新照料人", "13700000009", "邻居"
    result = dry_run(client, staff_a, make_xlsx(rows))
    assert result["counts"]["updated"] == 2
    assert result["plan"][0]["changes"] == {"address": {"column": "住址", "from": "一组1号", "to": "二组8号"},
                                            "self_care_level": {"column": "自理能力", "from": "半失能", "to": "全失能"}}
    assert result["plan"][1]["agreement"] == "replace" and result["plan"][1]["caregiver"]["new_login"]
    r = apply(client, staff_a, result["id"])
    assert r.status_code == 200, r.get_json()
    people = persons_of(session, [ident(1), ident(2)])
    assert people[ident(1)].address == "二组8号" and people[ident(1)].self_care_level == "fully_disabled"
    update = session.scalar(select(AuditLog).where(AuditLog.entity == "person", AuditLog.action == "update",
                                                   AuditLog.person_id == people[ident(1)].id))
    assert update.detail == {"fields": ["address", "self_care_level"]}
    agreements = list(session.scalars(select(CareAgreement).where(CareAgreement.person_id == people[ident(2)].id)
                                      .order_by(CareAgreement.id)))
    assert [a.status for a in agreements] == ["ended", "active"]
    assert agreements[1].relation == "neighbour" and agreements[0].end_on == factories.today()
    assert [x["username"] for x in r.get_json()["logins"]] == ["13700000009"]


def test_export_then_import_changes_nothing(client, session, world, staff_a):
    world.a.caregiver.phone = "13600000001"
    session.add(world.a.caregiver)
    session.flush()
    apply(client, staff_a, dry_run(client, staff_a, make_xlsx(roster(4)))["id"])
    r = client.get(f"/api/imports/export?kind=persons&place_id={world.a.place.id}", headers=staff_a)
    assert r.status_code == 200 and r.mimetype.endswith("sheet")
    ws = load_workbook(io.BytesIO(r.data)).worksheets[0]
    assert [c.value for c in ws[1]][:4] == ["姓名", "性别", "公民身份号码", "出生日期"]
    assert ws.max_row == 6  # header + world's person + 4
    result = dry_run(client, staff_a, r.data)
    assert result["errors"] == []
    assert result["counts"]["unchanged"] == 5 and result["counts"]["created"] == result["counts"]["updated"] == 0
    assert result["missing"] == []


def test_export_neutralises_formulas(client, session, world, staff_a):
    world.a.person.address = "=HYPERLINK(\"http://x\")"
    session.add(world.a.person)
    session.flush()
    r = client.get("/api/imports/export", headers=staff_a)
    ws = load_workbook(io.BytesIO(r.data)).worksheets[0]
    cell = ws.cell(row=2, column=6)
    assert cell.value == "'=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def test_data_changed_since_the_dry_run_is_refused(client, session, world, staff_a):
    apply(client, staff_a, dry_run(client, staff_a, make_xlsx(roster(2)))["id"])
    rows = roster(2)
    rows[0][4] = "三组1号"
    result = dry_run(client, staff_a, make_xlsx(rows))
    person = persons_of(session, [ident(1)])[ident(1)]
    person.address = "别人刚改的"
    person.updated_at = factories.now()
    session.add(person)
    session.flush()
    r = apply(client, staff_a, result["id"])
    assert r.status_code == 409 and r.get_json()["reason"] == "import_stale"
    assert "变化" in r.get_json()["message"]
    assert persons_of(session, [ident(1)])[ident(1)].address == "别人刚改的"


def test_a_file_with_errors_is_never_applied(client, session, world, staff_a):
    rows = roster(2)
    rows[1][2] = rows[1][2][:-1] + ("0" if rows[1][2][-1] != "0" else "1")
    result = dry_run(client, staff_a, make_xlsx(rows))
    assert result["counts"]["errors"] == 1 and result["counts"]["created"] == 1
    r = apply(client, staff_a, result["id"])
    assert r.status_code == 409 and r.get_json()["reason"] == "import_has_errors"
    assert not persons_of(session, [ident(1)])
    assert session.get(ImportRecords, result["id"]) is None  # nothing of it kept


def errors_of(client, headers, rows, **kw):
    return dry_run(client, headers, make_xlsx(rows), **kw)["errors"]


def test_row_errors_name_the_row_the_column_and_the_problem(client, session, world, staff_a):
    bad_check = ident(1)[:-1] + ("0" if ident(1)[-1] != "0" else "1")
    rows = [
        person_row(1, V1),
        person_row(2, V1),
        person_row(3, "不存在村"),
        person_row(4, V1, phone="12345"),
        person_row(5, V1, level="半瘫"),
        person_row(1, V2),  # the same ID as row 2
    ]
    rows[0][2] = bad_check
    rows[1][1] = "女"  # the ID says male
    rows.append(person_row(7, V1))
    rows[-1][2] = ident(1)
    errors = errors_of(client, staff_a, rows)
    by_row = {(e["row"], e["column"]): e["message"] for e in errors}
    assert "校验码" in by_row[(2, "身份证号")]
    assert "性别与身份证号不符" in by_row[(3, "性别")]
    assert "不是甲镇的村" in by_row[(4, "村")] and "甲镇1村" in by_row[(4, "村")]
    assert "不是手机号" in by_row[(5, "照料人电话")]
    assert "不是有效的自理能力" in by_row[(6, "自理能力")]
    assert "与第7行的身份证号重复" in by_row[(8, "身份证号")]


def test_birth_date_column_must_agree_with_the_id(client, session, world, staff_a):
    header = ["姓名", "身份证号码", "出生日期", "村居", "自理能力"]
    rows = [["甲", ident(1), "1948年3月9日", V1, "全自理"], ["乙", ident(2), "1948-03-10", V1, "全自理"]]
    errors = dry_run(client, staff_a, make_xlsx(rows, header))["errors"]
    assert errors == [{"row": 3, "column": "出生日期", "message": "出生日期与身份证号不符（身份证号为1948-03-09）"}]


def test_person_of_another_township_and_caregiver_conflicts(client, session, world, staff_a):
    other = world.b.person
    row = person_row(1, V1)
    row[2] = other.id_number
    # an agreement signed later than the file's for the world's person of 甲镇
    mine = world.a.person
    late = person_row(2, V1, name=mine.name, signed="2020-01-01")
    late[2] = mine.id_number
    errors = errors_of(client, staff_a, [row, late])
    by_row = {e["row"]: e for e in errors}
    assert "其他乡镇" in by_row[2]["message"] and by_row[2]["column"] == "身份证号"
    assert by_row[3]["column"] == "签订日期" and "一人只能有一份生效协议" in by_row[3]["message"]


def test_caregiver_phone_of_another_kind_of_login(client, session, world, staff_a):
    world.a.volunteer.username = "13500000001"
    session.add(world.a.volunteer)
    session.flush()
    errors = errors_of(client, staff_a, [person_row(1, V1, phone="13500000001")])
    assert errors[0]["column"] == "照料人电话" and "其他类型" in errors[0]["message"]


def test_csv_gb18030_and_utf8_bom_import(client, session, world, staff_a):
    for k, enc in ((1, "gb18030"), (2, "utf-8-sig")):
        data = make_csv([person_row(k, V1, name="张秀英", sex="女")], encoding=enc)
        result = dry_run(client, staff_a, data, filename="roster.csv")
        assert result["errors"] == [] and result["counts"]["created"] == 1, result
        assert result["plan"][0]["name"] == "张秀英"


def test_refusals_are_clear(client, session, world, staff_a):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    r = upload(client, staff_a, ole2 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 600, filename="a.xlsx")
    assert r.status_code == 415 and r.get_json()["reason"] == "import_encrypted" and "加密" in r.get_json()["message"]
    r = upload(client, staff_a, ole2 + b"\x00" * 600, filename="a.xls")  # an .xls that is not one
    assert r.status_code == 415 and r.get_json()["reason"] == "import_not_spreadsheet" and ".xls" in r.get_json()["message"]
    r = upload(client, {**staff_a, "Accept-Language": "en"}, b"\x89PNG\r\n\x1a\n\x00\x00", filename="a.png")
    assert r.status_code == 415 and "spreadsheet" in r.get_json()["message"]


def test_who_may_import(client, session, world, staff_a):
    data = make_xlsx(roster(1))
    r = upload(client, staff_a, data, place_id=world.b.place.id)
    assert r.status_code == 403 and r.get_json()["reason"] == "place_out_of_scope"
    staff_b = factories.headers(session, world.b.staff)
    mine = dry_run(client, staff_a, data)
    assert client.get(f"/api/imports/{mine['id']}", headers=staff_b).status_code == 403
    assert apply(client, staff_b, mine["id"]).status_code == 403
    for u in (world.a.caregiver, world.a.volunteer):
        assert upload(client, factories.headers(session, u), data).status_code == 403
    admin = factories.headers(session, world.admin)
    assert upload(client, admin, data).status_code == 422  # which township?
    rows = [person_row(1, "乙乡1村")]
    assert dry_run(client, admin, make_xlsx(rows), place_id=world.b.place.id)["counts"]["created"] == 1


def test_logins_sheet_on_apply(client, session, world, staff_a):
    result = dry_run(client, staff_a, make_xlsx(roster(2)))
    r = apply(client, staff_a, result["id"], query_string={"format": "xlsx"})
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert r.headers["X-Import-Created"] == "2" and r.headers["Cache-Control"] == "private, no-store"
    ws = load_workbook(io.BytesIO(r.data)).active
    assert [c.value for c in ws[3]] == ["姓名", "用户名(手机号)", "一次性密码", "照料对象", "备注", "登录地址", "扫码登录"]
    assert ws.cell(row=4, column=2).value == "13900000001" and ws.cell(row=4, column=5).value == "首次登录须修改密码"
    password = ws.cell(row=4, column=3).value
    user = session.scalar(select(User).where(User.username == "13900000001"))
    assert factories.HASHER.verify(user.password_hash, password)


def test_logins_and_their_sheet_from_one_apply(client, session, world, staff_a):
    result = dry_run(client, staff_a, make_xlsx(roster(2)))
    body = apply(client, staff_a, result["id"], query_string={"sheet": "true"}).get_json()
    ws = load_workbook(io.BytesIO(base64.b64decode(body["logins_sheet"]))).active
    shown = {x["username"]: x["one_time_password"] for x in body["logins"]}
    assert {ws.cell(row=r, column=2).value: ws.cell(row=r, column=3).value for r in (4, 5)} == shown
    assert "logins_sheet" not in dry_run_and_apply(client, staff_a, [person_row(9, V1)])


def test_every_new_caregiver_logs_in_with_the_password_beside_their_name(client, session, world, staff_a, monkeypatch):
    """A roster's logins are hashed on several threads: each shown password is its own login's."""
    monkeypatch.setattr(auth_service, "HASH_THREADS", 3)
    n = 40
    body = apply(client, staff_a, dry_run(client, staff_a, make_xlsx(roster(n)))["id"]).get_json()
    shown = {x["username"]: x["one_time_password"] for x in body["logins"]}
    assert len(shown) == n and len(set(shown.values())) == n
    stored = {u.username: u.password_hash for u in session.scalars(select(User).where(User.username.in_(shown)))}
    assert all(factories.HASHER.verify(stored[name], password) for name, password in shown.items())
    names = sorted(shown)
    for name, neighbour in zip(names, names[1:] + names[:1]):  # and no other login's
        assert not _verifies(stored[name], shown[neighbour])
    r = client.post("/api/auth/login", json={"username": names[-1], "password": shown[names[-1]]})
    assert r.status_code == 200 and r.get_json()["user"]["must_change_password"] is True


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return factories.HASHER.verify(password_hash, password)
    except VerifyMismatchError:
        return False


def dry_run_and_apply(client, headers, rows):
    return apply(client, headers, dry_run(client, headers, make_xlsx(rows))["id"]).get_json()


def test_template(client, session, world, staff_a):
    r = client.get("/api/imports/template?kind=persons", headers=staff_a)
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["姓名", "性别", "公民身份号码"] and ws.max_row == 2
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"全自理,半失能,全失能"' in lists and '"男,女"' in lists and '"分散供养,集中供养"' in lists
    assert wb.sheetnames[1] == "填表说明"
    assert client.get("/api/imports/template?kind=volunteers", headers=staff_a).status_code == 200


def test_volunteers(client, session, world, staff_a):
    world.a.volunteer.phone = "13800000009"
    session.add(world.a.volunteer)
    session.flush()
    header = ["姓名", "手机号", "所在村", "服务队"]
    rows = [["李春花", "13800000001", V1, "甲镇志愿服务队"], ["赵明", "13800000002", "", "巾帼志愿服务队"]]
    result = dry_run(client, staff_a, make_xlsx(rows, header), kind="volunteers")
    assert result["counts"]["created"] == 2 and result["plan"][1]["new_team"]
    body = apply(client, staff_a, result["id"]).get_json()
    assert {x["username"] for x in body["logins"]} == {"13800000001", "13800000002"}
    zhao = session.scalar(select(User).where(User.username == "13800000002"))
    assert zhao.role == "volunteer" and zhao.place_id == world.a.place.id and zhao.must_change_password
    again = dry_run(client, staff_a, make_xlsx(rows, header), kind="volunteers")
    assert again["counts"]["unchanged"] == 2
    exported = client.get("/api/imports/export?kind=volunteers", headers=staff_a)
    back = dry_run(client, staff_a, exported.data, kind="volunteers")
    assert back["errors"] == [], back["errors"]
    assert back["counts"]["unchanged"] == 3  # with the world's volunteer


def test_an_upload_not_applied_within_a_day_is_deleted(client, session, world, staff_a):
    from server.imports import service

    result = dry_run(client, staff_a, make_xlsx(roster(1)))
    job = session.get(ImportJob, result["id"])
    job.created_at = factories.now() - timedelta(hours=25)
    session.add(job)
    session.flush()
    r = apply(client, staff_a, result["id"])
    assert r.status_code == 410 and r.get_json()["reason"] == "import_expired"
    settings = client.application.extensions["zhaoying.settings"].imports
    assert session.get(ImportRecords, result["id"]) is not None
    assert service.purge_expired(session, settings=settings, now=factories.now()) == 1
    session.expire_all()
    assert session.get(ImportRecords, result["id"]) is None and session.get(ImportJob, result["id"]).status == "expired"


def test_apply_commits_how_far_it_has_come_with_each_batch(app_config, session, world, staff_a):
    """The app polls `rows_done` while an apply of thousands of rows runs: each batch's rows and the
    count are committed together, so a reader sees the import advance batch by batch."""
    from server import create_app
    from server.auth.actor import Actor
    from server.imports import service
    from server.wiring import Settings

    app = create_app({**app_config, "IMPORT_BATCH_SIZE": 2})
    client = app.test_client()
    job_id = dry_run(client, staff_a, make_xlsx(roster(5)))["id"]
    seen = []

    def progress(rows):  # called as each batch is written, before it is committed
        seen.append((rows, session.scalar(select(ImportJob.rows_done).where(ImportJob.id == job_id)
                                          .execution_options(populate_existing=True))))

    settings = Settings.from_config(app.config)
    service.apply_import(session, actor=Actor(world.a.staff), import_id=job_id, hasher=factories.HASHER,
                         settings=settings.imports, today=factories.today(), now=factories.now(), progress=progress)
    assert seen == [(2, 0), (2, 2), (1, 4)]
    body = client.get(f"/api/imports/{job_id}", headers=staff_a).get_json()
    assert body["status"] == "applied" and body["rows_done"] == 5 == body["counts"]["rows"]


def test_a_big_roster_shows_its_changes_first_and_applies_every_row(client, session, world, staff_a):
    """The dry run keeps 200 rows to show (what the phone lists), those that change something
    first; the counts and plan_rows say how many there are; apply writes every row."""
    import gc

    from server.imports.plan import PREVIEW_ROWS

    n = PREVIEW_ROWS + 30
    first = dry_run(client, staff_a, make_xlsx(roster(n)))
    assert first["plan_rows"] == n and first["plan_total"] == PREVIEW_ROWS
    preview = walk(client, staff_a, first["id"], "plan")
    assert [p["row"] for p in preview] == list(range(2, PREVIEW_ROWS + 2))  # all new: the file's order
    assert first["plan"] == preview[:len(first["plan"])]
    assert apply(client, staff_a, first["id"]).status_code == 200
    assert len(persons_of(session, [ident(k) for k in range(1, n + 1)])) == n
    assert gc.isenabled()  # the collector, paused while the import ran, is on again

    moved = roster(n)
    for k in (n - 1, n):  # rows beyond the first 200
        moved[k - 1][4] = "九组9号"
    second = dry_run(client, staff_a, make_xlsx(moved))
    assert second["counts"]["updated"] == 2 and second["counts"]["unchanged"] == n - 2 and second["plan_rows"] == n
    preview = walk(client, staff_a, second["id"], "plan")
    shown = {p["row"]: p for p in preview}
    assert len(shown) == PREVIEW_ROWS and shown[n]["action"] == shown[n + 1]["action"] == "update"
    assert shown[n + 1]["changes"] == {"address": {"column": "住址", "from": "一组1号", "to": "九组9号"}}
    assert [p["row"] for p in preview] == sorted(shown)
    polled = client.get(f"/api/imports/{second['id']}", headers=staff_a).get_json()
    assert polled["plan"] == second["plan"] and polled["plan_rows"] == n
    assert apply(client, staff_a, second["id"]).status_code == 200
    assert persons_of(session, [ident(n)])[ident(n)].address == "九组9号"
    assert gc.isenabled()

    assert upload(client, staff_a, b"\x00not a workbook", filename="x.xlsx").status_code == 415
    assert gc.isenabled()


def test_an_apply_while_another_applies_the_same_dry_run_is_a_409(client, session, world, staff_a):
    """Issue 30 L2: six applies of one dry run at once answered 1×200 and 5×500 (the unique
    constraints, in the middle of writing). The first to claim the dry run applies it; here a
    second clerk's tap comes while the first's apply is under way (its claim is on the job)."""
    from server.imports.models import ImportJob

    before = session.scalar(select(func.count()).select_from(Person))
    result = dry_run(client, staff_a, make_xlsx(roster(3)))
    session.execute(update(ImportJob).where(ImportJob.id == result["id"]).values(status="applying"))
    session.flush()
    r = apply(client, staff_a, result["id"])
    assert r.status_code == 409 and r.get_json()["reason"] == "import_applying"
    assert r.get_json()["message"] == "这份文件正在导入，请等它完成"
    assert session.scalar(select(func.count()).select_from(Person)) == before
    assert client.get(f"/api/imports/{result['id']}", headers=staff_a).get_json()["status"] == "applying"


def test_names_typed_in_the_app_come_back_from_the_roster_unchanged(client, session, world, staff_a):
    """Issue 30 L6: a township's export did not import back unchanged: names with a leading space,
    a line break or a full-width ＝ were refused on the way back, a TAB or CR came back with the
    apostrophe. A name is kept as a roster's cell is read (NFKC, trimmed, one line), and one a
    spreadsheet would take for a formula is refused where it is typed."""
    from tests.imports.conftest import ident as roster_id

    world.a.caregiver.phone = "13600000001"  # the roster names a caregiver by a phone
    session.add(world.a.caregiver)
    session.flush()
    village = world.a.villages[0].id
    body = {"sex": "F", "birth_date": "1948-03-09", "self_care_level": "self_care", "village_id": village}
    made = client.post("/api/persons", json={**body, "name": " 张秀英　", "id_number": roster_id(41, sex="F")},
                       headers=staff_a)
    assert made.status_code == 201 and made.get_json()["name"] == "张秀英"
    made = client.post("/api/persons", json={**body, "name": "ＡＢ李", "id_number": roster_id(42, sex="F")},
                       headers=staff_a)
    assert made.status_code == 201 and made.get_json()["name"] == "AB李"
    for bad, why in (("王\n德明", "姓名只能写一行（不能有换行或制表符）"), ("王\t德明", "姓名只能写一行（不能有换行或制表符）"),
                     ("＝王德明", "姓名不能以“=”开头")):
        r = client.post("/api/persons", json={**body, "name": bad, "id_number": roster_id(43, sex="F")}, headers=staff_a)
        assert r.status_code == 422 and r.get_json()["errors"] == {"name": [why]}, bad
    exported = client.get(f"/api/imports/export?kind=persons&place_id={world.a.place.id}", headers=staff_a)
    result = dry_run(client, staff_a, exported.data)
    assert result["errors"] == [] and result["counts"]["created"] == result["counts"]["updated"] == 0
    assert result["counts"]["unchanged"] == 3
