"""Backup and restore: one tar.gz with a consistent snapshot of the database, the media folder and
the photo files of the photo store (the media folder's photos/, or the S3 bucket's objects under
photos/: read and written through the store, under the same names, so an archive made on one
store restores into either).

SQLite: the sqlite3 online backup API (a consistent copy while the app runs). PostgreSQL:
``pg_dump -Fc`` on a snapshot exported from a REPEATABLE READ transaction, in which the
manifest's row counts are taken too, so the counts and the dump describe the same instant;
``pg_restore`` back. The manifest records the Alembic revision, when, the rows per table and
the SHA-256 of every media file; restore verifies all of it before it touches anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from server.db import derived_table
from server.migrate import alembic_config, upgrade
from server.photos.storage import PREFIX, PhotoStorage, PhotoStore

FORMAT = "zhaoying-backup/1"
MANIFEST = "manifest.json"
DB_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# rows the migrations themselves write: a freshly initialised database still counts as empty
SEEDED_TABLES = {"alembic_version", "quotapolicy", "schedulepolicy"}


class BackupError(RuntimeError):
    """A backup cannot be made or restored; the message says why."""


def _engine_name(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in DB_NAMES:
        raise BackupError(f"unsupported database {name!r}")
    return name


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _counts(conn: sa.Connection) -> tuple[str | None, dict[str, int]]:
    """The Alembic revision and the rows of every table, on ``conn`` (inside its transaction); not
    of SQLite's full-text tables (db.derived_table), an index the file carries with the rest (and
    whose settings row would make a freshly migrated database look not empty)."""
    names = sorted(t for t in sa.inspect(conn).get_table_names() if not derived_table(t))
    counts = {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in names}
    revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() \
        if "alembic_version" in names else None
    return revision, counts


def _pg_args(url: str) -> tuple[list[str], dict]:
    u = make_url(url)
    args = ["-h", u.host or "localhost", "-p", str(u.port or 5432), "-d", u.database]
    if u.username:
        args += ["-U", u.username]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password  # never on the command line, where `ps` would show it
    return args, env


def _run(cmd: list[str], env: dict) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} is not on PATH (install the PostgreSQL client tools)")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {done.stderr.strip()[-2000:]}")


def _snapshot_database(url: str, target: Path) -> tuple[str | None, dict[str, int]]:
    engine_name = _engine_name(url)
    if engine_name == "sqlite":
        source = sqlite3.connect(make_url(url).database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        engine = sa.create_engine(f"sqlite:///{target}")
        try:
            with engine.connect() as conn:
                return _counts(conn)
        finally:
            engine.dispose()
    engine = sa.create_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            with conn.begin():
                snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
                revision, counts = _counts(conn)
                args, env = _pg_args(url)
                _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", str(target),
                      *args], env)
        return revision, counts
    finally:
        engine.dispose()


def _media_files(media_dir: Path, *, photos: bool = True) -> list[Path]:
    """The files of the media folder; with ``photos=False`` without photos/ (the store's part)."""
    if not media_dir.exists():
        return []
    return sorted(p for p in media_dir.rglob("*") if p.is_file() and not p.name.endswith(".part")
                  and (photos or not p.relative_to(media_dir).as_posix().startswith(PREFIX)))


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime.timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


KEYS = ("secret_key", "vapid_private.pem")  # what a new server needs besides the data (issue 30 L12)


def backup(*, url: str, media_dir: str | os.PathLike, target: str | os.PathLike, now: datetime,
           store: PhotoStorage | None = None, keys: dict[str, str] | None = None) -> dict:
    """Write the backup archive to ``target``; returns its manifest. ``store``: where photos are
    (default: the media folder's photos/). ``keys``: the instance's keys by name (KEYS), kept under
    keys/: without the secret key the tokens, without the VAPID key every browser's push
    subscription would be lost on a new server."""
    engine_name = _engine_name(url)
    media = Path(media_dir)
    store = store if store is not None else PhotoStore(media)
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="zhaoying-backup-") as tmp:
        db_file = Path(tmp) / DB_NAMES[engine_name]
        revision, counts = _snapshot_database(url, db_file)
        if revision is None:
            raise BackupError("the database has no Alembic revision: is it a zhaoying database?")
        hashes: dict[str, str] = {}
        partial = target.with_name(target.name + ".part")
        partial.unlink(missing_ok=True)  # an earlier attempt's, with whatever mode it had
        # private from its first byte: it holds everything about everyone (issue 30 M5)
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(db_file, db_file.name)
            for p in _media_files(media, photos=False):
                name = p.relative_to(media).as_posix()
                hashes[name] = _sha256(p)
                tar.add(p, "media/" + name)
            # photos one at a time from the store (a bucket may hold more than memory or a temp folder)
            for name in store.names():
                data = store.get(name)
                if data is None:  # purged since it was listed: the snapshot no longer names it
                    continue
                hashes[name] = hashlib.sha256(data).hexdigest()
                _add(tar, "media/" + name, data, now)
            kept_keys = {}
            for name, value in (keys or {}).items():
                if name in KEYS and value:
                    data = value.encode()
                    kept_keys[name] = hashlib.sha256(data).hexdigest()
                    _add(tar, "keys/" + name, data, now)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "engine": engine_name,
                "schema_revision": revision,
                "database": {"file": db_file.name, "sha256": _sha256(db_file)},
                "tables": counts,
                "media": dict(sorted(hashes.items())),
                "keys": kept_keys,
            }
            # last, once every hash is known; readers find it by name
            _add(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode(), now)
        os.replace(partial, target)
    return manifest


def _read_archive(source: Path, into: Path) -> dict:
    try:
        with tarfile.open(source, "r:gz") as tar:
            member = tar.getmember(MANIFEST)
            manifest = json.load(tar.extractfile(member))
            tar.extractall(into, filter="data")  # no absolute paths, no '..', no links out
    except (tarfile.TarError, KeyError, OSError, ValueError) as exc:
        raise BackupError(f"{source} is not a readable zhaoying backup: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _verify(manifest: dict, root: Path) -> None:
    db_file = root / manifest["database"]["file"]
    if not db_file.is_file() or _sha256(db_file) != manifest["database"]["sha256"]:
        raise BackupError("the database file does not match the manifest's SHA-256")
    media = root / "media"
    found = {p.relative_to(media).as_posix() for p in _media_files(media)}
    expected = manifest["media"]
    if found != set(expected):
        missing, extra = sorted(set(expected) - found), sorted(found - set(expected))
        raise BackupError(f"media files differ from the manifest (missing {missing[:5]}, unexpected {extra[:5]})")
    bad = [name for name, sha in expected.items() if _sha256(media / name) != sha]
    if bad:
        raise BackupError(f"{len(bad)} media file(s) do not match their SHA-256, e.g. {bad[0]}")
    for name, sha in manifest.get("keys", {}).items():  # an older backup has none
        if name not in KEYS or not (root / "keys" / name).is_file() or _sha256(root / "keys" / name) != sha:
            raise BackupError(f"the key {name} does not match the manifest's SHA-256")


def _check_revision(revision: str) -> bool:
    """True when the backup's revision is behind the code's head (restore, then migrate up)."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if revision == head:
        return False
    if revision in {r.revision for r in script.walk_revisions("base", head)}:
        return True
    raise BackupError(f"the backup's schema revision {revision!r} is not one this code knows (head is {head!r}): "
                      "restore it with the version of zhaoying that made it")


def _database_rows(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return _counts(conn)[1]
    finally:
        engine.dispose()


def _wipe_postgres(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def restore(*, url: str, media_dir: str | os.PathLike, source: str | os.PathLike, force: bool = False,
            store: PhotoStorage | None = None) -> dict:
    """Restore the archive ``source`` into the database at ``url``, ``media_dir`` and the photo
    ``store`` (default: the media folder's photos/).

    Refuses, before touching anything: an archive whose files do not match the manifest, one from
    another engine, one whose schema revision this code does not know (an older one is restored
    and then migrated up), and a database, media folder or photo store that already holds data,
    unless ``force``.
    """
    engine_name = _engine_name(url)
    media = Path(media_dir)
    store = store if store is not None else PhotoStore(media)
    with tempfile.TemporaryDirectory(prefix="zhaoying-restore-") as tmp:
        root = Path(tmp)
        manifest = _read_archive(Path(source), root)
        if manifest["engine"] != engine_name:
            raise BackupError(f"this backup is of a {manifest['engine']} database; the target is {engine_name}")
        _verify(manifest, root)
        migrate = _check_revision(manifest["schema_revision"])
        if not force:
            held = {t: n for t, n in _database_rows(url).items() if n and t not in SEEDED_TABLES}
            if held:
                raise BackupError(f"the database is not empty ({sum(held.values())} rows in {len(held)} tables); "
                                  "use --force to replace it")
            if _media_files(media):
                raise BackupError(f"the media folder {media} is not empty; use --force to replace it")
            if next(iter(store.names()), None) is not None:
                raise BackupError("the photo store is not empty; use --force to replace it")

        db_file = root / manifest["database"]["file"]
        if engine_name == "sqlite":
            path = Path(make_url(url).database)
            path.parent.mkdir(parents=True, exist_ok=True)
            source_db, target_db = sqlite3.connect(db_file), sqlite3.connect(path)
            try:
                source_db.backup(target_db)  # page by page, through SQLite: safe beside a WAL file
            finally:
                target_db.close()
                source_db.close()
        else:
            _wipe_postgres(url)
            args, env = _pg_args(url)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args, str(db_file)], env)

        counts = _database_rows(url)
        if counts != manifest["tables"]:
            raise BackupError("the restored database's row counts differ from the manifest")

        if media.exists():
            shutil.rmtree(media)
        media.parent.mkdir(parents=True, exist_ok=True)
        media.mkdir()
        store.clear()
        staged = root / "media"
        for p in _media_files(staged):
            name = p.relative_to(staged).as_posix()
            if name.startswith(PREFIX):
                store.put(name, p.read_bytes())
            else:
                (media / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, media / name)
        keys = {name: (root / "keys" / name).read_text() for name in manifest.get("keys", {})}
    if migrate:
        upgrade(url=url)
    return {"schema_revision": manifest["schema_revision"], "migrated_to": head_revision() if migrate else None,
            "tables": manifest["tables"], "media_files": len(manifest["media"]), "keys": keys}
