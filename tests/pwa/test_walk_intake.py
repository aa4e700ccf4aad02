"""Walk (a) of issue 29's "Must show", in real Chromium: an applicant from a report from the field
to a signed agreement on the roster.

Seed 004 item 17 (主动发现: a volunteer finds someone in need) → seed 001 §二(一)3 (the 入户调查 assesses
their living conditions on annex 3's form; 审批) → seed 004 item 20 (审核确认 by the township, 张榜公示
接受群众监督 for the period the district sets: no seed gives one) → on the roster, 纳入日期 the
decision's day → seed 001 §二(一)1 the care agreement (part 5's screen)."""

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from sqlmodel import Session

from server import clock as server_clock
from server.auth.models import User
from server.auth.service import make_hasher
from server.people import idnumber
from server.places.models import Place
from tests.pwa.conftest import PASSWORD, SAVED, login, outbox_count, shot, wait_sw, wait_until

pytestmark = pytest.mark.browser

PHOTO = str(Path(__file__).resolve().parents[1] / "visits" / "files" / "good.jpg")  # the signed paper
NUMBER = idnumber.make("150430", date(1949, 6, 1), 201, "M")


def open_app(context):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    return page


def logout(page):
    page.evaluate("location.hash = '#/'")  # the role's home
    page.click("button.danger:has-text('退出登录')")
    page.wait_for_selector("#username")


def rows(site, query, **params):
    with site.database.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query), params)]


@pytest.fixture
def admin(site):
    with Session(site.database.engine) as s:
        district = s.scalar(sa.select(Place).where(Place.level == "district"))
        if s.scalar(sa.select(User.id).where(User.username == "admin")) is None:
            s.add(User(username="admin", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                       role="district_admin", display_name="旗民政局", place_id=district.id))
            s.commit()
    return "admin"


def test_an_applicant_from_a_field_report_to_a_signed_agreement_on_the_roster(context, site, admin):
    page = open_app(context)

    # the district sets the 公示 period in the app: until then none is shown as the seeds'
    login(page, admin)
    page.wait_for_selector("#intake-link")
    page.click("#intake-link")
    page.wait_for_selector("#in-policy")
    assert "尚未设定" in page.inner_text("#in-policy")
    page.fill("#in-days", "7")
    page.click("#in-days-save")
    page.wait_for_selector("#in-policy:has-text('张榜公示：7天')")
    shot(page, "intake-01-district-sets-the-notice")
    logout(page)

    # a volunteer finds someone in need off the roster (主动发现)
    login(page, "vol")
    page.click("#reports-link")
    page.click("#new-report")
    page.wait_for_selector("#report-person option:has-text('李秀英')", state="attached")
    page.click("button[data-category=needs_help]")
    page.select_option("#report-person", "new")
    page.fill("#report-new-name", "赵老汉")
    page.select_option("#report-new-village", label="西沟村")
    page.fill("#report-description", "独居，屋顶漏雨，家中缺粮")
    page.click("#report-submit")
    page.wait_for_selector(SAVED)
    wait_until(lambda: outbox_count(page) == 0, what="the report to be sent")
    [(report_id,)] = rows(site, "SELECT id FROM fieldreport WHERE person_name = '赵老汉'")
    logout(page)

    # the township's staff take it up from the task the report raised
    login(page, "staff")
    page.click("#alerts-link")
    page.click(f"[data-intake-report='{report_id}']")
    page.wait_for_selector("#in-report:has-text('赵老汉')")
    assert page.input_value("#in-name") == "赵老汉"
    assert page.locator("#in-village option:checked").inner_text() == "西沟村"
    page.fill("#in-id-number", NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1"))  # a typo in the check character
    page.fill("#in-address", "西沟村二组3号")
    page.click("#in-open")
    page.wait_for_selector("#in-id-number-error")
    page.fill("#in-id-number", NUMBER)
    shot(page, "intake-02-application")
    page.click("#in-open")
    page.wait_for_selector("#in-step:has-text('待入户调查')")
    [(app_id,)] = rows(site, "SELECT id FROM intakeapplication WHERE field_report_id = :r", r=report_id)

    # 入户调查 on annex 3's form
    page.click("#in-investigate")
    page.wait_for_selector("#status.error:has-text('自理情况')")
    for field, code in [("self_care_level", "partly_disabled"), ("housing", "own"), ("living_environment", "fair"),
                        ("quality_of_life", "fair"), ("care_quality", "fair"), ("treated_promptly", "true"),
                        ("subsidy_self_controlled", "true"), ("rights_infringed", "false"), ("overall", "poor"),
                        ("wishes_centralised", "false")]:
        page.click(f"#in-investigation #in-{field} button[data-code='{code}']")
    page.fill("#in-remarks", "独居，生活基本能自理，做饭困难")
    shot(page, "intake-03-investigation")
    page.click("#in-investigate")
    page.wait_for_selector("#in-step:has-text('待审核决定')")
    assert "半失能" in page.inner_text("#in-finding")

    # the township's decision, and the 公示
    page.click("#in-decision button[data-code='approved']")
    page.fill("#in-reason", "无劳动能力、无生活来源、无法定赡养人")
    shot(page, "intake-04-decision")
    page.click("#in-decide")
    page.wait_for_selector("#in-step:has-text('张榜公示中')")
    [(decided_on, until)] = rows(site, "SELECT decided_on, publicity_until FROM intakeapplication WHERE id = :a", a=app_id)
    assert "张榜公示" in page.inner_text("#in-history")

    # an objection stops the listing until staff decide it
    page.fill("#in-objection", "听说他有个侄子能照顾")
    page.click("#in-record-objection")
    page.wait_for_selector("#in-step:has-text('有异议，公示暂停')")
    page.click("#in-outcome button[data-code='dismissed']")
    page.fill("#in-finding-note", "侄子在外地务工，不是法定赡养人")
    page.click("#in-decide-objection")
    page.wait_for_selector("#in-step:has-text('张榜公示中')")

    # a week later the 公示 is over: on the roster, at home
    later = server_clock.now() + timedelta(days=8)
    with time_machine.travel(later, tick=True):
        context.clock.set_system_time(server_clock.now())
        page.evaluate("location.hash = '#/intake'")
        page.wait_for_selector(f"section[data-step='placing'] [data-application='{app_id}']")
        page.click(f"[data-application='{app_id}']")
        page.wait_for_selector("#in-step:has-text('公示期满，待纳入')")
        page.click("#in-placement button[data-code='home']")
        shot(page, "intake-05-placement")
        page.click("#in-place")
        page.wait_for_selector("#in-enrolled")
        [(person_id, enrolled_on, status)] = rows(
            site, "SELECT id, enrolled_on, status FROM person WHERE id_number = :n", n=NUMBER)
        assert (str(enrolled_on), status) == (str(decided_on), "active")  # 纳入日期: the decision's day
        assert rows(site, "SELECT count(*) FROM assessment WHERE person_id = :p", p=person_id) == [(1,)]
        shot(page, "intake-06-on-the-roster")

        # the care agreement is signed next, on the agreement screen (issue 29 part 5): 三方 — the
        # township, the caregiver, the village committee — and the signed paper photographed
        page.click("#in-agreement")
        page.wait_for_url(f"**#/agreement/new-{person_id}")
        page.wait_for_selector("#ag-save")
        page.select_option("#ag-caregiver", label="王照料（13900000001）")
        page.select_option("#ag-relation", "neighbour")
        page.fill("#ag-committee", "西沟村委会 刘长海")
        shot(page, "intake-07-agreement")
        page.click("#ag-save")
        page.wait_for_selector("#ag-facts")
        [(agreement_id, signed_on)] = rows(
            site, "SELECT id, signed_on FROM careagreement WHERE person_id = :p AND status = 'active'", p=person_id)
        page.set_input_files("#ag-photo", PHOTO)
        page.wait_for_selector("#ag-photos img[data-document]")
        assert rows(site, "SELECT count(*) FROM agreementdocument WHERE agreement_id = :a", a=agreement_id) == [(1,)]
        shot(page, "intake-08-signed")
        logout(page)

        # on the roster with a caregiver: the caregiver's home lists him
        login(page)
        page.wait_for_selector(f"[data-person='{person_id}'], .card:has-text('赵老汉')")
        assert "赵老汉" in page.inner_text("main")
