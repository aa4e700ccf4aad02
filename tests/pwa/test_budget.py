"""The app shell is small enough for a weak rural uplink: ≤ 100 KB gzip, everything included."""

import gzip
import json
import re
from pathlib import Path

PWA = Path(__file__).resolve().parents[2] / "pwa"


def shell_files() -> list[str]:
    sw = (PWA / "sw.js").read_text()
    listed = re.search(r"const SHELL = \[(.*?)\];", sw, re.S).group(1)
    return re.findall(r"'([^']+)'", listed)


def test_every_shell_file_exists_and_the_shell_fits_the_budget():
    files = [f for f in shell_files() if f != "/"]
    assert "/index.html" in files and "/app.js" in files and "/manifest.webmanifest" in files
    total = 0
    for name in files:
        data = (PWA / name.lstrip("/")).read_bytes()
        total += len(gzip.compress(data, 9))
    total += len(gzip.compress((PWA / "sw.js").read_bytes(), 9))
    assert total <= 100 * 1024, f"{total} bytes gzip"


def test_every_script_and_style_of_the_page_is_precached():
    html = (PWA / "index.html").read_text()
    used = set(re.findall(r'(?:src|href)="(/[^"]+)"', html))
    assert used <= set(shell_files())


def test_both_languages_have_the_same_keys():
    zh = json.loads((PWA / "i18n" / "zh-CN.json").read_text())
    en = json.loads((PWA / "i18n" / "en.json").read_text())
    assert set(zh) == set(en)
    known = set(zh)
    # an office module's own strings (i18n.js more()): both languages, no key twice, kept offline
    listed = re.search(r"const OFFICE = \[(.*?)\];", (PWA / "sw.js").read_text(), re.S).group(1)
    for zh_file in sorted((PWA / "i18n").glob("*.zh-CN.json")):
        name = zh_file.name.removesuffix(".zh-CN.json")
        more_zh = json.loads(zh_file.read_text())
        more_en = json.loads((PWA / "i18n" / f"{name}.en.json").read_text())
        assert set(more_zh) == set(more_en), name
        assert not set(more_zh) & known, f"{name}: {sorted(set(more_zh) & known)} defined twice"
        assert f"'/i18n/{name}.zh-CN.json'" in listed and f"'/i18n/{name}.en.json'" in listed, name
        known |= set(more_zh)
    app = "\n".join(f.read_text() for f in sorted(PWA.glob("*.js")))
    for key in set(re.findall(r"\bt\('([a-z_0-9]+)'", app)):
        assert key in known, key
