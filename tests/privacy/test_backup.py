"""`zhaoying backup` / `zhaoying restore`: a round trip on the engine under test, in a scratch
database of its own (never the suite's), compared table by table and file by file."""

import io
import json
import os
import shutil
import tarfile
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner
from sqlmodel import Session, SQLModel

import server.models  # noqa: F401  (every table)
from server.cli import main
from server.config import normalise_database_url
from server.db import make_engine
from server.migrate import alembic_config, upgrade
from server.privacy import backup as backups
from tests import factories
from tests.privacy.conftest import add_visit


@pytest.fixture
def scratch_url(tmp_path):
    """A database of the engine under test that nobody else uses, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    base = sa.engine.make_url(normalise_database_url(base))
    name = f"zhaoying_backup_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def everything(url: str) -> dict:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in SQLModel.metadata.sorted_tables:
                out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
            out["alembic_version"] = conn.execute(sa.text("select version_num from alembic_version")).all()
            return out
    finally:
        engine.dispose()


def files(media: Path) -> dict:
    return {p.relative_to(media).as_posix(): p.read_bytes() for p in sorted(media.rglob("*")) if p.is_file()}


def wipe(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(sa.engine.make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        backups._wipe_postgres(url)


def rewrite(archive: Path, target: Path, change) -> None:
    """A copy of ``archive`` with ``change(name, data) -> data`` applied to each member."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for m in src.getmembers():
            data = change(m.name, src.extractfile(m).read())
            m.size = len(data)
            dst.addfile(m, io.BytesIO(data))


def backup_with_the_command(archive: Path) -> dict:
    """`zhaoying backup ARCHIVE` with the environment as set; the archive's manifest."""
    r = CliRunner().invoke(main, ["backup", str(archive)])
    assert r.exit_code == 0, r.output
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


@pytest.fixture
def loaded(scratch_url, tmp_path):
    """The scratch database at head with a World, a visit with two photos, and its media."""
    url = normalise_database_url(scratch_url)
    media = tmp_path / "media"
    upgrade(url=url)
    engine = make_engine(url)
    with Session(engine) as session:
        world = factories.World.build(session)
        add_visit(session, world.a.person, world.a.caregiver, factories.now() - timedelta(days=1), media_dir=media,
                  photo_seeds=[1, 2])
        session.commit()
    engine.dispose()
    return url, media


def test_round_trip_with_the_commands(loaded, tmp_path, monkeypatch):
    url, media = loaded
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MEDIA_DIR", str(media))
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    before_rows, before_files = everything(url), files(media)
    assert len(before_files) == 4  # two photos and their thumbnails
    archive = tmp_path / "backup.tar.gz"
    runner = CliRunner()
    manifest = backup_with_the_command(archive)
    assert manifest["schema_revision"] == backups.head_revision() == before_rows["alembic_version"][0][0]
    assert manifest["created_at"] == factories.now().isoformat()
    assert {t: n for t, n in manifest["tables"].items() if t != "alembic_version"} == \
        {t: len(rows) for t, rows in before_rows.items() if t != "alembic_version"}
    assert manifest["tables"]["person"] == 2 and manifest["tables"]["visitphoto"] == 2
    assert set(manifest["media"]) == set(before_files)

    # a database holding data is not overwritten without --force
    r = runner.invoke(main, ["restore", str(archive)])
    assert r.exit_code != 0 and "not empty" in r.output

    wipe(url)
    shutil.rmtree(media)
    assert not media.exists()
    r = runner.invoke(main, ["restore", str(archive)])
    assert r.exit_code == 0, r.output
    assert everything(url) == before_rows
    assert files(media) == before_files

    # a database `zhaoying init` has just migrated is empty, whatever indexes its schema keeps
    wipe(url)
    shutil.rmtree(media)
    upgrade(url=url)
    r = runner.invoke(main, ["restore", str(archive)])
    assert r.exit_code == 0, r.output
    assert everything(url) == before_rows and files(media) == before_files

    # --force replaces what is there
    r = runner.invoke(main, ["restore", "--force", str(archive)])
    assert r.exit_code == 0, r.output
    assert everything(url) == before_rows and files(media) == before_files


def test_restore_refuses_a_damaged_or_foreign_archive(loaded, tmp_path):
    url, media = loaded
    archive = tmp_path / "b.tar.gz"
    backups.backup(url=url, media_dir=media, target=archive, now=factories.now())
    wipe(url)
    shutil.rmtree(media)

    tampered = tmp_path / "tampered.tar.gz"
    rewrite(archive, tampered, lambda name, data: data[:-10] + b"0" * 10 if name.endswith("_t.jpg") else data)
    with pytest.raises(backups.BackupError, match="SHA-256"):
        backups.restore(url=url, media_dir=media, source=tampered)

    def revision(name, data):
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "schema_revision": "9999_from_the_future"}).encode()

    future = tmp_path / "future.tar.gz"
    rewrite(archive, future, revision)
    with pytest.raises(backups.BackupError, match="not one this code knows"):
        backups.restore(url=url, media_dir=media, source=future)
    assert not media.exists()  # nothing was touched

    backups.restore(url=url, media_dir=media, source=archive)  # the good one still restores


def test_an_older_backup_is_migrated_up(scratch_url, tmp_path):
    url = normalise_database_url(scratch_url)
    command.upgrade(alembic_config(url=url), "0005")
    archive = tmp_path / "old.tar.gz"
    assert backups.backup(url=url, media_dir=tmp_path / "m", target=archive, now=factories.now())[
        "schema_revision"] == "0005"
    wipe(url)
    done = backups.restore(url=url, media_dir=tmp_path / "m", source=archive)
    assert done["migrated_to"] == backups.head_revision()
    assert everything(url)["alembic_version"] == [(backups.head_revision(),)]


def test_the_archive_is_private_from_its_first_byte(loaded, tmp_path, monkeypatch):
    """Issue 30 M5: FILE.part was 0644 (the umask's) until a chmod at the end."""
    url, media = loaded
    target = tmp_path / "out" / "b.tar.gz"
    target.parent.mkdir()
    (target.parent / "b.tar.gz.part").write_bytes(b"an earlier attempt's")
    (target.parent / "b.tar.gz.part").chmod(0o644)
    seen = []
    real_add = backups._add

    def watching(tar, name, data, mtime):
        seen.append(os.stat(target.with_name("b.tar.gz.part")).st_mode & 0o777)
        real_add(tar, name, data, mtime)

    monkeypatch.setattr(backups, "_add", watching)
    backups.backup(url=url, media_dir=media, target=target, now=factories.now())
    assert seen and set(seen) == {0o600}
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert not target.with_name("b.tar.gz.part").exists()


def test_a_backup_keeps_the_keys_a_new_server_needs(loaded, tmp_path, monkeypatch):
    """Issue 30 L12: a backup held neither the secret key nor the VAPID private key, so a server
    restored from it lost every browser's push subscription. They are kept (keys/, in the
    manifest with their SHA-256) and written to the new server's instance folder."""
    url, media = loaded
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("MEDIA_DIR", str(media))
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "old"))
    for name in ("SECRET_KEY", "VAPID_PRIVATE_KEY"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    old = {n: (tmp_path / "old" / n).read_text() for n in ("secret_key", "vapid_private.pem")}
    archive = tmp_path / "backup.tar.gz"
    manifest = backup_with_the_command(archive)
    assert set(manifest["keys"]) == {"secret_key", "vapid_private.pem"}

    # a new machine: an empty database, a new instance folder
    wipe(url)
    shutil.rmtree(media)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "new"))
    r = runner.invoke(main, ["restore", str(archive)])
    assert r.exit_code == 0, r.output
    for name, value in old.items():
        restored = tmp_path / "new" / name
        assert restored.read_text() == value and restored.stat().st_mode & 0o777 == 0o600
        assert f"{restored} restored from the backup" in r.output

    # the environment's own key wins, and a different one is said so
    wipe(url)
    shutil.rmtree(media)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "third"))
    monkeypatch.setenv("VAPID_PRIVATE_KEY", "another")
    r = runner.invoke(main, ["restore", str(archive)])
    assert r.exit_code == 0, r.output
    assert "VAPID_PRIVATE_KEY is set in the environment; it differs from the backup's" in r.output
    assert not (tmp_path / "third" / "vapid_private.pem").exists()


def test_a_key_that_does_not_match_the_manifest_is_refused(loaded, tmp_path):
    url, media = loaded
    archive, bad = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    backups.backup(url=url, media_dir=media, target=archive, now=factories.now(),
                   keys={"secret_key": "s" * 64, "vapid_private.pem": "pem"})
    rewrite(archive, bad, lambda name, data: b"t" * 64 if name == "keys/secret_key" else data)
    wipe(url)
    with pytest.raises(backups.BackupError, match="the key secret_key does not match"):
        backups.restore(url=url, media_dir=tmp_path / "m", source=bad)
