"""The app with photos in object storage (PHOTO_STORAGE=s3), in real Chromium: a caregiver's
photo goes into the bucket, and staff see it on the review screen, fetched through the signed URL
the photo route redirects to (the bucket's CORS rule, the app's CSP naming the store)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from server import clock as server_clock
from server import create_app
from tests.photos.conftest import Bucket, s3_endpoint  # noqa: F401  (s3_endpoint: a fixture)
from tests.pwa.conftest import HOME, LiveServer, login, shot, wait_until
from tests.pwa.test_pwa import check_in, open_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def s3_site(site, s3_endpoint):  # noqa: F811
    """The same database and users as ``site``, served by an app that keeps photos in a bucket."""
    bucket = Bucket(s3_endpoint)
    c = site.app.config
    app = create_app({"DATABASE": site.database, "SECRET_KEY": "pwa", "VAPID_PRIVATE_KEY": c["VAPID_PRIVATE_KEY"],
                      "INSTANCE_DIR": c["INSTANCE_DIR"], "MEDIA_DIR": c["MEDIA_DIR"], "ARGON2_TIME_COST": 1,
                      "ARGON2_MEMORY_KIB": 8, **bucket.config})
    server = LiveServer(app)
    bucket.client.put_bucket_cors(Bucket=bucket.name, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [server.url], "AllowedMethods": ["GET"], "AllowedHeaders": ["*"], "MaxAgeSeconds": 3600}]})
    server.start()
    server.bucket = bucket
    yield server
    server.stop()


def phone(browser, site):
    ctx = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=1, locale="zh-CN", base_url=site.url,
        geolocation={"latitude": HOME[0] + 0.0002, "longitude": HOME[1] + 0.0002, "accuracy": 12},
        permissions=["geolocation"])
    ctx.clock.install(time=server_clock.now())
    return ctx


def test_staff_see_a_photo_kept_in_the_bucket(browser, s3_site):
    caregiver = phone(browser, s3_site)
    try:
        page = open_app(caregiver)
        login(page)
        page.wait_for_selector(".card")
        check_in(page)
        wait_until(lambda: len(s3_site.bucket.keys()) == 2, what="the photo and its thumbnail in the bucket")
    finally:
        caregiver.close()
    assert not Path(s3_site.app.config["MEDIA_DIR"], "photos").exists()

    office = phone(browser, s3_site)
    try:
        staff = office.new_page()
        statuses = []
        staff.on("response", lambda r: statuses.append(r.status) if "/api/photos/" in r.url else None)
        staff.goto("/")
        login(staff, "staff")
        staff.locator("[data-visit] summary").first.click()  # a line in the queue until opened
        expect(staff.locator("[data-visit] .thumbs img").first).to_be_visible(timeout=15000)
        staff.wait_for_function("() => { const i = document.querySelector('[data-visit] .thumbs img');"
                                " return i && i.complete && i.naturalWidth > 0; }")
        size = staff.evaluate("() => { const i = document.querySelector('[data-visit] .thumbs img');"
                              " return [i.naturalWidth, i.naturalHeight]; }")
        assert max(size) == 320  # the thumbnail
        assert 302 in statuses  # through the signed URL, not from the app's disk
        shot(staff, "staff-review-photo-from-object-storage")
    finally:
        office.close()
