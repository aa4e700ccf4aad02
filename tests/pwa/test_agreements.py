"""Issue 29 part 5 in the app: staff register an organisation (供养服务机构、社会组织, seed 002 item 5) and
a staff login for it, sign a person's 三方 agreement with it (seed 001 二(一)1: 乡镇、居（村）委会、照料护理人;
the care content from the catalogue), photograph the signed paper, and the district marks it 已备案
(seed 001 三(二)3: 报旗民政局备案). The organisation's staff member then sees the person on their home."""

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from server.auth.models import User
from server.people import idnumber
from server.people.models import Person
from tests.pwa.conftest import PASSWORD, login, shot, wait_sw, wait_until

pytestmark = pytest.mark.browser

PHOTO = str(Path(__file__).resolve().parents[1] / "visits" / "files" / "with_gps.jpg")


def scalar(site, sql, **params):
    with site.database.engine.connect() as conn:
        return conn.scalar(sa.text(sql), params)


@pytest.fixture(scope="module")
def newcomer(site):
    """赵桂兰, under home care without an agreement; and the district's admin."""
    from server.auth.service import make_hasher

    with Session(site.database.engine) as s:
        town = s.execute(sa.text("SELECT parent_id FROM place WHERE id = :t"), {"t": site.township_id}).scalar()
        village = s.execute(sa.text("SELECT id FROM place WHERE parent_id = :t ORDER BY id"), {"t": site.township_id}).scalar()
        s.add(User(username="admin", password_hash=make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD),
                   role="district_admin", display_name="旗民政局", place_id=town))
        born = date(1948, 6, 1)
        p = Person(name="赵桂兰", sex="F", birth_date=born, id_number=idnumber.make("150430", born, 300, "F"),
                   self_care_level="fully_disabled", village_id=village, enrolled_on=date(2020, 1, 1))
        s.add(p)
        s.commit()
        return p.id


def test_staff_sign_an_organisations_agreement_and_photograph_it(context, site, newcomer):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")
    page.click("#agreements-link")
    page.wait_for_selector("#ag-list")
    page.click("#ag-organisations-link")

    # an organisation of the township, and a login for one of its staff
    page.click("#ag-org-add summary")
    page.fill("#ag-org-new-name", "甲镇康乐养老服务中心")
    page.select_option("#ag-org-new-kind", "institution")
    page.fill("#ag-org-new-contact", "赵敏")
    page.click("#ag-org-new-save")
    page.wait_for_selector("#ag-orgs [data-organisation]")
    org = scalar(site, "SELECT id FROM careorganisation WHERE name = '甲镇康乐养老服务中心'")
    page.click(f"[data-organisation='{org}'] summary")
    page.fill(f"#ag-staff-{org}-username", "13911112222")
    page.fill(f"#ag-staff-{org}-name", "孙护理")
    page.click(f"#ag-staff-{org}-add")
    page.wait_for_selector(f"#ag-staff-{org}-otp .otp-value")
    assert len(page.inner_text(f"#ag-staff-{org}-otp .otp-value").strip()) >= 8
    member = scalar(site, "SELECT user_id FROM organisationmember WHERE organisation_id = :o", o=org)
    assert scalar(site, "SELECT must_change_password FROM app_user WHERE id = :u", u=member) == 1
    shot(page, "agreements-1-organisation")

    # the person's agreement, from the roster's link as intake will send staff: #/agreement/new-<id>
    page.goto(f"/#/agreement/new-{newcomer}")
    page.wait_for_selector("#ag-save")
    # the catalogue's care for a fully disabled person, all ticked
    assert page.locator("#ag-content [data-care='bathing']").is_checked()
    page.click("#ag-save")  # nobody chosen: said beside the field, nothing stored
    page.wait_for_selector(".field-error, [aria-invalid='true']")
    assert scalar(site, "SELECT count(*) FROM careagreement WHERE person_id = :p", p=newcomer) == 0
    page.select_option("#ag-holder", "organisation")
    page.select_option("#ag-org", str(org))
    page.wait_for_selector(f"#ag-org-staff option[value='{member}']", state="attached")
    page.select_option("#ag-org-staff", str(member))
    page.fill("#ag-committee", "村主任 刘长海")
    page.uncheck("#ag-content [data-care='environment_cleanup']")
    shot(page, "agreements-2-sign")
    page.click("#ag-save")
    page.wait_for_selector("#ag-facts")
    agreement = scalar(site, "SELECT id FROM careagreement WHERE person_id = :p AND status = 'active'", p=newcomer)
    assert scalar(site, "SELECT organisation_id FROM careagreement WHERE id = :a", a=agreement) == org
    assert scalar(site, "SELECT committee_signatory FROM careagreement WHERE id = :a", a=agreement) == "村主任 刘长海"
    content = scalar(site, "SELECT care_content FROM careagreement WHERE id = :a", a=agreement)
    assert "bathing" in content and "environment_cleanup" not in content
    assert page.inner_text("#ag-filing") == "未备案"

    # the signed paper, photographed
    page.set_input_files("#ag-photo", PHOTO)
    page.wait_for_selector("#ag-photos img[data-document]")
    wait_until(lambda: page.evaluate("() => document.querySelector('#ag-photos img').naturalWidth > 0"),
               what="the paper's photo to show")
    assert scalar(site, "SELECT count(*) FROM agreementdocument WHERE agreement_id = :a", a=agreement) == 1
    shot(page, "agreements-3-paper")

    # listed among those not filed
    page.goto("/#/agreements")
    page.wait_for_selector("#ag-list")
    page.check("#ag-unfiled")
    page.wait_for_selector(f"#ag-list [data-agreement='{agreement}']")
    assert page.locator("#ag-list [data-filed='1']").count() == 0


def test_the_district_files_it_and_the_organisations_staff_see_the_person(context, site, newcomer):
    agreement = scalar(site, "SELECT id FROM careagreement WHERE person_id = :p AND status = 'active'", p=newcomer)
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "admin")
    page.wait_for_selector("#agreements-link")
    page.goto(f"/#/agreement/{agreement}")
    page.wait_for_selector("#ag-file-save")
    page.click("#ag-file-save")
    page.wait_for_selector("#ag-filing:has-text('已备案')")
    assert scalar(site, "SELECT filed_on FROM careagreement WHERE id = :a", a=agreement) is not None
    assert page.locator("#ag-file-save").count() == 0
    shot(page, "agreements-4-filed")

    # the organisation's staff member logs in (after a new password) and finds the person on their home
    with site.database.engine.begin() as conn:
        from server.auth.service import make_hasher

        conn.execute(sa.text("UPDATE app_user SET password_hash = :h, must_change_password = false "
                             "WHERE username = '13911112222'"), {"h": make_hasher(time_cost=1, memory_kib=8).hash(PASSWORD)})
    page.evaluate("location.hash = '#/'")  # the role's home
    page.click("button.danger:has-text('退出登录')")
    page.wait_for_selector("#username")
    login(page, "13911112222")
    page.wait_for_selector(f"[data-person='{newcomer}'], a[href='#/person/{newcomer}']")
