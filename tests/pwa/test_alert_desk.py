"""Issue 28 (4) in Chromium at 360×740: a field report's alert showed its title alone, resolved
alerts vanished with no history, the deadline was not shown, 已确认 said not by whom, and the
丧葬 task offered 送医就诊 and 移交司法机关 but no 丧葬事宜已办理."""

import uuid

import pytest
import requests
import sqlalchemy as sa
from sqlmodel import Session

from server import clock as server_clock
from server.alerts.service import AlertSettings, raise_alert
from tests.pwa.conftest import PASSWORD, login, shot
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser

REPORTER_PHONE = "13911112222"


@pytest.fixture(scope="module")
def desk(site):
    with Session(site.database.engine) as s:
        s.execute(sa.text(f"UPDATE app_user SET phone = '{REPORTER_PHONE}' WHERE username = '13900000001'"))
        funeral, _ = raise_alert(s, kind="funeral", township_id=site.township_id, person_id=site.people[1],
                                 title="张德明去世：办理丧葬事宜", dedupe_key="funeral:desk",
                                 settings=AlertSettings({"urgent": 240, "normal": 4320}), now=server_clock.now(),
                                 detail={"task": "funeral"})
        s.commit()
        funeral_id = funeral.id
    token = requests.post(f"{site.url}/api/auth/login", json={"username": "13900000001", "password": PASSWORD},
                          timeout=10).json()["access_token"]
    r = requests.post(f"{site.url}/api/field-reports", headers={"Authorization": f"Bearer {token}"}, timeout=10, json={
        "client_id": str(uuid.uuid4()), "category": "major_change", "subject": "hospital", "person_id": site.people[0],
        "description": "昨晚突发胸闷，已送旗医院住院"})
    assert r.status_code == 201, r.text
    return {"funeral": funeral_id, "report": r.json()["alert_id"]}


def test_an_alert_says_what_was_reported_by_whom_and_by_when(context, site, desk):
    page = open_app(context)
    login(page, "staff")
    page.click("#alerts-link")
    report = page.locator(f"[data-alert='{desk['report']}']")
    report.wait_for()
    assert report.locator(".reporter").inner_text() == "上报人：王照料（照料服务人）"
    assert report.locator(".report-words").inner_text().endswith("昨晚突发胸闷，已送旗医院住院")
    assert report.locator("[data-call=reporter]").get_attribute("href") == f"tel:{REPORTER_PHONE}"
    assert report.locator(".sla").inner_text().startswith("处理时限：")
    report.scroll_into_view_if_needed()
    shot(page, "28-4-alert-field-report")


def test_the_funeral_task_is_acknowledged_by_name_closed_as_a_funeral_and_kept(context, site, desk):
    page = open_app(context)
    login(page, "staff")
    page.click("#alerts-link")
    card = page.locator(f"[data-alert='{desk['funeral']}']")
    card.wait_for()
    assert card.locator("select option").all_inner_texts() == ["丧葬事宜已办理", "丧葬补贴已发放", "其他"]
    card.locator("button.ack").click()
    card = page.locator(f"[data-alert='{desk['funeral']}']")
    page.wait_for_selector(f"[data-alert='{desk['funeral']}'] .alert-status:has-text('已确认')")
    assert card.locator(".alert-status").inner_text() == "处理中（民政专干 已确认）"
    assert "已确认（民政专干）" in card.locator(".events").inner_text()
    shot(page, "28-4-alert-funeral-acknowledged")
    card.locator("select").select_option("funeral_subsidy_paid")
    card.locator("button", has_text="处理完毕").click()
    page.wait_for_selector(f"[data-alert='{desk['funeral']}']", state="detached")
    with site.database.engine.connect() as conn:
        assert conn.scalar(sa.text(f"SELECT outcome FROM alert WHERE id = {desk['funeral']}")) == "funeral_subsidy_paid"
    # the history keeps it, with how it ended
    page.click("#alerts-done")
    done = page.locator(f"[data-alert='{desk['funeral']}']")
    done.wait_for()
    assert done.locator(".outcome-done").inner_text().startswith("已办结：丧葬补贴已发放")
    assert done.locator("select").count() == 0
    shot(page, "28-4-alerts-done")
    page.click("#alerts-waiting")
    page.wait_for_selector(f"[data-alert='{desk['report']}']")
    assert page.locator(f"[data-alert='{desk['funeral']}']").count() == 0
