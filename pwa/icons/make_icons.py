"""Draws the app icons (run from the repository root: .venv/bin/python pwa/icons/make_icons.py).

A house with a heart, white on the theme teal; the maskable one keeps the drawing inside the
central 80% safe zone.
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
TEAL = (0, 105, 92)


def draw(size: int, safe: float) -> Image.Image:
    im = Image.new("RGB", (size, size), TEAL)
    d = ImageDraw.Draw(im)
    s = size * safe
    o = (size - s) / 2

    def p(x, y):
        return (o + x * s, o + y * s)

    d.polygon([p(0.5, 0.12), p(0.92, 0.48), p(0.08, 0.48)], fill="white")  # roof
    d.rectangle([p(0.2, 0.46), p(0.8, 0.88)], fill="white")  # walls
    # a heart in the doorway
    r = 0.075 * s
    cx, cy = o + 0.5 * s, o + 0.63 * s
    d.ellipse([cx - 2 * r, cy - r, cx, cy + r], fill=TEAL)
    d.ellipse([cx, cy - r, cx + 2 * r, cy + r], fill=TEAL)
    d.polygon([(cx - 2 * r + 1, cy + r * 0.35), (cx + 2 * r - 1, cy + r * 0.35), (cx, cy + 2.3 * r)], fill=TEAL)
    return im


if __name__ == "__main__":
    draw(192, 0.86).save(HERE / "icon-192.png", optimize=True)
    draw(512, 0.86).save(HERE / "icon-512.png", optimize=True)
    draw(512, 0.66).save(HERE / "maskable-512.png", optimize=True)
