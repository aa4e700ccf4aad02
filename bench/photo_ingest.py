"""Photo ingest per 12 MP JPEG, as a ratio to a floor measured in the same run.

floor: Pillow draft to the aspect-correct box → LANCZOS to 1600 px → JPEG q85, plus a 320 px
thumbnail and a pHash — the least any pipeline must do. ours: server.photos.pipeline.process
(which adds validation, EXIF evidence and orientation). naive: the same as the floor without
draft (full decode), for reference. Run: .venv/bin/python bench/photo_ingest.py
"""

from __future__ import annotations

import io
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import imagehash  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402

from server.photos.pipeline import process  # noqa: E402


def twelve_megapixels() -> bytes:
    """A photo-like 4000×3000 JPEG: smooth gradients with fine noise, as a phone writes it."""
    w, h = 4000, 3000
    base = Image.linear_gradient("L").resize((w, h))
    noise = Image.effect_noise((w, h), 24)
    r = Image.blend(base, noise, 0.35)
    g = Image.blend(base.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise, 0.25).filter(ImageFilter.SMOOTH)
    b = Image.blend(base.transpose(Image.Transpose.ROTATE_180), noise, 0.3)
    im = Image.merge("RGB", (r, g, b))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def floor(data: bytes, *, draft: bool = True) -> None:
    im = Image.open(io.BytesIO(data))
    w, h = im.size
    scale = 1600 / max(w, h)
    if draft:
        im.draft("RGB", (math.ceil(w * scale), math.ceil(h * scale)))
    im = im.convert("RGB")
    im.thumbnail((1600, 1600), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    thumb = im.copy()
    thumb.thumbnail((320, 320), Image.Resampling.LANCZOS)
    tout = io.BytesIO()
    thumb.save(tout, "JPEG", quality=85)
    imagehash.phash(thumb)


def ours(data: bytes) -> None:
    process(data)


def timed(fn, data, rounds):
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn(data)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main(rounds: int = 15) -> None:
    data = twelve_megapixels()
    for fn in (floor, ours):  # warm up
        fn(data)
    # interleave so a noisy neighbour hurts every candidate alike
    f, o, n = [], [], []
    for _ in range(rounds):
        f.append(timed(floor, data, 1))
        o.append(timed(ours, data, 1))
        n.append(timed(lambda d: floor(d, draft=False), data, 1))
    fm, om, nm = statistics.median(f), statistics.median(o), statistics.median(n)
    print(f"12 MP JPEG, {len(data) / 1e6:.1f} MB, {rounds} rounds (medians)")
    print(f"floor (draft → LANCZOS → q85 + thumb + pHash): {fm * 1000:.1f} ms")
    print(f"ours  (server.photos.pipeline.process):        {om * 1000:.1f} ms   ratio {om / fm:.2f}× floor (target ≤ 1.20)")
    print(f"naive (full decode, no draft):                 {nm * 1000:.1f} ms   ratio {nm / fm:.2f}× floor")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
