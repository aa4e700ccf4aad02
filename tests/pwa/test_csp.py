"""Issue 14 part 6: the PWA runs under its strict Content-Security-Policy with no violation:
log in and open the screens of a caregiver and of staff, and listen for any report."""

import pytest

from tests.pwa.conftest import login
from tests.pwa.test_pwa import open_app

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


def _watch(context):
    context.add_init_script(LISTEN)
    page = open_app(context)
    messages = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None)
    return page, messages


def _assert_clean(page, messages):
    assert page.evaluate("window.__cspViolations") == []
    assert messages == []


def test_no_csp_violation_as_caregiver(context, site):
    page, messages = _watch(context)
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    login(page)
    page.wait_for_selector(".card")
    # the progress bars set their width (a style) through CSSOM, not a style attribute
    assert page.locator(".progress span").count() > 0
    for hash_ in (f"#/person/{site.people[0]}", f"#/checkin/{site.people[0]}", "#/outbox", "#/inbox", "#/home"):
        page.goto(f"/{hash_}")
        page.wait_for_selector("#view *")
        page.wait_for_timeout(200)
    # the home draws its bars when the progress answers: wait for them, not for a fixed time
    page.wait_for_selector(".progress span", state="attached")
    _assert_clean(page, messages)
    width = page.evaluate("getComputedStyle(document.querySelector('.progress span')).width")
    assert width.endswith("px")


def test_no_csp_violation_as_staff(context, site):
    page, messages = _watch(context)
    login(page, "staff")
    page.wait_for_selector("main h2")
    for hash_ in ("#/coverage", "#/dashboard", "#/alerts", "#/inbox", "#/exceptions", "#/reports", "#/district",
                  f"#/unvisited/{site.township_id}"):
        page.goto(f"/{hash_}")
        page.wait_for_selector("#view *")
        page.wait_for_timeout(300)
    _assert_clean(page, messages)
