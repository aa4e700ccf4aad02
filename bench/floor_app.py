"""The floor for bench/load.py: a bare Flask endpoint returning a constant JSON, served by the
same gunicorn (sync workers, same count, access log on) and hit by the same locust."""

from flask import Flask

app = Flask(__name__)
BODY = {"ok": True, "items": [{"id": k, "name": "照应"} for k in range(5)]}


@app.get("/floor")
def floor():
    return BODY
