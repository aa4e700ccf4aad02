"""Two taps on a slow uplink: the screen asked for last is the one that stays. A screen whose data
comes after the next screen was drawn must not draw over it (pwa/app.js route)."""

import time

import pytest

from tests.pwa.conftest import login, wait_sw

pytestmark = pytest.mark.browser


def test_a_slow_screen_does_not_draw_over_the_one_asked_for_after_it(context, site):
    page = context.new_page()
    page.goto("/")
    wait_sw(page)
    login(page, "staff")
    page.wait_for_selector("#alerts-link")
    page.evaluate("location.hash = '#/alerts'")
    page.wait_for_selector("#alerts-waiting")
    alerts_title = page.inner_text("#title")
    page.evaluate("location.hash = '#/coverage'")
    page.wait_for_selector("#coverage-total")
    coverage_title = page.inner_text("#title")
    assert alerts_title != coverage_title
    page.evaluate("location.hash = '#/'")
    page.wait_for_selector("#alerts-link")

    # the alerts list comes two seconds late, as on a weak signal (the page's own fetch held back)
    page.evaluate("""() => {
      const fetch0 = window.fetch;
      window.fetch = (url, options) => {
        if (!String(url).includes('/api/alerts')) return fetch0(url, options);
        window.heldBack = true;
        return new Promise((done) => setTimeout(done, 2000)).then(() => fetch0(url, options));
      };
    }""")
    page.evaluate("location.hash = '#/alerts'")
    page.wait_for_function("() => window.heldBack === true")
    page.evaluate("location.hash = '#/coverage'")  # the second tap, before the alerts came
    page.wait_for_selector("#coverage-total")
    time.sleep(2.5)  # the alerts came meanwhile
    page.wait_for_load_state("networkidle")
    assert page.evaluate("location.hash") == "#/coverage"
    assert page.locator("#alerts-waiting").count() == 0  # the alerts did not draw over the coverage
    assert page.inner_text("#title") == coverage_title and page.locator("#coverage-total").is_visible()
