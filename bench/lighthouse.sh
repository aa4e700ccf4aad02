#!/usr/bin/env bash
# Lighthouse figures for the PWA shell (issue 11): the login screen and a logged-in caregiver's
# home, served by `zhaoying serve` on a fresh demo database, in Debian's Chromium (nothing is
# downloaded). Two runs of each page:
#   throttled — mobile, DevTools throttling at 300 ms RTT, 400 kbps down, 150 kbps up, CPU ×4
#               (the weak rural link of the issue): performance, accessibility, best practices, FCP
#   default   — Lighthouse's default mobile settings (simulated throttling): FCP
# and the shell's total transfer size (every request of the throttled login load).
#
#   bench/lighthouse.sh [REPO]      REPO: the checkout to serve (default: this one)
#   WHO=staff bench/lighthouse.sh   the township staff's home (staff15, 新惠镇) instead of a caregiver's
# Needs: npm install lighthouse in $LH_DIR (default /tmp/lh); CHROME_PATH (default /usr/bin/chromium).
# Not part of `make test`.
set -euo pipefail
REPO=$(cd "${1:-$(dirname "$0")/..}" && pwd)
LH_DIR=${LH_DIR:-/tmp/lh}
PY=${PY:-/work/main/.venv/bin/python}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
WORK=$(mktemp -d /tmp/zy-lighthouse.XXXXXX)
OUT=${OUT:-$WORK/reports}
mkdir -p "$OUT"
export INSTANCE_DIR=$WORK/instance DATABASE_URL="sqlite:///$WORK/demo.db" PYTHONPATH=$REPO
zy() { (cd "$REPO" && "$PY" -c 'import sys; from server.cli import main; sys.argv[0] = "zhaoying"; sys.exit(main())' "$@"); }
zy init >/dev/null
zy demo >/dev/null
zy serve --host 127.0.0.1 --port "$PORT" --workers 2 >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.5; done

WHO=${WHO:-caregiver}
CAREGIVER=$("$PY" - <<PY
import sqlalchemy as sa
e = sa.create_engine("sqlite:///$WORK/demo.db")
with e.connect() as c:
    print(c.scalar(sa.text("SELECT username FROM app_user WHERE role = 'caregiver' ORDER BY id LIMIT 1")))
PY
)
# the shell as the service worker precaches it: every file of sw.js's SHELL list, as the
# server sends it to a browser over http (gzip, deflate: Chromium asks for br only over https)
"$PY" - "http://127.0.0.1:$PORT" "$REPO/pwa/sw.js" <<'PY'
import re, sys, urllib.request
base, sw = sys.argv[1], open(sys.argv[2]).read()
files = re.findall(r"'([^']+)'", re.search(r"const SHELL = \[(.*?)\];", sw, re.S).group(1)) + ["/sw.js"]
total = raw = 0
for f in files:
    with urllib.request.urlopen(urllib.request.Request(base + f, headers={"Accept-Encoding": "gzip, deflate"})) as r:
        total += len(r.read())
    with urllib.request.urlopen(urllib.request.Request(base + f, headers={"Accept-Encoding": "identity"})) as r:
        raw += len(r.read())
print(f"shell (sw.js SHELL + sw.js): {len(files)} files, {total / 1024:.1f} KB sent ({raw / 1024:.1f} KB uncompressed)")
PY
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --no-first-run"
if [ "$WHO" = staff ]; then USER_NAME=staff15 HOME_HASH='#/staff'; else USER_NAME=$CAREGIVER HOME_HASH='#/home'; fi
NODE_PATH=$LH_DIR/node_modules node "$(dirname "$0")/lighthouse_flow.mjs" \
  "http://127.0.0.1:$PORT" "$USER_NAME" zhaoying2023 "$OUT" "$CHROME_FLAGS" "$HOME_HASH" "$WHO"
