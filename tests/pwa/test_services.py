"""Subsidised home services and campaigns in the app: township staff register a provider, record a
bath with its photo, are refused a second one in the month with the server's reason, and read the
month's statement (and download it); the clean-up and health-check lists; the district's settings."""

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.auth.models import User
from server.auth.service import make_hasher
from tests.pwa.conftest import PASSWORD, SAVED, login, shot, wait_sw
from tests.visits.conftest import photo

pytestmark = pytest.mark.browser


def scalar(site, q):
    with site.database.engine.connect() as conn:
        return conn.scalar(sa.text(q))


def test_staff_record_a_bath_and_read_the_statement(context, site):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")
    page.click("#services-link")
    page.wait_for_selector("#svc-record-link")
    shot(page, "services-1-home")

    # a provider of the township, registered in the app
    page.click("#svc-providers-link")
    page.wait_for_selector("#prov-name")
    page.fill("#prov-name", "甲镇康乐助浴服务中心")
    page.fill("#prov-phone", "13800000001")
    page.check("#prov-bath")
    page.check("#prov-cleaning")
    page.click("#prov-add")
    page.wait_for_selector("[data-provider]:has-text('甲镇康乐助浴服务中心')")
    page.fill("#point-name", "东营子村互助养老点")
    page.click("#point-add")
    page.wait_for_selector("[data-point]:has-text('东营子村互助养老点')")
    shot(page, "services-2-providers")

    # a bath for 李秀英 (特困 at home, partly disabled) with its photo
    page.goto("/#/service-record")
    page.wait_for_selector("#svc-submit")
    page.click("[data-service=bath]")
    assert page.locator("#svc-person option").count() == 2
    page.fill("#svc-search", "李秀")
    page.press("#svc-search", "Tab")
    page.wait_for_function("() => document.querySelectorAll('#svc-person option').length === 1")
    page.select_option("#svc-person", label="李秀英 · 东营子村")
    page.set_input_files("#svc-photo", files=[{"name": "bath.jpg", "mimeType": "image/jpeg", "buffer": photo(5)}])
    page.wait_for_selector("#svc-photos img")
    shot(page, "services-3-record")
    page.click("#svc-submit")
    page.wait_for_selector("#status:has-text('已登记，补贴65元')")
    page.wait_for_selector("[data-record]:has-text('李秀英')")
    assert scalar(site, "SELECT count(*) FROM servicerecord WHERE service = 'bath'") == 1
    assert scalar(site, "SELECT count(*) FROM visitphoto WHERE service_record_id IS NOT NULL") == 1

    # the same month again: refused, with the reason on screen, nothing stored
    page.click("#svc-record-link")
    page.wait_for_selector("#svc-submit")
    page.click("[data-service=bath]")
    page.select_option("#svc-person", label="李秀英 · 东营子村")
    page.click("#svc-submit")
    page.wait_for_selector("#svc-error:has-text('本月已享受1次助浴补贴，每人每月只补贴1次')")
    shot(page, "services-4-refused")
    assert scalar(site, "SELECT count(*) FROM servicerecord") == 1

    # the statement: one bath at 65 元, on screen and as a file
    page.goto("/#/statement")
    page.wait_for_selector("#svc-statement")
    assert page.inner_text("#svc-total") == "合计 1 次，65元"
    row = page.inner_text("#svc-statement tbody tr")
    assert "甲镇康乐助浴服务中心" in row and "分散供养特困" in row and "65" in row
    shot(page, "services-5-statement")
    with page.expect_download() as got:
        page.click("#svc-csv")
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[-1] == ["合计", "", "", "", "", "1", "65"]
    assert got.value.suggested_filename.endswith("居家养老服务补贴结算表.csv")

    # the rates, read-only for township staff
    page.goto("/#/service-policy")
    page.wait_for_selector("[data-rate='bath:dibao']")
    assert "seed 002" in page.input_value("[data-rate='bath:tekun_decentralised'] textarea")
    assert page.is_disabled("[data-rate='bath:dibao'] input[type=text]")
    shot(page, "services-6-policy")


def test_campaign_lists_and_records(context, site):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")
    page.click("#campaigns-link")
    page.wait_for_selector("[data-campaign=health_check]")
    shot(page, "campaigns-1-home")

    # the clean-up: a checklist per home, points per person
    page.click("[data-campaign=cleanup]")
    page.wait_for_selector("#cmp-total")
    first = site.people[0]
    page.click(f"details[data-person='{first}'] summary")
    page.check(f"#chk-{first}-home_clean")
    page.check(f"#chk-{first}-no_odour")
    shot(page, "campaigns-2-cleanup")
    page.click(f"details[data-person='{first}'] button.primary")
    page.wait_for_selector(f"#cmp-done tr[data-person='{first}']:has-text('2分')")
    assert "已完成 1/2" in page.inner_text("#cmp-total")
    assert scalar(site, f"SELECT points FROM campaignrecord WHERE person_id = {int(first)}") == 2

    # the health check: everyone of 65 and over this year, with the family doctor signed or not
    cleanup = page.query_selector("#cmp-total")
    page.goto("/#/campaign/health_check")
    cleanup.wait_for_element_state("hidden")  # the clean-up's list gone (it has a #cmp-total too)
    page.wait_for_selector("#cmp-total")
    second = site.people[1]
    page.click(f"details[data-person='{second}'] summary")
    page.click(f"details[data-person='{second}'] button.primary")
    page.wait_for_selector("#status.error:has-text('请选择是否签约家庭医生')")
    page.click(f"details[data-person='{second}'] [data-signed=true]")
    shot(page, "campaigns-3-health-check")
    page.click(f"details[data-person='{second}'] button.primary")
    page.wait_for_selector(f"#cmp-done tr[data-person='{second}']:has-text('已签约家庭医生')")
    assert scalar(site, f"SELECT family_doctor_signed FROM campaignrecord WHERE person_id = {int(second)}") in (1, True)


def test_the_district_sets_the_checklist_and_the_rates(context, site):
    with Session(site.database.engine) as s:
        district = s.execute(sa.text("SELECT id FROM place WHERE level = 'district'")).scalar()
        s.add(User(username="admin", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                   role="district_admin", display_name="区民政局", place_id=district))
        s.commit()
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "admin")
    page.wait_for_selector("#campaigns-link")
    page.goto("/#/campaign-policy/cleanup")
    page.wait_for_selector("#cmp-policy-save")
    page.fill("#cmp-remind", "20")
    page.fill(".card >> nth=0 >> input[inputmode=numeric]", "5")
    shot(page, "campaigns-4-policy")
    page.click("#cmp-policy-save")
    page.wait_for_selector(SAVED)
    assert scalar(site, "SELECT remind_days_before FROM campaignpolicy WHERE kind = 'cleanup'") == 20
    page.goto("/#/service-policy")
    card = "[data-rate='bath:dibao']"
    page.wait_for_selector(card)
    page.fill(f"{card} input[type=text]", "80")
    page.fill(f"{card} textarea", "区民政局2027年文件")
    page.click(f"{card} button")
    page.wait_for_selector(SAVED)
    assert scalar(site, "SELECT amount_fen FROM servicerate WHERE service = 'bath' AND group_code = 'dibao'") == 8000
