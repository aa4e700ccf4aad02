"""Issue 28 (3) in Chromium at 360×740: the district works through 600 pending exceptions across
three townships — a line per visit until opened, the longest waiting first, a page at a time,
filtered by township and by exception, each choice saying how many wait. On main 7830e98 the
district saw 50 of them, every card expanded, with no township on them and no way to the rest."""

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server import clock as server_clock
from server.auth.models import User
from server.auth.service import make_hasher
from server.care.models import CareAgreement
from server.people import idnumber
from server.people.models import Person
from server.places import service as places
from server.visits.models import Visit
from tests.pwa.conftest import HOME, PASSWORD, login, shot
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser

KINDS = [["too_short"], ["outside_geofence"], ["too_short", "outside_geofence"], ["no_gps"], ["photo_stale"]]
PER_TOWNSHIP = 200


@pytest.fixture(scope="module")
def queue(site):
    """Two more townships beside 甲镇, a person in each, and 200 visits waiting in each township —
    the three interleaved in time, the oldest 20 days back; a district admin and a 乙镇 official."""
    hasher = make_hasher(time_cost=1, memory_kib=8)
    now = server_clock.now().replace(microsecond=0)
    with Session(site.database.engine) as s:
        district_id = s.scalar(sa.text("SELECT id FROM place WHERE level = 'district'"))
        caregiver_id = s.scalar(sa.text("SELECT id FROM app_user WHERE username = '13900000001'"))
        persons = {"甲镇": site.people[0]}
        for k, name in enumerate(["乙镇", "丙镇"]):
            town = places.create(s, actor=None, name=name, level="township", parent_id=district_id)
            village = places.create(s, actor=None, name="北沟村", level="village", parent_id=town.id)  # the same name
            born = date(1950, 1, 2 + k)
            p = Person(name=f"{name[0]}老人", sex="M", birth_date=born, id_number=idnumber.make("150430", born, 300 + k, "M"),
                       self_care_level="self_care", village_id=village.id, address="北沟村1号", home_lat=HOME[0],
                       home_lon=HOME[1], home_location_state="confirmed", enrolled_on=date(2020, 1, 1))
            s.add(p)
            s.flush()
            s.add(CareAgreement(person_id=p.id, caregiver_id=caregiver_id, relation="relative",
                                signed_on=date(2026, 1, 1), start_on=date(2026, 1, 1)))
            persons[name] = p.id
            if name == "乙镇":
                s.add(User(username="staff2", password_hash=hasher.hash(PASSWORD), role="township_staff",
                           display_name="乙镇专干", place_id=town.id))
        s.add(User(username="district", password_hash=hasher.hash(PASSWORD), role="district_admin",
                   display_name="旗民政局", place_id=district_id))
        ids = {name: [] for name in persons}
        for k in range(PER_TOWNSHIP * 3):
            name = list(persons)[k % 3]
            at = now - timedelta(days=20) + timedelta(minutes=40 * k)
            v = Visit(client_id=str(uuid.uuid4()), person_id=persons[name], caregiver_id=caregiver_id, mode="home",
                      started_at=at, ended_at=at + timedelta(minutes=2), status="exception",
                      exceptions=KINDS[(k // 3) % len(KINDS)], content_hash="q" * 64, received_at=at)
            s.add(v)
            s.flush()
            ids[name].append(v.id)
        townships = dict(s.execute(sa.text("SELECT name, id FROM place WHERE level = 'township'")).all())
        s.commit()
    return {"ids": ids, "townships": townships}


def option_texts(page, select):
    return page.locator(f"{select} option").all_inner_texts()


def test_the_district_pages_through_one_townships_queue(context, site, queue):
    page = open_app(context)
    login(page, "district")
    page.click("#exceptions-waiting")
    page.wait_for_selector("#queue details.queue-item")
    assert page.inner_text("#queue-heading") == "待审核的异常走访（600）"
    assert option_texts(page, "#queue-township") == ["全部乡镇（600）", "甲镇（200）", "乙镇（200）", "丙镇（200）"]
    # a page of lines, the longest waiting first, each closed and one line high
    lines = page.locator("#queue details.queue-item")
    assert lines.count() == 20
    assert page.locator("#queue details.queue-item[open]").count() == 0
    heights = [lines.nth(k).bounding_box()["height"] for k in range(20)]
    assert max(heights) <= 72, heights  # two short rows (whom and when; where and why)
    first = [int(x) for x in lines.evaluate_all("ls => ls.map(l => l.dataset.visit)")]
    oldest = sorted(sum(queue["ids"].values(), []))[:20]
    assert first == oldest
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"the district's review queue, first page: 20 lines of {max(heights):.0f} px, the page {height} px")
    assert height < 2200  # 50 expanded cards were 31,665 px
    shot(page, "28-3-queue-district")

    # 乙镇 alone: its two villages called 北沟村 are told apart by the township on each line
    page.select_option("#queue-township", label="乙镇（200）")
    page.wait_for_function("() => [...document.querySelectorAll('#queue details.queue-item .where')]"
                           ".every(w => w.textContent === '乙镇 北沟村') && document.querySelectorAll('#queue details.queue-item').length === 20")
    kinds = option_texts(page, "#queue-kind")
    assert kinds[0] == "全部异常（200）"
    assert "走访时间过短（80）" in kinds and "没有定位（40）" in kinds
    seen = [int(x) for x in lines.evaluate_all("ls => ls.map(l => l.dataset.visit)")]
    while page.is_visible("#queue-more"):
        before = lines.count()
        page.click("#queue-more")
        page.wait_for_function(f"() => document.querySelectorAll('#queue details.queue-item').length > {before}")
        seen = [int(x) for x in lines.evaluate_all("ls => ls.map(l => l.dataset.visit)")]
    assert seen == queue["ids"]["乙镇"]  # every one of the township's 200, in the order they wait, once each
    assert page.inner_text("#queue-shown") == "已列出 200 条，最早的在前"
    shot(page, "28-3-queue-township-paged")

    # and by exception within it
    page.select_option("#queue-kind", label="没有定位（40）")
    page.wait_for_function("() => document.querySelectorAll('#queue details.queue-item').length === 20"
                           " && [...document.querySelectorAll('#queue .kinds')].every(w => w.textContent === '没有定位')")
    page.click("#queue-more")
    page.wait_for_function("() => document.querySelectorAll('#queue details.queue-item').length === 40")
    assert not page.is_visible("#queue-more")

    # opened, a line is the visit to review; reviewed, the counts follow
    item = lines.first
    visit_id = int(item.get_attribute("data-visit"))
    item.locator("summary").click()
    item.locator("label.decision.reject").click()
    item.locator("select").select_option("not_at_home")
    shot(page, "28-3-queue-opened")
    item.locator("button.review-submit").click()
    page.wait_for_selector(f"[data-visit='{visit_id}']:has-text('已审核 · 不通过')")
    page.wait_for_function("() => document.getElementById('queue-heading').textContent === '待审核的异常走访（599）'")
    assert "乙镇（199）" in option_texts(page, "#queue-township")
    assert option_texts(page, "#queue-kind")[0] == "全部异常（199）"
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT status FROM visit WHERE id = {visit_id}")) == "rejected"


def test_a_township_sees_its_own_queue_by_exception(context, site, queue):
    page = open_app(context)
    login(page, "staff2")
    page.wait_for_selector("#queue details.queue-item")
    assert page.locator("#queue-township").count() == 0  # one township: nothing to choose
    heading = page.inner_text("#queue-heading")
    assert heading in ("待审核的异常走访（200）", "待审核的异常走访（199）")  # the district may have reviewed one
    assert {w for w in page.locator("#queue .where").all_inner_texts()} == {"乙镇 北沟村"}
    page.select_option("#queue-kind", "too_short")
    page.wait_for_function("() => [...document.querySelectorAll('#queue .kinds')].every(w => w.textContent.startsWith('走访时间过短'))")
    assert page.locator("#queue details.queue-item").count() == 20
    shot(page, "28-3-queue-township-staff")


def test_a_day_of_another_year_says_its_year(context, site, queue):
    """Last December's exception is not next month's: a day or a time of another year than this
    one (in Shanghai) shows its year, this year's do not."""
    old = server_clock.now() - timedelta(days=352)  # 2025-12-01, 10:00 Shanghai, from the 18 November instant
    page = open_app(context)
    login(page, "staff2")
    page.wait_for_selector("#queue details.queue-item")
    assert page.evaluate("(iso) => [App.fmtDay(iso), App.fmtTime(iso)]", old.isoformat()) == ["2025年12月1日",
                                                                                                 "2025/12/1 10:00"]
    this_year = server_clock.now() - timedelta(days=17)
    assert page.evaluate("(iso) => App.fmtDay(iso)", this_year.isoformat()) == "11月1日"
    assert page.evaluate("(iso) => App.fmtDay(iso)", "2025-12-31") == "2025年12月31日"
    assert page.evaluate("(iso) => App.fmtDay(iso)", "2026-01-01") == "1月1日"
