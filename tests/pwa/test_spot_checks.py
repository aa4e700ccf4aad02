"""Issue 28 (11) in Chromium at 360×740: 重点抽查、随机暗访 (seed 003 三(四)). Last month's draw sends a
share of the township's verified visits to its staff; the home says how many wait; staff call the
person back from the card and record 属实, or 不属实 with what was untrue and a note — the visit is
then rejected and its caregiver told. The district sets the share in the app and opens each
township's checks."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.auth.models import User
from server.auth.service import make_hasher
from server.casework.models import CaseworkPolicy
from server.spotchecks import service as spotchecks
from server.visits.models import Visit
from tests.pwa.conftest import HOME, PASSWORD, SAVED, login, shot
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def drawn(site):
    """Four verified visits to 李秀英 in October (the month before the tests' 18 November), a
    district admin, and October's draw at half the visits: two to call back."""
    with Session(site.database.engine) as s:
        s.execute(sa.text("UPDATE person SET phone = '13812345678' WHERE id = :id"), {"id": site.people[0]})
        cg, agreement = s.execute(sa.text("SELECT caregiver_id, id FROM careagreement WHERE person_id = :id"),
                                  {"id": site.people[0]}).one()
        s.execute(sa.text("UPDATE app_user SET phone = '13900000001' WHERE id = :id"), {"id": cg})
        for day in (3, 10, 17, 24):
            at = datetime(2026, 10, day, 9, tzinfo=SH)
            s.add(Visit(client_id=str(uuid.uuid4()), person_id=site.people[0], caregiver_id=cg, agreement_id=agreement,
                        mode="home", started_at=at, ended_at=at + timedelta(minutes=40), lat=HOME[0], lon=HOME[1],
                        accuracy_m=10, services=["home_cleaning", "regular_meals"], received_at=at, status="verified",
                        content_hash="x" * 64, health="well"))
        district_id = s.scalar(sa.text("SELECT id FROM place WHERE level = 'district'"))
        s.add(User(username="district", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                   role="district_admin", display_name="旗民政局", place_id=district_id))
        s.add(CaseworkPolicy(id=1, spot_check_percent=50))
        s.flush()
        spotchecks.draw(s, year=2026, month=10, zone=SH, now=datetime(2026, 11, 1, 1, tzinfo=SH))
        s.commit()


def visit_of(site, check_id: str) -> dict:
    with site.database.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT v.status, v.review_reason, v.review_note FROM visit v "
                                         "JOIN spotcheck c ON c.visit_id = v.id WHERE c.id = :id"),
                                 {"id": int(check_id)}).mappings().one())


def test_staff_call_back_and_record_what_they_found(context, site, drawn):
    page = open_app(context)
    login(page, "staff")
    page.wait_for_selector("#spot-checks-link .count")
    assert page.inner_text("#spot-checks-link .count") == "2"
    page.click("#spot-checks-link")
    page.wait_for_selector("#sc-list .card")
    assert "2026年10月" in page.inner_text("#sc-intro") and "50%" in page.inner_text("#sc-intro")
    assert page.locator("#sc-summary tbody td").all_inner_texts() == ["甲镇", "2", "0", "0"]
    cards = page.locator("#sc-list .card")
    assert cards.count() == 2
    first = cards.nth(0)
    check_id = first.get_attribute("data-check")
    assert "李秀英 · 东营子村" in first.inner_text() and "维护居所卫生、确保规律饮食" in first.inner_text()
    assert first.locator("a[href='tel:13812345678']").inner_text() == "拨打服务对象电话 13812345678"
    assert first.locator("a[href='tel:13900000001']").count() == 1
    # nothing chosen: said where
    first.locator(".sc-save").click()
    page.wait_for_selector(".field-error:has-text('请选择属实或不属实')")
    # 不属实 asks what was untrue and what the call found, and says what follows
    first.locator("button.sc-choice[data-value=false]").click()
    assert "照料人会收到通知" in first.inner_text()
    first.locator(".sc-save").click()
    page.wait_for_selector(".field-error:has-text('请选择不属实的情况')")
    assert page.locator(".field-error:has-text('请写明回访了解到的情况')").count() == 1
    assert visit_of(site, check_id)["status"] == "verified"
    first.locator("button.sc-reason[data-value=not_at_home]").click()
    first.locator(".sc-note").fill("电话回访本人：十月只来过一次")
    shot(page, "28-11-spot-check-untrue")
    first.locator(".sc-save").click()
    page.wait_for_selector("#status:has-text('已保存回访结果')")
    page.wait_for_selector(f"#sc-list .card[data-check='{check_id}'] .sc-outcome:has-text('不属实')")
    assert visit_of(site, check_id) == {"status": "rejected", "review_reason": "not_at_home",
                                        "review_note": "电话回访本人：十月只来过一次"}
    with site.database.engine.connect() as conn:
        told = conn.scalar(sa.text("SELECT body FROM notification WHERE kind = 'visit_review' ORDER BY id DESC"))
    assert "核实未上门" in told
    # the other: 属实
    other = page.locator("#sc-list .card:has(.sc-save)")
    other_id = other.get_attribute("data-check")
    other.locator("button.sc-choice[data-value=true]").click()
    other.locator(".sc-save").click()
    page.wait_for_selector(f"#sc-list .card[data-check='{other_id}'] .sc-outcome:has-text('属实')")
    assert visit_of(site, other_id)["status"] == "verified"
    page.wait_for_function("() => [...document.querySelectorAll('#sc-summary tbody td')].map(td => td.textContent)"
                           ".join() === '甲镇,2,2,1'")  # the township's counts follow
    shot(page, "28-11-spot-checks-done")
    page.click("#back")
    page.wait_for_function("() => location.hash === '#/staff'")
    page.wait_for_selector("#spot-checks-link")
    assert page.locator("#spot-checks-link .count").count() == 0  # nothing waits now


def test_the_district_sets_the_share_and_opens_a_township(context, site, drawn):
    page = open_app(context)
    login(page, "district")
    page.wait_for_function("() => location.hash === '#/district'")
    page.click("#casework-policy-link")
    page.wait_for_selector("#policy-spot_check_percent")
    assert page.input_value("#policy-spot_check_percent") == "50"
    assert "5% 是本地默认值" in page.inner_text("#view")
    page.fill("#policy-spot_check_percent", "8")
    page.click("#policy-save")
    page.wait_for_selector(SAVED)
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT spot_check_percent FROM caseworkpolicy")) == 8
    page.click("#back")
    page.click("#spot-checks-link")
    page.wait_for_function("() => (document.querySelector('#sc-township') || {options: []}).options.length > 1")
    assert page.locator("#sc-list .card").count() == 0  # one township at a time
    assert "抽取 50%" in page.inner_text("#sc-intro")  # October was drawn at 50%: a record, not today's 8%
    options = page.locator("#sc-township option").all_inner_texts()
    assert options[0] == "请选择乡镇查看抽查的走访" and options[1].startswith("甲镇（")
    page.select_option("#sc-township", index=1)
    page.wait_for_selector("#sc-list .card")
    assert page.locator("#sc-list .card").count() == 2
    shot(page, "28-11-spot-checks-district")
