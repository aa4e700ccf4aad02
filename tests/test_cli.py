"""The `zhaoying` command on a fresh embedded SQLite, as `make run` uses it."""

import sqlalchemy as sa
from click.testing import CliRunner

from server.cli import main


def test_init_admin_and_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "8")
    runner = CliRunner()

    r = runner.invoke(main, ["init"])
    assert r.exit_code == 0, r.output
    key = (tmp_path / "instance" / "secret_key").read_text()
    assert len(key) == 64
    assert runner.invoke(main, ["init"]).exit_code == 0  # idempotent
    assert (tmp_path / "instance" / "secret_key").read_text() == key

    r = runner.invoke(main, ["demo"])
    assert r.exit_code == 0, r.output
    assert "admin" in r.output and "zhaoying2023" in r.output
    assert "already present" in runner.invoke(main, ["demo"]).output

    r = runner.invoke(main, ["create-admin", "--username", "chief", "--password", "long-password"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["create-admin", "--username", "chief", "--password", "long-password"])
    assert r.exit_code != 0 and "已被使用" in r.output

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'instance' / 'zhaoying.db'}")
    with engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from person")) == 2700
        assert conn.scalar(sa.text("select role from app_user where username = 'chief'")) == "district_admin"
        assert conn.scalar(sa.text("PRAGMA journal_mode")) == "wal"
    engine.dispose()

    # the demo logins work against the served app
    from server import create_app

    client = create_app().test_client()
    r = client.post("/api/auth/login", json={"username": "staff02", "password": "zhaoying2023"})
    assert r.status_code == 200
    token = r.get_json()["access_token"]
    persons, after = [], ""
    while after is not None:  # a page at a time, each pointing at the next
        r = client.get(f"/api/persons?page_size=200{f'&after={after}' if after else ''}",
                       headers={"Authorization": f"Bearer {token}"})
        persons += r.get_json()
        after = r.headers.get("X-Next-Page")
    assert len(persons) == len({p["id"] for p in persons}) == 325  # 贝子府镇, annex 1
    client.application.extensions["zhaoying.db"].engine.dispose()
