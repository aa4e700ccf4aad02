"""The floor for bench/checkin_throughput.py: a bare Flask + SQLAlchemy endpoint that inserts
the posted JSON as one row, on the same engine setup (SQLite WAL, BEGIN IMMEDIATE)."""

import json
import os

import sqlalchemy as sa
from flask import Flask, request

from server.db import make_engine

metadata = sa.MetaData()
bare_visit = sa.Table(
    "bare_visit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("client_id", sa.String(36), unique=True),
    sa.Column("body", sa.Text),
)


def create_app() -> Flask:
    engine = make_engine(os.environ["DATABASE_URL"])
    metadata.create_all(engine)
    app = Flask(__name__)

    @app.post("/bare")
    def insert():
        data = request.get_json()
        with engine.begin() as conn:
            new_id = conn.execute(bare_visit.insert().values(client_id=data["client_id"], body=json.dumps(data))).inserted_primary_key[0]
        return {"id": new_id, "client_id": data["client_id"]}, 201

    return app
