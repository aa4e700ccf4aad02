"""`zhaoying check` (issue 30): an instance's configuration checked before it serves, what is
wrong said in plain words, exit status 1 when anything is."""

import os

import pytest
from click.testing import CliRunner

from server.cli import main


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    for name in ("DATABASE_URL", "SECRET_KEY", "VAPID_PRIVATE_KEY", "MEDIA_DIR", "PHOTO_STORAGE", "TIMEZONE",
                 "PUSH_ENDPOINT_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "instance"


def check():
    return CliRunner().invoke(main, ["check"])


def test_a_fresh_folder_is_told_to_run_init_and_then_all_is_good(instance):
    r = check()
    assert r.exit_code == 1
    assert "✗ the database sqlite:///" in r.output and "zhaoying.db: no such file" in r.output
    assert "run `zhaoying init` once: it creates it" in r.output
    assert "✗ the media folder" in r.output and "✗ the photo store (local): its folder" in r.output
    assert not instance.exists()  # the check made nothing
    assert "✗ the secret key: missing" in r.output and "✗ the VAPID key (push)" in r.output
    assert "thing(s) to put right" in r.output

    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    r = check()
    assert r.exit_code == 0, r.output
    for good in ("✓ the settings", "✓ the database", "✓ the media folder", "✓ the photo store (local)",
                 "✓ the secret key: present", "✓ the VAPID key (push): present", "✓ the push services allowed",
                 "✓ the zone days and months are counted in: Asia/Shanghai"):
        assert good in r.output, good
    assert r.output.rstrip().endswith("all good.")


def test_what_is_wrong_is_named(instance, monkeypatch, tmp_path):
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setenv("MEDIA_DIR", str(locked))
    monkeypatch.setenv("VAPID_PRIVATE_KEY", "not a key")
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    try:
        r = check()
    finally:
        locked.chmod(0o700)
    assert r.exit_code == 1
    assert "✗ the database postgresql+psycopg://nobody@127.0.0.1:1/none: not reached" in r.output
    if os.geteuid() != 0:  # root writes anywhere
        assert f"✗ the media folder {locked}: not writable" in r.output
    assert "✗ the VAPID key (push)" in r.output


def test_a_database_of_another_version_is_told_to_migrate(instance):
    import sqlalchemy as sa

    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    engine = sa.create_engine(f"sqlite:///{instance / 'zhaoying.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0029_spot_check'"))
    engine.dispose()
    r = check()
    assert r.exit_code == 1
    assert "at 0029_spot_check, this code needs" in r.output and "run `zhaoying init` (it migrates)" in r.output


def test_a_setting_that_cannot_be_read_is_said_so(instance, monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    r = check()
    assert r.exit_code == 1 and "✗ the settings: TIMEZONE 'Mars/Olympus' is not a known IANA time zone" in r.output
