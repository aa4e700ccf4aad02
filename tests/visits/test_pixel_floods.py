"""Issue 14 part 5: a request's photos have a pixel budget, and PNG/WebP (decoded at full size,
no draft) a lower limit each; both are checked from the headers, before anything is decoded."""

import io
import time

import pytest
from PIL import Image

from server import max_content_length
from server.config import load_settings
from server.photos import pipeline


def png(width, height) -> bytes:
    buf = io.BytesIO()
    Image.new("1", (width, height), 1).save(buf, "PNG")  # one colour: a few hundred KB
    return buf.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    def refuse(*a, **kw):
        raise AssertionError("a photo was decoded")
    monkeypatch.setattr(pipeline, "_scaled_upright", refuse)


def test_six_48_megapixel_pngs_are_refused_before_decoding(checkin, no_decoding):
    flood = png(8000, 6000)
    assert len(flood) * 6 < 1_500_000
    t = time.process_time()
    r = checkin.post(photos=[flood] * 6)
    assert time.process_time() - t < 2
    assert r.status_code == 422, r.get_json()
    body = r.get_json()
    assert body["reason"] == "photo_too_many_pixels" and "limit 16000000 for PNG" in body["errors"]["photos"]["0"][0]


def test_the_budget_counts_the_whole_request(checkin, no_decoding):
    r = checkin.post(photos=[png(4000, 3000)] * 6)  # 12 MP each, under the PNG limit; 72 MP together
    assert r.status_code == 413
    body = r.get_json()
    assert body["reason"] == "photos_too_many_pixels_total"
    assert body["message"] == ("The photos of this upload have too many pixels together (limit 60000000); "
                               "send fewer or smaller photos")


def test_one_png_over_the_png_limit(checkin, no_decoding):
    r = checkin.post(photos=[png(5000, 4000)])  # 20 MP: fine for a JPEG, not for a PNG
    assert r.status_code == 422
    body = r.get_json()
    assert body["reason"] == "photo_too_many_pixels" and body["message"] == "Photo 1 has too many pixels"
    assert "limit 16000000 for PNG" in body["errors"]["photos"]["0"][0]


def test_one_webp_over_the_webp_limit(checkin, no_decoding):
    buf = io.BytesIO()
    Image.new("RGB", (5000, 4000), (200, 30, 30)).save(buf, "WEBP", quality=10, method=0)
    r = checkin.post(photos=[buf.getvalue()])
    assert r.status_code == 422 and "limit 16000000 for WEBP" in r.get_json()["errors"]["photos"]["0"][0]


def test_a_jpeg_keeps_the_general_limit():
    limits = pipeline.Limits()
    assert limits.pixel_limit("JPEG") == 48_000_000 and limits.pixel_limit("PNG") == 16_000_000
    assert limits.pixel_limit("WEBP") == 16_000_000


def test_settings_and_request_size():
    c = load_settings({"SECRET_KEY": "x"})
    assert (c["PHOTO_MAX_PIXELS_PNG"], c["PHOTO_MAX_PIXELS_WEBP"], c["PHOTO_MAX_TOTAL_PIXELS"]) == \
        (16_000_000, 16_000_000, 60_000_000)
    # the photos within their budget, or a roster file, and the form fields: no more
    assert max_content_length(c) == 60_000_000 + 1024 * 1024
    assert max_content_length({**c, "PHOTO_MAX_TOTAL_PIXELS": 10_000_000}) == 20 * 1024 * 1024 + 1024 * 1024


def test_an_oversized_body_is_413(client, session, world):
    from tests import factories
    h = factories.headers(session, world.a.caregiver, **{"Accept-Language": "en"})
    r = client.post("/api/visits", data=b"x" * (62 * 1024 * 1024), headers=h, content_type="multipart/form-data; boundary=x")
    assert r.status_code == 413


def test_a_process_decodes_no_more_pixels_at_once_than_its_budget(monkeypatch):
    """Issue 30 M4: sixteen check-ins of three 16 MP PNGs decoded side by side on a worker's threads
    and added 2.1 GB across four workers. Here six threads each process a 2 MP PNG under a budget of
    5 MP: two decode at a time, never three, and every photo comes out."""
    import threading

    inside, most, lock = [0], [0], threading.Lock()
    real = pipeline._scaled_upright

    def decoding(im, long_edge):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.2)  # long enough for the others to try
        try:
            return real(im, long_edge)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(pipeline, "_scaled_upright", decoding)
    limits = pipeline.Limits(max_decoding_pixels=5_000_000)
    photo = png(2000, 1000)
    out = [None] * 6

    def run(k):
        out[k] = pipeline.process(photo, limits=limits)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert most[0] == 2
    assert all(p is not None and p.width == 1600 for p in out)
    assert pipeline.DECODING.in_use == 0


def test_a_photo_larger_than_the_budget_waits_for_all_of_it_and_goes_alone():
    limits = pipeline.Limits(max_decoding_pixels=1_000_000)
    assert pipeline.process(png(2000, 1000), limits=limits).width == 1600  # 2 MP: not refused, not stuck
    assert pipeline.DECODING.in_use == 0
