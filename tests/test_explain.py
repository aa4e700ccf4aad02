"""The hot paths the issue named are served by an index on PostgreSQL (issue 13 item 4): with
sequential scans priced out, a query with an index that serves it plans no `Seq Scan` on the
table; drop the index and the plan falls back to one (checked below too, so the test can fail).
Person search on SQLite reads its full-text index (the last tests)."""

import json

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from server.notify import service as notify
from server.notify.models import Notification
from server.visits.models import Visit


def plan(session, statement) -> list[dict]:
    sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    [[doc]] = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}").all()
    nodes, todo = [], [(doc if isinstance(doc, list) else json.loads(doc))[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo += node.get("Plans", [])
    return nodes


def seq_scans(nodes, table):
    return [n for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == table]


def index_names(nodes):
    return {n.get("Index Name") for n in nodes if "Index" in n["Node Type"]}


REVIEW_QUEUE = (select(Visit).where(Visit.status == "exception")
                .order_by(Visit.started_at.desc(), Visit.id.desc()).limit(50))  # visits.service.list_visits


@pytest.fixture
def pg(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("plans are PostgreSQL's")
    yield session
    session.rollback()


def test_the_review_queue_reads_visits_by_status_through_an_index(pg):
    nodes = plan(pg, REVIEW_QUEUE)
    assert seq_scans(nodes, "visit") == []
    assert "ix_visit_status_started" in index_names(nodes)


def test_an_alerts_messages_are_found_through_an_index(pg):
    statement = select(Notification).where(Notification.alert_id.in_([1, 2, 3]))
    assert statement.compile().string == notify_for_alerts_sql()
    nodes = plan(pg, statement)
    assert seq_scans(nodes, "notification") == []
    assert "ix_notification_alert_id" in index_names(nodes)


def test_without_its_index_the_plan_scans_the_table(pg):
    pg.connection().exec_driver_sql("DROP INDEX ix_visit_status_started")
    pg.connection().exec_driver_sql("DROP INDEX ix_visit_started")
    assert seq_scans(plan(pg, REVIEW_QUEUE), "visit") != []  # rolled back after the test


def notify_for_alerts_sql() -> str:
    """The statement notify.for_alerts runs, as its source builds it."""
    captured = []

    class Catch:
        def scalars(self, statement):
            captured.append(statement)
            return []

    notify.for_alerts(Catch(), [1, 2, 3])
    return captured[0].compile().string


def test_person_search_reads_the_trigram_indexes(pg):
    from server.people.models import Person
    from server.people.service import search

    # on a test's few rows the planner may as well walk the primary key in id order and filter;
    # with that priced out too, the search itself must be served by the trigram indexes
    pg.connection().exec_driver_sql("SET LOCAL enable_indexscan = off")
    nodes = plan(pg, search(pg, select(Person), "桂兰张")[0].order_by(Person.id).limit(50))
    assert seq_scans(nodes, "person") == []
    assert {"ix_person_name_trgm", "ix_person_id_number_trgm", "ix_person_phone_trgm"} <= index_names(nodes)


def test_a_whole_number_reads_the_phone_trigrams_and_the_id_numbers_unique_index(pg):
    from server.people.models import Person
    from server.people.service import search

    pg.connection().exec_driver_sql("SET LOCAL enable_indexscan = off")
    nodes = plan(pg, search(pg, select(Person), "13904751234")[0].order_by(Person.id).limit(50))
    assert seq_scans(nodes, "person") == []
    names = index_names(nodes)
    assert {"ix_person_phone_trgm", "person_id_number_key"} <= names and "ix_person_id_number_trgm" not in names


@pytest.fixture
def lite(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's full-text search")
    return session


def sqlite_plan(session, q: str) -> list[str]:
    from sqlalchemy.dialects import sqlite

    from server.people.models import Person
    from server.people.service import search

    statement, order = search(session, select(Person), q)
    statement = statement.order_by(order).limit(51)
    sql = str(statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    return [row[-1] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]


def test_person_search_on_sqlite_reads_the_full_text_index_not_every_person(lite):
    for q in ("桂兰张", "0475123", "13904751234"):
        steps = sqlite_plan(lite, q)
        assert any(s.startswith("SCAN person_search VIRTUAL TABLE") for s in steps), (q, steps)
        assert not any(s.startswith("SCAN person") and "person_search" not in s for s in steps), (q, steps)
    # a fragment's matches come in the page's order, with no sort of them all before the first page
    assert not any("TEMP B-TREE" in s for s in sqlite_plan(lite, "桂兰张"))


def test_a_query_shorter_than_a_trigram_scans_on_sqlite(lite):
    # no trigram index can serve two characters: they are matched row by row
    steps = sqlite_plan(lite, "桂兰")
    assert not any("person_search" in s for s in steps) and any(s.startswith("SCAN person") for s in steps)
