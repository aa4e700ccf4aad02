"""The photo pipeline: untrusted bytes in, a clean JPEG, a thumbnail and evidence out.

No Flask here: it is benchmarked alone (bench/photo_ingest.py) and called by the
visits service. Every photo is decoded through an allowlist of formats, checked for
size, pixel count and trailing data, turned upright, scaled with JPEG DCT scaling,
and re-encoded without metadata, so what is stored carries no GPS. The EXIF capture
time and GPS are read first and returned as evidence.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

import imagehash
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC from iPhones, when the plugin is installed
    import pillow_heif

    pillow_heif.register_heif_opener()
    _HEIF = ("HEIF",)
except ImportError:  # pragma: no cover - the plugin is a declared dependency
    _HEIF = ()

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP") + _HEIF


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 15 * 1024 * 1024
    max_pixels: int = 48_000_000  # JPEG (decoded scaled down by DCT, "draft") and HEIC
    # PNG and WebP have no draft mode: they decode at full size (4 bytes a pixel and more), so
    # they get a lower limit of their own.
    max_pixels_png: int = 16_000_000
    max_pixels_webp: int = 16_000_000
    max_total_pixels: int = 60_000_000  # all the photos of one request together
    # decoded at once in a process, all requests together (issue 30 M4): one PNG at its limit,
    # or a few JPEGs' reduced drafts; the others wait their turn (DECODING)
    max_decoding_pixels: int = 16_000_000
    long_edge: int = 1600
    thumb_edge: int = 320
    quality: int = 85


    def pixel_limit(self, fmt: str | None) -> int:
        return {"PNG": self.max_pixels_png, "WEBP": self.max_pixels_webp}.get(fmt or "", self.max_pixels)


class PixelBudget:
    """The pixels a process holds decoded at once. Sixteen check-ins of three 16 MP PNGs each
    decoded side by side on a worker's threads, and added 2.1 GB across four workers; here a
    photo waits until its pixels fit under the budget. One larger than the budget waits for all
    of it (and then goes alone)."""

    def __init__(self):
        self.in_use = 0
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, pixels: int, budget: int):
        pixels = min(pixels, budget)
        with self._changed:
            self._changed.wait_for(lambda: self.in_use + pixels <= budget)
            self.in_use += pixels
        try:
            yield
        finally:
            with self._changed:
                self.in_use -= pixels
                self._changed.notify_all()


DECODING = PixelBudget()


class PhotoError(ValueError):
    """A photo the pipeline refuses; ``code`` names why, ``status`` is the HTTP answer."""

    def __init__(self, code: str, status: int = 422, detail: str = "", index: int | None = None):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.index = index  # which of several photos, when check_budget refuses one
        self.code = code
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class ProcessedPhoto:
    jpeg: bytes
    thumb: bytes
    width: int
    height: int
    sha256: str
    phash: str  # 16 hex digits, 64-bit DCT hash
    source_format: str
    exif_taken_at: datetime | None
    exif_lat: float | None
    exif_lon: float | None


def process(data: bytes, *, limits: Limits = Limits(), local_zone: tzinfo = timezone.utc) -> ProcessedPhoto:
    """Process one uploaded photo; raise PhotoError for anything unfit to keep.

    ``local_zone`` is where an EXIF time without an offset was taken (phones write local time).
    """
    if not data:
        raise PhotoError("photo_empty")
    if len(data) > limits.max_bytes:
        raise PhotoError("photo_too_large", 413, f"{len(data)} bytes, limit {limits.max_bytes}")

    with warnings.catch_warnings():
        # A decompression bomb is an error, never a warning to log and carry on.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except UnidentifiedImageError:
            raise PhotoError("photo_unsupported", 415, _name_format(data)) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError("photo_too_many_pixels", 422) from None
        except (OSError, SyntaxError, ValueError, struct.error) as exc:
            raise PhotoError("photo_corrupt", 422, str(exc)) from None

        with im:
            width, height = im.size
            _check_pixels(im.format, width, height, limits)
            if getattr(im, "n_frames", 1) > 1 and im.format != "HEIF":
                raise PhotoError("photo_unsupported", 415, "animated images are not photos")
            fmt = im.format
            _refuse_trailing_data(data, fmt)
            try:
                with DECODING.hold(_decoded_pixels(im, limits.long_edge), limits.max_decoding_pixels):
                    # inside the budget: Pillow decodes a PNG whole to look for its eXIf chunk
                    taken_at, lat, lon = _exif_evidence(im, local_zone)
                    upright = _scaled_upright(im, limits.long_edge)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise PhotoError("photo_too_many_pixels", 422) from None
            except (OSError, SyntaxError, ValueError, struct.error) as exc:
                # truncated or damaged pixel data only shows when it is decoded
                raise PhotoError("photo_corrupt", 422, str(exc)) from None

    jpeg = _encode(upright, limits.quality)
    thumb_im = upright.copy()
    thumb_im.thumbnail((limits.thumb_edge, limits.thumb_edge), Image.Resampling.LANCZOS)
    thumb = _encode(thumb_im, limits.quality)
    return ProcessedPhoto(
        jpeg=jpeg,
        thumb=thumb,
        width=upright.width,
        height=upright.height,
        sha256=hashlib.sha256(jpeg).hexdigest(),
        phash=str(imagehash.phash(thumb_im)),
        source_format=fmt,
        exif_taken_at=taken_at,
        exif_lat=lat,
        exif_lon=lon,
    )


def _check_pixels(fmt: str | None, width: int, height: int, limits: Limits) -> None:
    limit = limits.pixel_limit(fmt)
    if width * height > limit:
        raise PhotoError("photo_too_many_pixels", 422, f"{fmt} {width}×{height} is {width * height} pixels, "
                                                       f"limit {limit} for {fmt}")


def check_budget(files: list[bytes], limits: Limits) -> None:
    """From the photos' headers alone, before any is decoded: each photo within its format's
    limit (422, PhotoError.index says which), and all of them within ``max_total_pixels`` (413).
    A header that cannot be read is left to process(), which says what is wrong with it."""
    total = 0
    for index, data in enumerate(files):
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as im:
                    fmt, (width, height) = im.format, im.size
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise PhotoError("photo_too_many_pixels", 422, index=index) from None
            except Exception:  # noqa: BLE001 - refused by process() with its reason
                continue
        try:
            _check_pixels(fmt, width, height, limits)
        except PhotoError as err:
            err.index = index
            raise
        total += width * height
        if total > limits.max_total_pixels:
            raise PhotoError("photos_too_many_pixels_total", 413,
                             f"photos 1–{index + 1} declare {total} pixels, limit {limits.max_total_pixels} a request")


def _decoded_pixels(im: Image.Image, long_edge: int) -> int:
    """The pixels ``im`` decodes to: a JPEG's reduced draft (set here), the others' whole size."""
    width, height = im.size
    scale = min(1.0, long_edge / max(width, height))
    if im.format == "JPEG" and scale < 1.0:
        # DCT scaling: decode at 1/2, 1/4 or 1/8 straight from the compressed data. The box
        # must keep the image's aspect ratio, or draft() picks a smaller reduction than it could.
        im.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    return im.size[0] * im.size[1]


def _scaled_upright(im: Image.Image, long_edge: int) -> Image.Image:
    """``im`` decoded (at its draft, when _decoded_pixels set one), upright, RGB, ≤ long_edge."""
    im.load()
    ImageOps.exif_transpose(im, in_place=True)  # not a copy of 16 MP beside the decoded one
    out = _flatten(im)
    if max(out.size) > long_edge:
        out.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
    return out


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB") if im.mode != "RGB" else im


def _encode(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    # No exif=, icc_profile= or comment: the stored file carries pixels only.
    im.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


# --- evidence ---------------------------------------------------------------------------------

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 36867
_OFFSET_TIME_ORIGINAL = 36881
_DATETIME = 306


def _exif_evidence(im: Image.Image, local_zone: tzinfo) -> tuple[datetime | None, float | None, float | None]:
    try:
        exif = im.getexif()
    except Exception:  # a damaged EXIF block is no reason to refuse the photo
        return None, None, None
    taken = None
    try:
        sub = exif.get_ifd(_EXIF_IFD)
        raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        if raw:
            taken = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            offset = sub.get(_OFFSET_TIME_ORIGINAL)
            if offset:
                taken = datetime.fromisoformat(taken.isoformat() + str(offset).strip("\x00 "))
            else:
                taken = taken.replace(tzinfo=local_zone)
            taken = taken.astimezone(timezone.utc)
    except (ValueError, TypeError, KeyError):
        taken = None
    lat = lon = None
    try:
        gps = exif.get_ifd(_GPS_IFD)
        if gps.get(2) and gps.get(4):
            lat = _dms(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
            lon = _dms(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                lat = lon = None
    except (ValueError, TypeError, ZeroDivisionError, KeyError, IndexError):
        lat = lon = None
    return taken, lat, lon


def _dms(value) -> float:
    d, m, s = (float(v) for v in value)
    return round(d + m / 60 + s / 3600, 7)


# --- structure --------------------------------------------------------------------------------


def _refuse_trailing_data(data: bytes, fmt: str) -> None:
    """Refuse a file that carries something after the image ends (a polyglot: an image that is
    also a ZIP, a script or an HTML page to whatever looks past the picture)."""
    end = {"JPEG": _jpeg_end, "PNG": _png_end, "WEBP": _riff_end}.get(fmt)
    if end is None:
        return
    stop = end(data)
    if stop is None:
        raise PhotoError("photo_corrupt", 422, "the image structure does not end")
    trailing = data[stop:]
    if trailing.strip(b"\x00\xff\r\n "):
        raise PhotoError("photo_polyglot", 422, f"{len(trailing)} bytes after the image")


def _jpeg_end(data: bytes) -> int | None:
    """Offset just after the EOI marker that closes the first image, by walking the segments."""
    i, n = 2, len(data)
    while i + 2 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:
            return i + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            i += 2
            continue
        if i + 4 > n:
            return None
        length = int.from_bytes(data[i + 2:i + 4], "big")
        i += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            while True:
                i = data.find(b"\xff", i)  # scanning in C: a byte loop here costs more than decoding
                if i < 0 or i + 1 >= n:
                    return None
                nxt = data[i + 1]
                if nxt != 0x00 and not 0xD0 <= nxt <= 0xD7:
                    break
                i += 2
    return None


def _png_end(data: bytes) -> int | None:
    i, n = 8, len(data)
    while i + 12 <= n:
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        i += 12 + length
        if kind == b"IEND":
            return i
    return None


def _riff_end(data: bytes) -> int | None:
    if len(data) < 12:
        return None
    size = int.from_bytes(data[4:8], "little")
    return 8 + size + (size & 1)


def _name_format(data: bytes) -> str:
    """Say what a refused file seems to be, for the message; decodes nothing."""
    head = data[:16]
    for magic, name in ((b"GIF8", "GIF"), (b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
                        (b"%PDF", "PDF"), (b"PK\x03\x04", "ZIP")):
        if head.startswith(magic):
            return f"{name} is not accepted; send JPEG, PNG or WebP"
    return "not an image in an accepted format (JPEG, PNG, WebP)"
