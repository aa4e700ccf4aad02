"""Small distinct JPEGs for the server benches (blocks of random colour, so pHashes and SHA-256s
differ). Only Pillow: the locust file imports it too, from this folder."""

from __future__ import annotations

import io
import random

from PIL import Image


def jpeg(seed: int, size: tuple[int, int] = (480, 360), block: int = 60) -> bytes:
    rng = random.Random(seed)
    im = Image.new("RGB", size)
    for x in range(0, size[0], block):
        for y in range(0, size[1], block):
            im.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), (x, y, x + block, y + block))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()
