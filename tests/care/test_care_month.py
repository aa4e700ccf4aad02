"""A closed month's annex 2 and care-home top-up are a record (issue 27's rule, for issue 29 parts 1
and 8): seed 001 annex 2 (敖汉旗养老机构8月情况统计表, the target at 二(二)4's 60%) and seed 000 item 7's
top-up (失能、半失能特困人员分别给予500元、200元每人每月补助敬老院) of a closed month read what the month close
wrote — the homes' beds and residents, the target, each resident's level and amount then — never
today's homes, setting or assessments. The tests run at 2026-11-18 10:00 in Shanghai; November is
closed by the scheduler's job at 00:30 on 1 December."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import func, select

from server import jobs
from server.care import record
from server.care import service as care
from server.care.models import CareHomeMonth, CareMonth, CareTopupMonth
from tests import factories
from tests.care.test_topup import assessed, homes, resident

SH = ZoneInfo("Asia/Shanghai")
DEC6 = datetime(2026, 12, 6, 10, 0, tzinfo=SH)


def close_november(db, settings):
    return jobs.run("month_close", db, at=datetime(2026, 12, 1, 0, 30, tzinfo=SH), settings=settings)


def report(client, session, user, name, month, **query):
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    r = client.get(f"/api/reports/{name}?month={month}{extra}", headers=factories.headers(session, user))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_closed_months_annex_2_and_top_up_stand_whatever_is_changed_later(client, session, world, db, settings):
    """November closed: its annex 2 (beds, 现入住老人数, 60%应住人数, 还应入住人数, staff, 负责人) and its
    top-up (each resident's level at its end, 500 / 200 元) come back identical, the JSON compared
    whole, after the target, a home's numbers, a late assessment and the amounts all change on 6
    December; December's reports follow each change."""
    a, b = homes(session, world)
    a.other_residents, a.head_name = 10, "胡院长"
    v = world.a.villages[0]
    full = resident(session, v, a, "张全失", "fully_disabled", date(2026, 1, 5))
    partly = resident(session, v, a, "李半失", "partly_disabled", date(2026, 3, 1))
    resident(session, world.b.villages[0], b, "孙乙乡", "self_care", date(2026, 2, 1))
    assessed(session, full, date(2026, 3, 1), "fully_disabled", world.a.staff)
    admin = world.admin
    district = {"place_id": world.district.id}

    before_close = report(client, session, admin, "care-homes", "2026-11", **district)
    assert before_close["notes"][0] == "2026年11月按当前登记统计"
    assert close_november(db, settings)["month"] == "2026-11"
    written = session.get(CareMonth, "2026-11")
    assert written is not None and written.occupancy_target_percent == 60
    assert (written.topup_fully_disabled, written.topup_partly_disabled, written.topup_local) == (500, 200, False)
    assert session.scalar(select(func.count()).select_from(CareHomeMonth).where(CareHomeMonth.month == "2026-11")) == 2
    assert session.scalar(select(func.count()).select_from(CareTopupMonth).where(CareTopupMonth.month == "2026-11")) == 3

    with time_machine.travel(DEC6, tick=False):
        annex = report(client, session, admin, "care-homes", "2026-11", **district)
        topup = report(client, session, admin, "care-topup", "2026-11")
        assert annex["headers"][4] == "60%应住人数"
        # 甲镇: 40 beds, 2 of the roster + 10 others; target 24, 12 still to come
        assert annex["rows"][0][1:9] == ["甲镇敬老院", 40, 12, 24, 12, 4, "胡院长", ""]
        assert annex["notes"][0].startswith("2026年11月已结算（2026-12-01）")
        assert {row[3]: (row[4], row[7]) for row in topup["rows"][:-1]} == {
            "张全失": ("失能", 500), "李半失": ("半失能", 200), "孙乙乡": ("自理", 0)}
        assert topup["rows"][-1][-1] == 700 and topup["notes"][0].startswith("2026年11月已结算")

        # 6 December: the target raised, 甲镇's numbers changed, 张全失 assessed 半失能 as of 20 November
        # (recorded late), the amounts raised from December, 李半失 gone since 15 November (recorded late)
        admin_h = factories.headers(session, admin)
        assert client.put("/api/care-homes/policy", json={"occupancy_target_percent": 75},
                          headers=admin_h).status_code == 200
        r = client.patch(f"/api/care-homes/{a.id}", json={"beds": 60, "other_residents": 3, "staff": 6,
                                                          "head_name": "王院长"}, headers=admin_h)
        assert r.status_code == 200, r.get_json()
        assessed(session, full, date(2026, 11, 20), "partly_disabled", world.a.staff)
        r = client.put("/api/care-homes/subsidies", json={"topup_partly_disabled": 300, "effective_month": "2026-12"},
                       headers=admin_h)
        assert r.status_code == 200, r.get_json()
        care.end_residence(session, person_id=partly.id, on=date(2026, 11, 15))
        session.flush()

        assert report(client, session, admin, "care-homes", "2026-11", **district) == annex
        assert report(client, session, admin, "care-topup", "2026-11") == topup
        # December is counted as things stand: 75% of 60 beds, 1 of the roster + 3 others
        december = report(client, session, admin, "care-homes", "2026-12", **district)
        assert december["headers"][4] == "75%应住人数"
        assert december["rows"][0][1:8] == ["甲镇敬老院", 60, 4, 45, 41, 6, "王院长"]
        assert december["notes"][0] == "2026年12月按当前登记统计"
        dec_topup = report(client, session, admin, "care-topup", "2026-12")
        assert {row[3]: row[7] for row in dec_topup["rows"][:-1]} == {"张全失": 300, "孙乙乡": 0}
        # a township's staff read their own homes of the record only
        mine = report(client, session, world.b.staff, "care-homes", "2026-11")
        assert [row[1] for row in mine["rows"][:-1]] == ["乙乡敬老院"]
        assert [row[3] for row in report(client, session, world.b.staff, "care-topup", "2026-11")["rows"][:-1]] == ["孙乙乡"]
        r = client.get(f"/api/reports/care-topup?month=2026-11&place_id={world.a.place.id}",
                       headers=factories.headers(session, world.b.staff))
        assert r.status_code == 403


def test_a_month_closed_again_keeps_one_record(client, session, world, db, settings):
    """The close runs once a month; should it write the month again (a catch-up), the care homes'
    record is replaced, never doubled."""
    a, _ = homes(session, world)
    resident(session, world.a.villages[0], a, "张全失", "fully_disabled", date(2026, 1, 5))
    close_november(db, settings)
    record.write(session, year=2026, month=11, now=DEC6)
    assert session.scalar(select(func.count()).select_from(CareTopupMonth).where(CareTopupMonth.month == "2026-11")) == 1
    assert session.get(CareMonth, "2026-11").written_at == DEC6
