"""The roster's optional 救助类别 (特困 / 低保 / 特殊困难家庭, seed 003 annex) and 低保类别 (A/B/C, seed 004
item 4) columns land on Person.assistance_category and dibao_class."""

from __future__ import annotations

from sqlalchemy import select

from server.people.models import Person
from tests.imports.conftest import PERSON_HEADER, ident, make_csv, make_xlsx, person_row
from tests.imports.test_imports_api import apply, dry_run

HEADER = [*PERSON_HEADER, "救助类别", "低保类别"]


def rows(*extra):
    return [[*person_row(k, "甲镇1村"), *cols] for k, cols in enumerate(extra, start=1)]


def stored(session, k):
    return session.scalar(select(Person).where(Person.id_number == ident(k)))


def test_categories_and_classes_are_read_and_applied(client, session, world, staff_a):
    data = make_csv(rows(["低保", "B"], ["特殊困难家庭", ""], ["", ""], ["低保对象", "a类"]), HEADER)
    result = dry_run(client, staff_a, data, filename="花名册.csv")
    assert result["counts"]["errors"] == 0, result["errors"]
    assert result["plan"][0]["changes"]["assistance_category"] == {"column": "救助类别", "from": None, "to": "低保"}
    assert apply(client, staff_a, result["id"]).status_code == 200
    assert (stored(session, 1).assistance_category, stored(session, 1).dibao_class) == ("dibao", "B")
    assert (stored(session, 2).assistance_category, stored(session, 2).dibao_class) == ("special_hardship", None)
    assert (stored(session, 3).assistance_category, stored(session, 3).dibao_class) == ("tekun", None)  # the default
    assert (stored(session, 4).assistance_category, stored(session, 4).dibao_class) == ("dibao", "A")


def test_a_later_file_without_the_columns_keeps_them_and_a_new_category_drops_the_class(client, session, world,
                                                                                       staff_a):
    first = dry_run(client, staff_a, make_xlsx(rows(["低保", "C"]), HEADER))
    apply(client, staff_a, first["id"])
    again = dry_run(client, staff_a, make_xlsx([person_row(1, "甲镇1村")]))
    assert again["plan"][0]["action"] == "unchanged"
    moved = dry_run(client, staff_a, make_xlsx(rows(["特困", ""]), HEADER))
    assert moved["plan"][0]["changes"] == {"assistance_category": {"column": "救助类别", "from": "低保", "to": "特困"},
                                           "dibao_class": {"column": "低保类别", "from": "C", "to": None}}
    apply(client, staff_a, moved["id"])
    session.expire_all()
    assert (stored(session, 1).assistance_category, stored(session, 1).dibao_class) == ("tekun", None)


def test_bad_values_are_refused_with_the_row_and_the_words_to_use(client, session, world, staff_a):
    result = dry_run(client, staff_a, make_xlsx(rows(["贫困户", ""], ["特困", "A"], ["低保", "D"]), HEADER))
    errors = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert errors[(2, "救助类别")] == "“贫困户”不是有效的救助类别，可填：特困、低保、特殊困难家庭"
    assert errors[(3, "低保类别")] == "只有低保对象才填低保类别（A/B/C）；该人员的救助类别不是低保"
    assert errors[(4, "低保类别")] == "“D”不是有效的低保类别，可填：A、B、C"
    assert result["counts"]["created"] == 0 and session.scalar(select(Person).where(Person.id_number == ident(1))) is None
