"""One-time passwords, changing one's password and resetting another's, in real Chromium."""

import json
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select
from sqlmodel import Session

from server.auth.models import User
from server.auth.service import issue_one_time_password, make_hasher
from tests.pwa.conftest import PASSWORD, login, shot, wait_sw

pytestmark = pytest.mark.browser

HASHER = make_hasher(time_cost=1, memory_kib=8)


def open_app(context):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    return page


def new_caregiver(site, username: str) -> str:
    """A caregiver as the roster import leaves one: a login with a one-time password."""
    with Session(site.database.engine) as s:
        place_id = s.scalar(select(User.place_id).where(User.username == "13900000001"))
        u = User(username=username, password_hash="!", role="caregiver", display_name="赵新来", place_id=place_id)
        s.add(u)
        s.flush()
        otp = issue_one_time_password(s, user=u, hasher=HASHER)
        s.commit()
    return otp


def api_login(site, username, password) -> int:
    req = urllib.request.Request(f"{site.url}/api/auth/login", headers={"Content-Type": "application/json"},
                                 data=json.dumps({"username": username, "password": password}).encode())
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_one_time_password_forces_a_new_one_first(context, site):
    otp = new_caregiver(site, "13900000055")
    page = open_app(context)
    login(page, "13900000055", otp)
    page.wait_for_selector("#new-password")
    assert page.inner_text("#title") == "设置新密码"
    assert page.is_hidden("#back")
    shot(page, "20-set-new-password")

    # nothing else is reachable until it is done
    page.goto("/#/inbox")
    page.wait_for_selector("#new-password")
    assert page.inner_text("#title") == "设置新密码"

    # errors beside their field: a mismatch on the phone, a wrong one-time password from the server
    page.fill("#current-password", otp)
    page.fill("#new-password", "my-own-pass-1")
    page.fill("#new-password-again", "my-own-pass-2")
    page.click("#save-password")
    page.wait_for_selector("#new-password-again-error:has-text('不一致')")
    page.fill("#current-password", "00000000" if otp != "00000000" else "11111111")
    page.fill("#new-password-again", "my-own-pass-1")
    page.click("#save-password")
    page.wait_for_selector("#current-password-error:has-text('当前密码不正确')")
    page.fill("#new-password", "13900000055")
    page.fill("#new-password-again", "13900000055")
    page.fill("#current-password", otp)
    page.click("#save-password")
    page.wait_for_selector("#new-password-error:has-text('用户名或手机号')")
    shot(page, "21-set-new-password-errors")

    page.fill("#new-password", "my-own-pass-1")
    page.fill("#new-password-again", "my-own-pass-1")
    page.click("#save-password")
    page.wait_for_selector("#inbox-link")  # the caregiver's home
    assert page.evaluate("location.hash") == "#/home"
    page.wait_for_selector("#status:has-text('密码已修改')")
    shot(page, "22-home-after-new-password")

    assert api_login(site, "13900000055", otp) == 401
    assert api_login(site, "13900000055", "my-own-pass-1") == 200


def test_staff_type_a_username_of_letters_on_the_phone_keyboard(context, site):
    """Issue 28 (1): the username field called up a dial pad (inputmode tel), so staff01 or admin
    could not be typed on Android."""
    page = open_app(context)
    username = page.locator("#username")
    assert username.get_attribute("inputmode") is None  # the full keyboard, letters and digits
    assert username.get_attribute("autocapitalize") == "none" and username.get_attribute("spellcheck") == "false"
    assert page.inner_text("label[for=username]") == "用户名（照料人、志愿者为手机号）"
    username.press_sequentially("staff")
    page.locator("#password").press_sequentially(PASSWORD)
    shot(page, "28-1-login-letters")
    page.click("button[type=submit]")
    page.wait_for_selector("#alerts-link")
    assert page.evaluate("location.hash") == "#/staff"


def test_change_password_and_log_out_everywhere(context, site):
    new_caregiver(site, "13900000066")
    with Session(site.database.engine) as s:
        u = s.scalar(select(User).where(User.username == "13900000066"))
        u.password_hash = HASHER.hash("first-pass-1")
        u.must_change_password = False
        s.commit()
    page = open_app(context)
    login(page, "13900000066", "first-pass-1")
    page.click("#inbox-link")
    page.wait_for_selector("#account")
    shot(page, "23-inbox-account")
    page.click("#password-link")
    page.wait_for_selector("#new-password")
    assert page.inner_text("#title") == "修改密码"
    page.fill("#current-password", "first-pass-1")
    page.fill("#new-password", "second-pass-2")
    page.fill("#new-password-again", "second-pass-2")
    page.click("#save-password")
    page.wait_for_selector("#status:has-text('密码已修改')")
    assert api_login(site, "13900000066", "second-pass-2") == 200

    page.click("#inbox-link")
    page.click("#logout-all")
    page.wait_for_selector("#username")
    page.wait_for_selector("#status:has-text('所有设备')")


def test_staff_reset_a_password_and_see_it_once(context, site):
    new_caregiver(site, "13900000077")
    page = open_app(context)
    login(page, "staff")
    page.click("#logins-link")
    card = ".card:has-text('13900000077')"
    page.wait_for_selector(card)
    assert page.is_visible(".card:has-text('13900000001')")
    assert not page.is_visible(".card:has-text('民政专干')")  # staff reset field logins only
    page.click(f"{card} button[data-reset]")
    page.wait_for_selector(f"{card} button:has-text('确认重置')")
    page.click(f"{card} button[data-reset]")
    page.wait_for_selector(f"{card} .otp-value")
    page.locator(f"{card} .otp-value").scroll_into_view_if_needed()
    otp = page.inner_text(f"{card} .otp-value").strip()
    assert len(otp) == 8 and otp.isdigit()
    shot(page, "24-staff-reset-password")
    assert api_login(site, "13900000077", otp) == 200
    page.reload()
    page.wait_for_selector(card)
    assert page.locator(".otp-value").count() == 0  # shown once
