"""A township's roster of N rows (default 12,018) imported through the service — dry run
(upload: read, check, plan, and the checked records stored) and apply (the records planned again
against the database, fingerprint compared, then written in sets: people.create_persons,
auth.create_logins with a one-time password each, care.sign_agreements, 500 rows a transaction,
each person and agreement with its audit row) — as a ratio to a floor measured in the same run: a
bare bulk insert of the same persons, logins and agreements (insert().values executemany, 500 a
batch, ids matched by their unique column) into a fresh database. Each side has a database of its
own; DATABASE_URL picks the engine (a PostgreSQL URL: bench_import_ours and bench_import_floor are
created afresh and dropped).

The same logins are logins with a password each: the floor hashes each login's own one-time
password too, the bare way (one after another, as it inserts), and prints what the hashes took,
with the ratio to its inserts alone beside the ratio to the whole. The hasher is argon2id at the
test cost (time 1, 8 KiB): at the production default (time 3, 64 MiB) each hash is ~0.16 s of one
core on the 2-core machine measured (40 in 6.5 s), which the import spreads over auth.HASH_THREADS
threads (40 in 3.3 s).

Each side runs ROUNDS times (default 3), in turn, and the best run of each is compared.

Run: .venv/bin/python bench/roster_import.py [N [ROUNDS]]
"""

from __future__ import annotations

import io
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from server import clock  # noqa: E402
from server.auth.actor import Actor  # noqa: E402
from server.auth.models import User  # noqa: E402
from server.auth.service import make_hasher, one_time_password  # noqa: E402
from server.care.models import CareAgreement  # noqa: E402
from server.config import normalise_database_url  # noqa: E402
from server.db import make_engine  # noqa: E402
from server.imports import layout, plan, reading  # noqa: E402
from server.imports import service as imports  # noqa: E402
from server.migrate import upgrade  # noqa: E402
from server.people import idnumber  # noqa: E402
from server.people.models import Person  # noqa: E402
from server.places import service as places  # noqa: E402

VILLAGES = 40
TODAY = date(2026, 11, 18)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["德明", "秀英", "桂兰", "建国", "玉珍", "振华", "淑芬", "国庆", "凤英", "志强"]


def fresh_url(name: str) -> tuple[str, callable]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        path = Path(tempfile.mkdtemp(prefix="zhaoying-bench-")) / f"{name}.db"
        return f"sqlite:///{path}", lambda: None
    url = normalise_database_url(url)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()

    return url.rsplit("/", 1)[0] + f"/{name}", drop


def rows(n: int) -> list[dict]:
    """The generated township's people: valid ID numbers, one caregiver each."""
    out = []
    levels = ["全自理"] * 8 + ["半失能", "全失能"]
    for k in range(n):
        sex = "M" if k % 3 else "F"
        born = date(1930, 1, 1) + timedelta(days=(k * 7) % 16000)
        out.append({"name": SURNAMES[k % 20] + GIVEN[(k // 20) % 10], "sex": layout.SEX_LABELS[sex],
                    "id_number": idnumber.make("150499", born, k // 16000 * 250 + k % 250 + 1, sex),
                    "birth_date": born, "village": f"第{k % VILLAGES + 1}村", "address": f"{k % 9 + 1}组{k % 97 + 1}号",
                    "self_care_level": levels[k % 10], "support_mode": "分散供养",
                    "caregiver_name": SURNAMES[(k + 3) % 20] + GIVEN[(k + 5) % 10],
                    "caregiver_phone": f"13{k % 7 + 3}{k:08d}", "relation": "亲属",
                    "signed_on": date(2023, 5, 1) + timedelta(days=k % 300)})
    return out


def xlsx(data: list[dict]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(layout.TITLES["persons"])
    ws.append(["某镇分散供养特困人员花名册"])
    cols = layout.PERSON_COLUMNS
    ws.append([c.header for c in cols])
    for row in data:
        ws.append([row.get(c.key) for c in cols])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def township(engine):
    """A district, a township of VILLAGES villages, and its staff login."""
    with Session(engine) as session:
        district = places.create(session, actor=None, name="基准旗", level="district")
        town = places.create(session, actor=None, name="基准镇", level="township", parent_id=district.id)
        villages = {places.create(session, actor=None, name=f"第{v + 1}村", level="village", parent_id=town.id).name: None
                    for v in range(VILLAGES)}
        staff = User(username="staff", password_hash="!", role="township_staff", display_name="专职人员",
                     place_id=town.id)
        session.add(staff)
        session.commit()
        ids = {p.name: p.id for p in places.children(session, parent_id=town.id)}
        return town.id, staff.id, {name: ids[name] for name in villages}


def ours(n: int, data: bytes, expected: int) -> tuple[float, float]:
    url, drop = fresh_url("bench_import_ours")
    upgrade(url=url)
    engine = make_engine(url)
    town_id, staff_id, _ = township(engine)
    hasher = make_hasher(time_cost=1, memory_kib=8)
    settings = imports.ImportSettings(media_dir=tempfile.mkdtemp(prefix="zhaoying-bench-media-"))
    now = clock.now()
    with Session(engine, expire_on_commit=False) as session:
        actor = Actor(user=session.get(User, staff_id), address="bench")
        t = time.perf_counter()
        job = imports.create_import(session, actor=actor, kind="persons", data=data, filename="roster.xlsx",
                                    place_id=None, settings=settings, today=TODAY, now=now)
        session.commit()
        dry = time.perf_counter() - t
        assert job.result["counts"]["created"] == expected and not job.result["errors"], job.result["errors"][:3]
        t = time.perf_counter()
        job, applied = imports.apply_import(session, actor=actor, import_id=job.id, hasher=hasher, settings=settings,
                                            today=TODAY, now=now)
        session.commit()
        wet = time.perf_counter() - t
        assert applied.counts["created"] == expected and len(applied.logins) == expected
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT count(*) FROM careagreement WHERE status = 'active'")) == expected
    engine.dispose()
    drop()
    return dry, wet


def floor(n: int, data: list[dict]) -> tuple[float, float]:
    """The bare bulk insert, and of its time what hashing each login's password took."""
    url, drop = fresh_url("bench_import_floor")
    upgrade(url=url)
    engine = make_engine(url)
    _, _, villages = township(engine)
    hasher = make_hasher(time_cost=1, memory_kib=8)
    levels = {v: k for k, v in layout.LEVEL_LABELS.items()}
    now = clock.now()
    hashing = 0.0
    t = time.perf_counter()
    for start in range(0, n, 500):
        batch = data[start:start + 500]
        h = time.perf_counter()
        password_hashes = [hasher.hash(one_time_password()) for _ in batch]
        hashing += time.perf_counter() - h
        with engine.begin() as conn:
            # ids matched by a unique column: asking for RETURNING in parameter order makes SQLite
            # insert a row per statement
            pids = dict(conn.execute(insert(Person).returning(Person.id_number, Person.id), [
                {"name": r["name"], "sex": "M" if r["sex"] == "男" else "F", "birth_date": r["birth_date"],
                 "id_number": r["id_number"], "support_mode": "decentralised",
                 "self_care_level": levels[r["self_care_level"]], "risk_flags": [], "status": "active",
                 "village_id": villages[r["village"]], "address": r["address"], "enrolled_on": TODAY,
                 "created_at": now, "updated_at": now}
                for r in batch]).all())
            uids = dict(conn.execute(insert(User).returning(User.username, User.id), [
                {"username": r["caregiver_phone"], "password_hash": password_hash, "role": "caregiver",
                 "display_name": r["caregiver_name"], "phone": r["caregiver_phone"], "place_id": villages[r["village"]],
                 "is_active": True, "must_change_password": True, "failed_logins": 0, "created_at": now}
                for r, password_hash in zip(batch, password_hashes)]).all())
            conn.execute(insert(CareAgreement), [
                {"person_id": pids[r["id_number"]], "caregiver_id": uids[r["caregiver_phone"]], "relation": "relative",
                 "signed_on": r["signed_on"], "start_on": r["signed_on"], "status": "active", "created_at": now}
                for r in batch])
    elapsed = time.perf_counter() - t
    engine.dispose()
    drop()
    return elapsed, hashing


def main(n: int = 12_018, rounds: int = 3) -> None:
    data = rows(n)
    assert len({r["id_number"] for r in data}) == n
    payload = xlsx(data)
    engine_name = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    print(f"roster import of {n} rows ({len(payload) / 1e6:.1f} MB XLSX) on {engine_name}, "
          f"best of {rounds} rounds (floor and ours in turn: a shared machine slows one run now and then)")
    floors, runs = [], []
    for k in range(rounds):
        floors.append(floor(n, data))
        for remembered in (reading.word, reading.a_date, plan.village_key):  # as a fresh process has them
            remembered.cache_clear()
        runs.append(ours(n, payload, n))
        (whole, hashing), (dry, wet) = floors[-1], runs[-1]
        print(f"  round {k + 1}: floor {whole:5.2f} s (hashes {hashing:4.2f} s), ours {dry:5.2f} + {wet:5.2f} s"
              f" = {dry + wet:5.2f} s ({(dry + wet) / whole:.1f}×; {(dry + wet) / (whole - hashing):.1f}× its inserts)")
    f, hashing = min(floors)  # the best round, and what its hashes took
    inserts = min(whole - hashed for whole, hashed in floors)
    dry, wet = min(runs, key=sum)
    total = dry + wet
    print(f"floor (a hash per login, bulk insert of persons + logins + agreements, 500 a batch):"
          f" {f:6.2f} s  {n / f:8.0f} rows/s (hashes {hashing:.2f} s)")
    print(f"  of which the inserts (best round):                                                 {inserts:6.2f} s")
    print(f"ours  dry run (read, check, plan):                                                   {dry:6.2f} s"
          f"  {n / dry:8.0f} rows/s")
    print(f"ours  apply (re-plan, fingerprint, written in sets):                                  {wet:6.2f} s"
          f"  {n / wet:8.0f} rows/s")
    print(f"ours  dry run + apply:                                                               {total:6.2f} s"
          f"  {n / total:8.0f} rows/s")
    print(f"ratio {total / f:.1f}× the floor ({total / inserts:.1f}× its inserts alone)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
