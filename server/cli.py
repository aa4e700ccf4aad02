"""The ``zhaoying`` command."""

from __future__ import annotations

import os
import secrets
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from server.auth.current import hasher
from server.auth.roles import DISTRICT_ADMIN
from server.config import instance_dir, load_settings, secret_key_file


def _write_private(path, text: str) -> None:
    """A new file only its owner reads, from its first byte (not chmod-ed once written)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(text)


def ensure_instance() -> None:
    """Create instance/ and its generated secrets when they are missing (never the factory's job)."""
    inst = instance_dir()
    inst.mkdir(parents=True, exist_ok=True)
    key_file = secret_key_file()
    if not os.environ.get("SECRET_KEY") and not key_file.exists():
        _write_private(key_file, secrets.token_hex(32))
    media = load_settings()["MEDIA_DIR"]
    os.makedirs(media, exist_ok=True)
    vapid_file = inst / "vapid_private.pem"
    if not os.environ.get("VAPID_PRIVATE_KEY") and not vapid_file.exists():
        from server.notify.channels import generate_vapid_pem

        _write_private(vapid_file, generate_vapid_pem())


def _create_app(config: dict | None = None):
    from server import create_app

    ensure_instance()
    return create_app(config)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, add_default_commands=False)
def main():
    """zhaoying (照应): home-visit care for people under decentralised support."""


@main.command()
def init():
    """Create instance/ (secret key, media folder) and migrate the database to head."""
    from server.migrate import upgrade

    ensure_instance()
    url = load_settings()["DATABASE_URL"]
    upgrade(url=url)
    click.echo(f"database migrated: {url.split('@')[-1]}")


@main.command("create-admin")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--display-name", default="区民政局管理员")
@click.option("--place-id", type=int, help="the district this admin belongs to (default: the first district)")
@with_appcontext
def create_admin(username, password, display_name, place_id):
    """Create a district admin login."""
    from sqlalchemy import select

    from server.db import database
    from server.errors import ServiceError
    from server.places import service as places
    from server.places.models import Place
    from server.users.service import create_user

    with database().session() as session:
        if place_id is None:
            district = session.scalar(select(Place).where(Place.level == "district").order_by(Place.id))
            if district is None:
                district = places.create(session, actor=None, name="本区", level="district")
            place_id = district.id
        try:
            user = create_user(session, creator=None, hasher=hasher(),
                               username=username, password=password, role=DISTRICT_ADMIN,
                               display_name=display_name, place_id=place_id)
        except ServiceError as exc:
            raise click.ClickException(exc.payload()[0]["message"]) from None
        session.commit()
        click.echo(f"created district admin {user.username} (id {user.id})")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int,
              help="threads per worker: a slow report or a slow phone's upload holds one thread, not the worker")
def serve(host, port, workers, threads):
    """Serve the API and the PWA with gunicorn's threaded workers."""
    import gc

    from gunicorn.app.base import BaseApplication
    from sqlalchemy.orm import configure_mappers

    from server.db import EXTENSION_KEY, Database, make_engine

    url = load_settings()["DATABASE_URL"]
    # Each of a worker's threads keeps a connection of its own: with the pool's default five, a
    # worker serving eight requests at once opened (and closed again) a connection for the other
    # three, a new PostgreSQL backend whose first statements load its catalogue caches afresh.
    app = _create_app({"DATABASE": Database(url, make_engine(url, pool_size=threads))})
    # A worker's full garbage collection walked every object the app makes at start-up (some
    # 200,000: routes, schemas, mappers) in 130-145 ms, with each of the worker's threads standing
    # still meanwhile: under sixteen clients, that pause was the tail of a page's p95. Those objects
    # live as long as the process, so they leave the collector's reach before the workers fork
    # (``gc.freeze``, the gc module's own advice for a pre-forking server; their pages then stay
    # shared too). A full collection afterwards walks what the requests made: 1.5 ms.
    configure_mappers()
    gc.freeze()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)
            self.cfg.set("post_fork", self.post_fork_worker)

        def load(self):
            return app

        def post_fork_worker(self, _arbiter, _worker):
            # a pool's connections are never shared across a fork (SQLAlchemy's own advice)
            app.extensions[EXTENSION_KEY].engine.dispose(close=False)
            _give_back_freed_blocks()

    click.echo(f"serving on http://{host}:{port}/ (API docs: http://{host}:{port}/api/docs)")
    Server().run()


def _give_back_freed_blocks() -> None:
    """A decoded photo is freed to the system, not kept by the worker (issue 30 M4). glibc's malloc
    raises its mmap threshold each time a large block is freed, after which Pillow's 16 MB blocks
    come from the heap and stay with the process once freed: four workers kept most of the 2.1 GB
    a burst of check-ins took. Fixed at its default (128 KiB), a large block is mapped and unmapped
    (mallopt M_MMAP_THRESHOLD; nothing on a libc that is not glibc)."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


@main.command(with_appcontext=False)
def check():
    """Check this instance before it serves: the settings, the database (reached, at the code's
    migrations), the media folder and the photo store (written to and read back), the keys (the
    secret key, the VAPID key), the push services and the zone. Says what is wrong in plain
    words; exit status 1 when anything is. Run it on every machine of an installation."""
    import uuid
    from zoneinfo import ZoneInfo

    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from server.config import ConfigError
    from server.db import make_engine
    from server.migrate import alembic_config
    from server.notify.channels import vapid_from
    from server.photos.storage import StorageSettings

    wrong = 0

    def line(ok: bool, what: str, fix: str = "") -> None:
        nonlocal wrong
        wrong += not ok
        click.echo(f"{'✓' if ok else '✗'} {what}" + (f"\n    → {fix}" if fix and not ok else ""))

    try:
        c = load_settings()
    except ConfigError as exc:
        line(False, f"the settings: {exc}", "correct that environment variable (docs/operations.md lists them all)")
        sys.exit(1)
    line(True, f"the settings: instance {c['INSTANCE_DIR']}")

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = make_engine(c["DATABASE_URL"])
    shown = sa.engine.make_url(c["DATABASE_URL"]).render_as_string(hide_password=True)
    database_file = sa.engine.make_url(c["DATABASE_URL"]).database if c["DATABASE_URL"].startswith("sqlite") else None
    try:
        if database_file and not os.path.exists(database_file):  # connecting would make an empty one
            raise FileNotFoundError(database_file)
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current == head:
            line(True, f"the database {shown}: reached, at {head}")
        elif current is None:
            line(False, f"the database {shown}: reached, but it has no tables of this app",
                 "run `zhaoying init` once (on one machine): it creates them")
        else:
            line(False, f"the database {shown}: at {current}, this code needs {head}",
                 "run `zhaoying init` (it migrates) before starting this version's servers")
    except FileNotFoundError:
        line(False, f"the database {shown}: no such file", "run `zhaoying init` once: it creates it")
    except sa.exc.DBAPIError as exc:
        line(False, f"the database {shown}: not reached ({str(exc.orig).strip().splitlines()[0]})",
             "check DATABASE_URL, that the database server runs and lets this machine in")
    finally:
        engine.dispose()

    probe = f"zhaoying-check-{uuid.uuid4().hex}"
    try:
        if not os.path.isdir(c["MEDIA_DIR"]):
            raise FileNotFoundError(2, "no such folder (`zhaoying init` makes it)")
        path = os.path.join(c["MEDIA_DIR"], probe)
        with open(path, "wb") as f:
            f.write(b"check")
        os.remove(path)
        line(True, f"the media folder {c['MEDIA_DIR']}: writable")
    except OSError as exc:
        line(False, f"the media folder {c['MEDIA_DIR']}: not writable ({exc.strerror})",
             "set MEDIA_DIR to a folder this user may write, or give it the rights")
    storage = StorageSettings.from_config(c)
    try:
        if c["PHOTO_STORAGE"] == "local" and not os.path.isdir(c["MEDIA_DIR"]):
            raise FileNotFoundError(f"its folder {c['MEDIA_DIR']} is missing (`zhaoying init` makes it)")
        store, name = storage.open(), f"photos/{probe}.jpg"
        store.put(name, b"check")
        read_back = store.get(name)
        store.remove_many([name])
        if read_back != b"check":
            raise OSError("what was written did not read back")
        line(True, f"the photo store ({c['PHOTO_STORAGE']}): written to and read back")
    except Exception as exc:  # noqa: BLE001 - whatever the store says is what to show
        line(False, f"the photo store ({c['PHOTO_STORAGE']}): {exc}",
             "check PHOTO_STORAGE and its settings (bucket, endpoint, keys: docs/operations.md)")

    line(bool(c["SECRET_KEY"]), "the secret key: " + ("present" if c["SECRET_KEY"] else "missing"),
         "set SECRET_KEY (the same on every machine) or run `zhaoying init`, which writes instance/secret_key")
    try:
        key = c["VAPID_PRIVATE_KEY"]
        if not key:
            raise ValueError("missing")
        if "PRIVATE KEY" not in key and len(key.strip().rstrip("=")) != 43:  # 32 bytes, base64url
            raise ValueError("neither a PEM private key nor 32 bytes in base64url")
        vapid_from(key)
        line(True, "the VAPID key (push): present")
    except Exception as exc:  # noqa: BLE001 - a key py_vapid cannot read
        line(False, f"the VAPID key (push): {exc or 'unreadable'}",
             "set VAPID_PRIVATE_KEY (the same on every machine: a browser's subscription is bound to it) "
             "or run `zhaoying init`")
    hosts = c["PUSH_ENDPOINT_HOSTS"]
    line(bool(hosts), "the push services allowed: " + (", ".join(hosts) if hosts else "none"),
         "set PUSH_ENDPOINT_HOSTS, or leave it unset for the browsers' own services")
    line(True, f"the zone days and months are counted in: {c['TIMEZONE']} "
               f"(now {__import__('datetime').datetime.now(ZoneInfo(c['TIMEZONE'])):%Y-%m-%d %H:%M})")
    if wrong:
        click.echo(f"{wrong} thing(s) to put right before this machine serves.")
        sys.exit(1)
    click.echo("all good.")


@main.command()
@click.option("--scale", type=int, default=0, help="generate this many extra people for benchmarks")
@click.option("--seed", type=int, default=2023, show_default=True)
@with_appcontext
def demo(scale, seed):
    """Load the demo data built from seed 001's annexes (and, with --scale, N generated people)."""
    from server import demo as demo_data
    from server.db import database

    with database().session() as session:
        logins = demo_data.load(session, hasher=hasher(), seed=seed)
        session.commit()
    if logins:
        # the demo's visits go back a year: the months before this one are closed, as the scheduler would
        # have closed them on their 1st (jobs.month_close closes last month and catches up the eleven
        # before it), so their reports read what the close wrote
        from datetime import datetime

        from server import clock
        from server.jobs import run
        from server.settings import current as current_settings

        settings = current_settings()
        local = clock.now().astimezone(settings.zone)
        run("month_close", database(), at=datetime(local.year, local.month, 1, 0, 30, tzinfo=settings.zone),
            settings=settings)
        click.echo("demo data loaded. Logins (password for all: %s):" % demo_data.DEMO_PASSWORD)
        for role, username, name in logins:
            click.echo(f"  {role:<16} {username:<14} {name}")
    else:
        click.echo("demo data already present")
    if scale:
        demo_data.load_scale(database().engine, scale, seed=seed, progress=click.progressbar)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--township", required=True, help="the township's name, as in the system")
@click.option("--kind", type=click.Choice(["persons", "volunteers", "pairings"]), default="persons", show_default=True)
@click.option("--apply", "do_apply", is_flag=True, help="write it (a file with any error writes nothing)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object on stdout")
@click.option("--user", "username", default=None,
              help="the staff or admin login it is recorded under (default: the township's first staff login, "
                   "else the first district admin)")
@with_appcontext
def import_roster(file, township, kind, do_apply, as_json, username):
    """Import a township's roster (花名册) or volunteer list from FILE (.xlsx or .csv): a dry run,
    or with --apply, the real thing. Exit status 1 when the file has errors."""
    import json
    from pathlib import Path

    from sqlalchemy import select

    from server import clock
    from server.audit import service as audit
    from server.auth.actor import Actor
    from server.auth.models import User
    from server.auth.roles import DISTRICT_ADMIN, STAFF_ROLES, TOWNSHIP_STAFF
    from server.db import database
    from server.errors import ServiceError
    from server.imports import service as imports
    from server.places.models import Place
    from server.settings import current as current_settings

    settings = current_settings()
    data = Path(file).read_bytes()
    with database().session() as session:
        towns = list(session.scalars(select(Place).where(Place.level == "township", Place.name == township)))
        if len(towns) != 1:
            raise click.ClickException(f"township {township!r}: {'not found' if not towns else 'ambiguous'}")
        town = towns[0]
        if username:
            user = session.scalar(select(User).where(User.username == username))
        else:
            user = session.scalar(select(User).where(User.role == TOWNSHIP_STAFF, User.place_id == town.id,
                                                     User.is_active).order_by(User.id)) or session.scalar(
                select(User).where(User.role == DISTRICT_ADMIN, User.is_active).order_by(User.id))
        if user is None or user.role not in STAFF_ROLES:
            raise click.ClickException("no staff or district admin login to record the import under; use --user")
        actor = Actor(user=user, address="cli")
        today = clock.today(settings.zone)
        try:
            plan, _records = imports.plan_import(session, township=town, kind=kind, data=data, filename=file,
                                                 settings=settings.imports, today=today, actor=actor,
                                                 mapping=imports.mapping_for(session, township=town, kind=kind))
        except ServiceError as exc:
            body = exc.payload()[0]
            if as_json:  # a refused file is an answer too, in the shape a script reads (issue 30 L11)
                click.echo(json.dumps({"township": town.name, "kind": kind, "refused": body["reason"],
                                       "message": body["message"], "applied": False}, ensure_ascii=False))
                sys.exit(1)
            raise click.ClickException(body["message"]) from None
        counts = plan.counts()
        out = {"township": town.name, "kind": kind, "created": counts["created"], "updated": counts["updated"],
               "unchanged": counts["unchanged"], "errors": plan.errors, "missing": len(plan.missing),
               "applied": False}
        logins = []
        if do_apply and not plan.errors:
            with click.progressbar(length=len(plan.rows), label="importing", file=sys.stderr) as bar:
                applied = imports.execute(session, actor=actor, plan=plan,
                                          hasher=hasher(), today=today,
                                          batch_size=settings.imports.batch_size, commit=session.commit,
                                          progress=bar.update)
            audit.record(session, actor=actor, action="import", entity="import",
                         detail={"kind": kind, "township_id": town.id, "filename": Path(file).name,
                                 "sha256": __import__("hashlib").sha256(data).hexdigest(), **applied.counts})
            session.commit()
            out["applied"] = True
            logins = applied.logins
            out["logins"] = logins
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        click.echo(f"{town.name}: {out['created']} new, {out['updated']} changed, {out['unchanged']} unchanged, "
                   f"{len(plan.errors)} error(s); {out['missing']} in the system but not in the file"
                   + ("" if out["applied"] else " (dry run, nothing written)" if not plan.errors else ""))
        for e in plan.errors:
            click.echo(f"  第{e['row']}行 [{e['column']}] {e['message']}")
        for login in logins:
            click.echo(f"  {login['username']}  {login['one_time_password']}  {login['display_name']}")
    if plan.errors:
        sys.exit(1)


@main.command()
@click.option("--retry-seconds", default=15.0, show_default=True, help="how often a standby tries to take over")
@with_appcontext
def scheduler(retry_seconds):
    """Run the one scheduler process (a second one waits as a standby)."""
    import logging

    from server import scheduler as sched
    from server.db import database
    from server.settings import current as current_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sched.serve(database(), current_settings(), retry_seconds=retry_seconds,
                announce=lambda text: click.echo(text, err=False))


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup(file):
    """Back up the database (a consistent snapshot), the media folder and the photos into FILE (tar.gz)."""
    from server import clock
    from server.photos.storage import StorageSettings, StorageUnavailable
    from server.privacy import backup as backups

    settings = load_settings()
    try:
        manifest = backups.backup(url=settings["DATABASE_URL"], media_dir=settings["MEDIA_DIR"], target=file,
                                  now=clock.now(), store=StorageSettings.from_config(settings).open(),
                                  keys={"secret_key": settings["SECRET_KEY"],
                                        "vapid_private.pem": settings["VAPID_PRIVATE_KEY"]})
    except (backups.BackupError, StorageUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {file}: schema {manifest['schema_revision']}, "
               f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
               f"{len(manifest['media'])} media files, keys: {', '.join(manifest['keys']) or 'none'}")


@main.command(with_appcontext=False)  # the app would make instance/ its own keys first
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="replace a database or media folder that already holds data")
def restore(file, force):
    """Restore a backup made by `zhaoying backup` (verified first; migrated up when older)."""
    from server.photos.storage import StorageSettings, StorageUnavailable
    from server.privacy import backup as backups

    settings = load_settings()
    try:
        done = backups.restore(url=settings["DATABASE_URL"], media_dir=settings["MEDIA_DIR"], source=file, force=force,
                               store=StorageSettings.from_config(settings).open())
    except (backups.BackupError, StorageUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    migrated = f", migrated to {done['migrated_to']}" if done["migrated_to"] else ""
    click.echo(f"restored {file}: schema {done['schema_revision']}{migrated}, "
               f"{sum(done['tables'].values())} rows, {done['media_files']} media files")
    # the keys a new server needs: written to instance/ unless it has its own, or the environment sets them
    instance_dir().mkdir(parents=True, exist_ok=True)
    for name, value in done["keys"].items():
        env = {"secret_key": "SECRET_KEY", "vapid_private.pem": "VAPID_PRIVATE_KEY"}[name]
        target = instance_dir() / name
        if os.environ.get(env):
            same = os.environ[env].strip() == value.strip()
            click.echo(f"{env} is set in the environment" + ("" if same else
                       f"; it differs from the backup's: set it to the backup's ({target.name} in the archive's keys/)"
                       + (", or every browser subscribed to push must subscribe again" if env == "VAPID_PRIVATE_KEY"
                          else ", or everyone logs in again")))
        elif target.exists() and target.read_text().strip() != value.strip() and not force:
            click.echo(f"{target} differs from the backup's and is kept; --force replaces it")
        else:
            target.unlink(missing_ok=True)
            _write_private(target, value)
            click.echo(f"{target} restored from the backup")


@main.group()
def jobs():
    """Scheduled jobs, run by hand."""


@jobs.command("list")
def jobs_list():
    """The registered jobs and their triggers."""
    from server.jobs import JOBS

    for job in JOBS.values():
        click.echo(f"{job.name:<24} {job.cron}  misfire grace {job.misfire_grace_seconds}s")


@jobs.command("run")
@click.argument("name")
@click.option("--at", "at", default=None, help="the instant to run for (ISO 8601 with offset); default now")
@with_appcontext
def jobs_run(name, at):
    """Run job NAME for an instant, e.g. `zhaoying jobs run month_close --at 2026-12-01T00:30+08:00`."""
    import json
    from datetime import datetime

    from server import clock
    from server.db import database
    from server.jobs import JOBS, run
    from server.settings import current as current_settings

    if name not in JOBS:
        raise click.BadParameter(f"unknown job {name!r}; known: {', '.join(JOBS)}", param_hint="NAME")
    when = clock.now()
    if at:
        try:
            when = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter("use ISO 8601, e.g. 2026-12-01T00:30+08:00", param_hint="--at") from None
        if when.tzinfo is None:
            raise click.BadParameter("give an offset, e.g. +08:00", param_hint="--at")
    click.echo(json.dumps(run(name, database(), at=when, settings=current_settings()), ensure_ascii=False, default=str))


if __name__ == "__main__":
    sys.exit(main())
