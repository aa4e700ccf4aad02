"""Issue 13 item 4: every list pages by keyset — the rows after the last one seen, in the list's
order, with the next page's cursor in X-Next-Page and no count of the whole set."""

from datetime import timedelta

from server.alerts.service import AlertSettings, raise_alert
from tests import factories
from tests.test_jobs import visit

SETTINGS = AlertSettings({"urgent": 240, "normal": 4320})


def pages(client, path, headers, size):
    """Every page of a list, following its cursors: [[ids of page 1], [ids of page 2], …]."""
    out, after = [], None
    while True:
        sep = "&" if "?" in path else "?"
        r = client.get(f"{path}{sep}page_size={size}" + (f"&after={after}" if after else ""), headers=headers)
        assert r.status_code == 200, r.get_json()
        assert "X-Pagination" not in r.headers
        out.append([row["id"] for row in r.get_json()])
        after = r.headers.get("X-Next-Page")
        if after is None:
            return out


def test_visits_page_newest_first_across_equal_start_times(client, session, world):
    when = factories.now() - timedelta(days=1)
    for k in range(5):  # two pairs begun at the same instant: the id breaks the tie
        visit(session, world.a.person, world.a.caregiver, when - timedelta(hours=k // 2))
    h = factories.headers(session, world.a.staff)
    got = pages(client, "/api/visits", h, 2)
    every = client.get("/api/visits?page_size=200", headers=h).get_json()
    assert [len(p) for p in got] == [2, 2, 1]
    assert sum(got, []) == [v["id"] for v in every]  # the same order, none twice, none left out
    starts = [v["started_at"] for v in every]
    assert starts == sorted(starts, reverse=True)


def test_a_townships_visits_page_across_its_persons_and_none_of_another(client, session, world):
    # township staff's pages are gathered person by person on PostgreSQL: the merge must keep the
    # order, the cursor and the scope
    second = factories.person(session, world.a.villages[1], name="钱二", caregiver=world.a.caregiver)
    when = factories.now() - timedelta(days=1)
    for k in range(7):
        who = world.a.person if k % 2 else second
        visit(session, who, world.a.caregiver, when - timedelta(hours=k // 3))
    visit(session, world.b.person, world.b.caregiver, when)  # another township's
    h = factories.headers(session, world.a.staff)
    every = client.get("/api/visits?page_size=200", headers=h).get_json()
    assert len(every) == 7 and {v["person_id"] for v in every} == {world.a.person.id, second.id}
    assert [(v["started_at"], v["id"]) for v in every] == sorted(((v["started_at"], v["id"]) for v in every),
                                                               reverse=True)
    got = pages(client, "/api/visits", h, 3)
    assert [len(p) for p in got] == [3, 3, 1] and sum(got, []) == [v["id"] for v in every]


def test_alerts_and_the_inbox_and_the_audit_trail_page_too(client, session, world):
    for k in range(5):
        raise_alert(session, kind="visit_gap", township_id=world.a.place.id, title=f"第{k}条",
                    dedupe_key=f"page:{k}", settings=SETTINGS)
    staff = factories.headers(session, world.a.staff)
    alerts = pages(client, "/api/alerts", staff, 2)
    assert [len(p) for p in alerts] == [2, 2, 1] and sum(alerts, []) == sorted(sum(alerts, []), reverse=True)
    inbox = pages(client, "/api/notifications", staff, 3)
    assert [len(p) for p in inbox] == [3, 2]
    admin = factories.headers(session, world.admin)
    for _ in range(3):
        client.get(f"/api/persons/{world.a.person.id}", headers=admin)
    trail = pages(client, "/api/audit", admin, 2)
    assert len(sum(trail, [])) == len(set(sum(trail, []))) >= 3
