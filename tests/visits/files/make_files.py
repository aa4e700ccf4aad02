"""Regenerates the photo files the visit tests keep (run from the repository root):

    .venv/bin/python tests/visits/files/make_files.py

Each file is small; the large ones are headers that claim many pixels.
"""

import io
import struct
import zipfile
import zlib
from pathlib import Path

from PIL import Image

HERE = Path(__file__).parent


def jpeg(size=(800, 600), colour=(90, 120, 60), exif=None) -> bytes:
    im = Image.new("RGB", size, colour)
    for x in range(0, size[0], 50):  # some structure, so the perceptual hash has something to see
        for y in range(0, size[1], 50):
            im.paste((x % 255, y % 255, (x + y) % 255), (x, y, x + 25, y + 25))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif if exif is not None else b"")
    return buf.getvalue()


def jpeg_pixels() -> bytes:
    return Image.open(io.BytesIO(jpeg((320, 240)))).convert("RGB").tobytes()


def with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    exif[0x0110] = "TestPhone"
    sub = exif.get_ifd(0x8769)
    sub[36867] = "2026:11:20 10:15:00"
    sub[36881] = "+08:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (42.0, 18.0, 0.0)
    gps[3], gps[4] = "E", (119.0, 54.0, 0.0)
    return jpeg((640, 480), exif=exif.tobytes())


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header claiming width × height pixels, with a tiny compressed body: a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header is rewritten to claim width × height."""
    data = bytearray(jpeg((64, 48)))
    i = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, i + 5, height, width)
    return bytes(data)


def main() -> None:
    good = jpeg()
    (HERE / "good.jpg").write_bytes(good)
    (HERE / "with_gps.jpg").write_bytes(with_gps())
    (HERE / "empty.jpg").write_bytes(b"")
    (HERE / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (HERE / "text.jpg").write_bytes("这不是照片 — this is a text file renamed .jpg\n".encode())
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    (HERE / "polyglot.jpg").write_bytes(good + zipped.getvalue())
    (HERE / "bomb.png").write_bytes(png_claiming(40000, 40000))
    (HERE / "200mp.jpg").write_bytes(jpeg_claiming(16330, 12250))
    buf = io.BytesIO()
    Image.new("P", (32, 32)).save(buf, "GIF")
    (HERE / "image.gif").write_bytes(buf.getvalue())
    png = io.BytesIO()
    Image.new("RGBA", (300, 200), (10, 200, 30, 128)).save(png, "PNG")
    (HERE / "alpha.png").write_bytes(png.getvalue())
    import pillow_heif  # an iPhone's format

    pillow_heif.register_heif_opener()
    heic = io.BytesIO()
    Image.frombytes("RGB", (320, 240), jpeg_pixels()).save(heic, format="HEIF", quality=60)
    (HERE / "photo.heic").write_bytes(heic.getvalue())


if __name__ == "__main__":
    main()
