"""计划生育特殊家庭 from the roster: its own group (seed 002 item 3: 对独居、空巢、留守、失能、重残、计划生育特殊家庭等
特殊困难老年人进行定期探访), never read as 失独 — only 失独 earns 服务清单 第5项's 75 元 bath. Read in the
特殊困难情形 cell in its own words, or from a column of its own (是/否)."""

from __future__ import annotations

from tests.imports.conftest import PERSON_HEADER, ident, make_xlsx, person_row
from tests.imports.test_imports_api import apply, dry_run, persons_of

FLAGS = PERSON_HEADER + ["特殊困难情形"]
OWN = PERSON_HEADER + ["计划生育特殊家庭"]
BOTH = PERSON_HEADER + ["特殊困难情形", "计划生育特殊家庭"]


def rows(*cells):
    return [person_row(k, "甲镇1村") + list(c if isinstance(c, tuple) else (c,)) for k, c in enumerate(cells, start=1)]


def test_the_words_in_the_flags_cell_are_their_own_group_not_lost_only_child(client, session, world, staff_a):
    data = make_xlsx(rows("计划生育特殊家庭", "计生特殊家庭、独居", "失独", "失独、计划生育特殊困难家庭"), header=FLAGS)
    result = dry_run(client, staff_a, data)
    assert result["errors"] == []
    assert result["plan"][0]["changes"]["risk_flags"]["to"] == "计划生育特殊家庭"
    assert apply(client, staff_a, result["id"]).status_code == 200
    got = persons_of(session, [ident(k) for k in (1, 2, 3, 4)])
    assert [got[ident(k)].risk_flags for k in (1, 2, 3, 4)] == [
        ["family_planning_special"], ["lives_alone", "family_planning_special"], ["lost_only_child"],
        ["lost_only_child", "family_planning_special"]]


def test_a_column_of_its_own_sets_and_clears_the_flag_and_keeps_the_others(client, session, world, staff_a):
    first = dry_run(client, staff_a, make_xlsx(rows("独居", "空巢", None), header=FLAGS))
    assert apply(client, staff_a, first["id"]).status_code == 200
    # the column alone: 是 adds it to what the person has, 否 takes it out, blank leaves it
    result = dry_run(client, staff_a, make_xlsx(rows("是", "否", None), header=OWN))
    assert result["errors"] == [], result["errors"]
    assert [p["action"] for p in result["plan"]] == ["update", "unchanged", "unchanged"]
    assert apply(client, staff_a, result["id"]).status_code == 200
    got = persons_of(session, [ident(k) for k in (1, 2, 3)])
    assert [got[ident(k)].risk_flags for k in (1, 2, 3)] == [
        ["lives_alone", "family_planning_special"], ["empty_nest"], []]
    again = dry_run(client, staff_a, make_xlsx(rows("否"), header=OWN))
    assert again["plan"][0]["changes"]["risk_flags"] == {"column": "特殊困难情形", "from": "独居、计划生育特殊家庭", "to": "独居"}
    # both columns, agreeing: one reading
    both = dry_run(client, staff_a, make_xlsx(rows(("独居、计划生育特殊家庭", "是"), ("空巢", "否")), header=BOTH))
    assert both["errors"] == [] and [p["action"] for p in both["plan"]] == ["unchanged", "unchanged"]


def test_a_new_person_from_the_column_and_the_header_read_by_its_words(client, session, world, staff_a):
    header = PERSON_HEADER + ["是否计生特殊家庭"]  # not a header the template writes: matched by its words
    result = dry_run(client, staff_a, make_xlsx(rows("是"), header=header))
    assert result["errors"] == [], result["errors"]
    assert apply(client, staff_a, result["id"]).status_code == 200
    assert persons_of(session, [ident(1)])[ident(1)].risk_flags == ["family_planning_special"]


def test_bad_cells_are_errors_and_nothing_is_stored(client, session, world, staff_a):
    result = dry_run(client, staff_a, make_xlsx(rows(("独居", "也许"), ("计划生育特殊家庭", "否"), ("独居", "否")),
                                                 header=BOTH))
    errors = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert errors[(2, "计划生育特殊家庭")] == "“也许”不是有效的计划生育特殊家庭，可填：是、否"
    assert errors[(3, "计划生育特殊家庭")] == "计划生育特殊家庭一栏与特殊困难情形一栏不一致"
    assert len(errors) == 2
    assert apply(client, staff_a, result["id"]).status_code == 409
    assert persons_of(session, [ident(k) for k in (1, 2, 3)]) == {}
