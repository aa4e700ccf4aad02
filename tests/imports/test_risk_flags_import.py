"""Roster words: 特殊困难情形 (the groups of seed 002's 月探访率: 独居、空巢、留守、重残, with 失独, 精神障碍) and
the 关系 of seed 000 item 2 (亲属、邻里、低保等低收入家庭中有劳动能力的人员)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.imports.conftest import PERSON_HEADER, ident, make_xlsx, person_row
from tests.imports.test_imports_api import apply, dry_run, persons_of

HEADER = PERSON_HEADER + ["特殊困难情形"]


def rows(*flags):
    return [person_row(k, "甲镇1村") + [f] for k, f in enumerate(flags, start=1)]


def test_flags_are_read_in_the_roster_words_and_exported_back(client, session, world, staff_a):
    data = make_xlsx(rows("独居、重残", "空巢，留守", "一二级残疾 失独", None), header=HEADER)
    result = dry_run(client, staff_a, data)
    assert result["errors"] == []
    assert result["plan"][0]["changes"]["risk_flags"] == {"column": "特殊困难情形", "from": None, "to": "独居、重残"}
    assert apply(client, staff_a, result["id"]).status_code == 200
    got = persons_of(session, [ident(k) for k in (1, 2, 3, 4)])
    assert [got[ident(k)].risk_flags for k in (1, 2, 3, 4)] == [
        ["lives_alone", "severe_disability"], ["empty_nest", "left_behind"], ["severe_disability", "lost_only_child"], []]

    # the column states the flags whole: blank (or 无) is none; a file without the column changes none
    again = dry_run(client, staff_a, make_xlsx(rows("重残、独居", "无", "一二级残疾、失独"), header=HEADER))
    assert [p["action"] for p in again["plan"]] == ["unchanged", "update", "unchanged"], again["plan"]
    assert again["plan"][1]["changes"] == {"risk_flags": {"column": "特殊困难情形", "from": "空巢、留守", "to": "无"}}
    without = dry_run(client, staff_a, make_xlsx([person_row(k, "甲镇1村") for k in (1, 2, 3)]))
    assert [p["action"] for p in without["plan"]] == ["unchanged"] * 3

    export = client.get(f"/api/imports/export?kind=persons&place_id={world.a.place.id}", headers=staff_a)
    ws = load_workbook(io.BytesIO(export.data)).worksheets[0]
    header = [c.value for c in ws[1]]
    column = header.index("特殊困难情形")
    cells = {r[2].value: r[column].value for r in ws.iter_rows(min_row=2)}
    assert cells[ident(1)] == "独居、重残" and cells[ident(4)] is None
    assert cells[world.a.person.id_number] == "独居"
    assert dry_run(client, staff_a, export.data)["counts"]["updated"] == 0


def test_an_unknown_word_is_an_error_naming_the_choices(client, session, world, staff_a):
    result = dry_run(client, staff_a, make_xlsx(rows("独居、富裕"), header=HEADER))
    [error] = result["errors"]
    assert (error["row"], error["column"]) == (2, "特殊困难情形")
    assert "“富裕”不是有效的特殊困难情形" in error["message"] and "独居、空巢、留守" in error["message"]
    assert apply(client, staff_a, result["id"]).status_code == 409


def test_relation_other_is_not_a_seed_category(client, session, world, staff_a):
    result = dry_run(client, staff_a, make_xlsx([person_row(1, "甲镇1村", relation="其他")]))
    [error] = result["errors"]
    assert error["column"] == "关系"
    assert error["message"] == "“其他”不是有效的关系，可填：亲属、邻里、低保等低收入家庭中有劳动能力的人员"
