"""The intake screen reads the applications a page at a time (a district's pile over the years):
the open ones first, then a 加载更多 for the rest, each step's count marked + until all are in."""

from datetime import date

import pytest
import sqlalchemy as sa

from sqlmodel import Session

from server.intake.models import IntakeApplication
from server.people import idnumber
from tests.pwa.conftest import login, wait_sw

pytestmark = pytest.mark.browser


def test_the_intake_screen_loads_more_applications_on_demand(context, site):
    with Session(site.database.engine) as s:
        staff = s.scalar(sa.text("SELECT id FROM app_user WHERE username = 'staff'"))
        village = s.scalar(sa.text("SELECT id FROM place WHERE name = '西沟村'"))
        # 100 refused over the years, then 2 still being investigated
        s.add_all([IntakeApplication(status="refused" if k < 100 else "investigating", township_id=site.township_id,
                                     village_id=village, name=f"申请人{k:03d}", opened_on=date(2025, 1, 1), opened_by=staff,
                                     id_number=idnumber.make("150430", date(1940, 1, 1 + k % 28), 300 + k, "M"))
                   for k in range(102)])
        s.commit()
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")
    page.wait_for_selector("#alerts-link")
    page.evaluate("location.hash = '#/intake'")
    page.wait_for_selector("[data-step='investigating']")
    # the open ones first: both investigating on the first page, 98 of the refused
    assert page.locator("[data-step='investigating'] [data-application]").count() == 2
    assert page.locator("[data-step='refused'] [data-application]").count() == 98
    assert "98+" in page.inner_text("[data-step='refused'] h3")
    page.click("#in-more")
    page.wait_for_function("() => document.querySelectorAll(\"[data-step='refused'] [data-application]\").length === 100")
    assert page.locator("#in-more").is_hidden()
    assert "（100）" in page.inner_text("[data-step='refused'] h3")
