"""Every local number in the district's hands, in the app (issue 29 part 8), in Chromium at 360×740:
the district admin opens 本地标准 from the home, reads each number with its default and the seed
passage (seed 000 item 7: 每人每年240元; 500元、200元每人每月补助敬老院), changes the 住院照料护理补贴, adds
重阳节 to the festivals (seed 003: 元旦春节、端午、中秋), makes the clean-up monthly from next year
(seed 000 item 11: 每季度 until then), is told in the house's words what is wrong, sees
the top-up's monthly report and downloads it; township staff read the same screen and change nothing."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.auth.models import User
from server.auth.service import make_hasher
from server.care.models import CareHome, CareResidence
from server.people.models import Person
from tests.pwa.conftest import INSTANT, PASSWORD, login, shot, wait_until
from tests.pwa.test_casework import logout
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def numbers(site):
    """A district admin, and 李秀英 (半失能) living in 甲镇敬老院 since a month before the tests' day."""
    with Session(site.database.engine) as s:
        district_id = s.scalar(sa.text("SELECT id FROM place WHERE level = 'district'"))
        admin = User(username="admin", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                     role="district_admin", display_name="区民政局", place_id=district_id)
        home = CareHome(name="甲镇敬老院", place_id=site.township_id, beds=30, staff=3, seq=1)
        s.add_all([admin, home])
        s.flush()
        person = s.get(Person, site.people[0])
        person.status, person.support_mode, person.care_home_id = "centralised", "centralised", home.id
        s.add(CareResidence(person_id=person.id, care_home_id=home.id, start_on=INSTANT.date() - timedelta(days=30)))
        s.commit()


def db(site, query):
    with site.database.engine.connect() as conn:
        return conn.scalar(sa.text(query))


def test_the_district_admin_reads_and_changes_the_local_numbers_in_the_app(context, site, numbers):
    """Seed 000 item 7 (240 元/人/年; 500 / 200 元 a month), seed 003 (the festivals, "321"), seed 004 item 4
    (3月、9月): each number beside its default and passage; a change is saved through its room and
    named and dated; bad input is said beside the field, the server's 422 in its own words."""
    page = open_app(context)
    login(page, "admin")
    page.click("#local-numbers-link")
    page.wait_for_selector("#ln-subsidies")
    hospital = page.locator("[data-number=hospital_care_per_year]")
    assert "默认：每人每年240元" in hospital.inner_text() and "每人每年240元标准" in hospital.inner_text()
    assert "500元、200元每人每月补助敬老院" in page.inner_text("[data-number=topup_fully_disabled]")
    assert page.input_value("#ln-topup-partly") == "200"
    assert "区级领导结对2-3人" in page.inner_text("#ln-321") and page.input_value("#ln-321-other-high") == "1"
    assert "每年3月统一核查1次" in page.inner_text("#ln-reviews") and page.input_value("#ln-review-second") == "9"
    assert "65周岁以上" in page.inner_text("#ln-health") and "本地默认" in page.inner_text("#ln-late")
    assert "每季度" in page.inner_text("#ln-campaign-cleanup")
    assert "未修改" in page.inner_text("#ln-subsidies .changed")
    # the top-up's month: 李秀英, 半失能, 200 元
    page.wait_for_selector("#ln-topup-table")
    assert "李秀英\t半失能" in page.inner_text("#ln-topup-table") and "200" in page.inner_text("#ln-topup-table")
    shot(page, "29-8-local-numbers")

    # a bad amount is said beside its field and nothing is sent
    page.fill("#ln-hospital", "-5")
    page.click("#ln-subsidies-save")
    page.wait_for_selector("#ln-hospital-error")
    assert db(site, "SELECT count(*) FROM caresubsidypolicy") == 0
    page.fill("#ln-hospital", "300")
    page.click("#ln-subsidies-save")
    wait_until(lambda: db(site, "SELECT hospital_care_per_year FROM caresubsidypolicy") == 300, what="the subsidy saved")
    page.wait_for_selector("#ln-subsidies .changed:has-text('区民政局')")
    assert page.input_value("#ln-hospital") == "300"

    # the festivals: a seed's name is refused by the server, in its words, beside the field; 重阳节 is added
    page.fill("#ln-festival-name", "端午")
    page.click("#ln-festival-add")
    page.wait_for_selector("#ln-festival-name-error:has-text('不能与已有节日重复')")
    page.fill("#ln-festival-name", "重阳节")
    page.click("#ln-festival-add")
    page.wait_for_selector("#ln-festival-list li[data-festival='重阳节']")
    assert json.loads(db(site, "SELECT festivals FROM festivalpolicy")) == ["重阳节"]

    # the review months: the same twice is refused on the phone; a new second month is saved
    page.select_option("#ln-review-second", "3")
    page.click("#ln-reviews-save")
    page.wait_for_selector("#ln-review-second-error")
    page.select_option("#ln-review-second", "10")
    page.click("#ln-reviews-save")
    wait_until(lambda: db(site, "SELECT review_second_month FROM schedulepolicy") == 10, what="the review month saved")

    # the "321" range of other cadres
    page.wait_for_selector("#ln-321-other-high")
    page.fill("#ln-321-other-high", "2")
    page.click("#ln-321-save")
    wait_until(lambda: (json.loads(db(site, "SELECT rule_321 FROM festivalpolicy") or "null") or {}).get("other") == [1, 2],
               what="the 321 range")

    # the clean-up's frequency (seed 000 item 11: 每季度) from a later year: 2026 keeps its quarters
    assert "2026年：每季度一次" in page.inner_text("#ln-frequency-cleanup-now")
    page.select_option("#ln-frequency-cleanup", "month")
    page.select_option("#ln-frequency-cleanup-from", "2027")
    page.click("#ln-frequency-cleanup-save")
    page.wait_for_selector("#ln-campaign-cleanup [data-version='2027']:has-text('2027年起：每月一次')")
    assert db(site, "SELECT frequency FROM campaignfrequency WHERE kind = 'cleanup' AND from_year = 2027") == "month"
    assert "2026年：每季度一次" in page.inner_text("#ln-frequency-cleanup-now")

    # the monthly report downloads as Excel
    page.wait_for_selector("#ln-topup-xlsx")
    with page.expect_download() as got:
        page.click("#ln-topup-xlsx")
    assert got.value.suggested_filename.endswith(".xlsx")
    shot(page, "29-8-local-numbers-changed")
    logout(page)


def test_township_staff_read_the_numbers_and_change_nothing(context, site, numbers):
    """Least privilege: township staff see every number with its default and source, and no field to change."""
    page = open_app(context)
    login(page, "staff")
    page.click("#local-numbers-link")
    page.wait_for_selector("#ln-readonly")
    assert page.is_disabled("#ln-hospital") and page.is_disabled("#ln-review-month") and page.is_disabled("#ln-321-other-low")
    assert page.locator("#ln-subsidies-save, #ln-reviews-save, #ln-321-save, #ln-festival-add, "
                        "#ln-frequency-cleanup-save").count() == 0
    assert page.locator("#ln-frequency-cleanup").count() == 0
    assert "2026年：每季度一次" in page.inner_text("#ln-frequency-cleanup-now")
    assert "每人每年240元标准" in page.inner_text("[data-number=hospital_care_per_year]")
    page.wait_for_selector("#ln-topup-table")
    assert "李秀英" in page.inner_text("#ln-topup-table")
