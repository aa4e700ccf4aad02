"""A caregiver's first open on a cold cache (issue 31): the scripts the page fetches from the
first byte to the caregiver's home screen, counted and weighed as sent (compressed), in Debian's
Chromium with a fresh profile, on a fresh demo database served by `zhaoying serve`.

    bench/cold_cache.py [REPO ...]     each REPO a checkout (default: this one)

With two checkouts (before, after) it prints the second's figures as a ratio to the first's,
measured in the same run. The service worker is blocked so that only the page's own fetches count
(its precache, in the background after the load, is the shell of sw.js: bench/lighthouse.sh
prints its size). Not part of `make test`.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parents[1]
PASSWORD = "zhaoying2023"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(repo: Path, work: Path):
    env = dict(os.environ, INSTANCE_DIR=str(work / "instance"), DATABASE_URL=f"sqlite:///{work}/demo.db",
               PYTHONPATH=str(repo))
    zy = [sys.executable, "-c", "import sys; from server.cli import main; sys.argv[0] = 'zhaoying'; sys.exit(main())"]
    for step in (["init"], ["demo"]):
        subprocess.run(zy + step, cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
    port = _port()
    server = subprocess.Popen(zy + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                              cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(base + "/api/health")
            break
        except OSError:
            time.sleep(0.25)
    with sqlite3.connect(work / "demo.db") as db:
        caregiver = db.execute("SELECT username FROM app_user WHERE role = 'caregiver' ORDER BY id LIMIT 1").fetchone()[0]
    return server, base, caregiver


def first_open(repo: Path) -> tuple[int, int, list[str]]:
    with tempfile.TemporaryDirectory(prefix="zy-cold.") as tmp:
        server, base, caregiver = serve(repo, Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                context = browser.new_context(base_url=base, service_workers="block", locale="zh-CN")
                page = context.new_page()
                page.goto("/")
                page.fill("#username", caregiver)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_selector(".card")
                page.wait_for_timeout(500)  # whatever the home screen still asks for
                entries = page.evaluate("""() => performance.getEntriesByType('resource')
                    .filter((e) => new URL(e.name).pathname.endsWith('.js'))
                    .map((e) => [new URL(e.name).pathname, e.transferSize])""")
                browser.close()
        finally:
            server.terminate()
            server.wait()
    return len(entries), sum(size for _, size in entries), sorted(name for name, _ in entries)


def main(argv: list[str]) -> None:
    repos = [Path(a).resolve() for a in argv] or [HERE]
    results = []
    for repo in repos:
        count, size, names = first_open(repo)
        results.append((count, size))
        print(f"{repo}: {count} scripts, {size / 1024:.1f} KB sent — {' '.join(names)}")
    if len(results) == 2:
        (c0, s0), (c1, s1) = results
        print(f"after / before: scripts {c1}/{c0} = {c1 / c0:.2f}, bytes {s1 / 1024:.1f}/{s0 / 1024:.1f} KB = {s1 / s0:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
