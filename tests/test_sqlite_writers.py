"""Several writers on one SQLite file: BEGIN IMMEDIATE makes them wait, not fail."""

import threading

import sqlalchemy as sa

from server.db import Database
from server.migrate import upgrade
from server.places.models import Place


def test_concurrent_writers_all_succeed(tmp_path):
    # its own SQLite file, whichever engine the rest of the run uses
    url = f"sqlite:///{tmp_path / 'writers.db'}"
    upgrade(url=url)
    db = Database(url)
    errors = []

    def writer(n):
        try:
            for k in range(20):
                with db.session() as s:
                    # read then write in one transaction: the pattern that fails under a deferred BEGIN
                    s.scalar(sa.select(sa.func.count()).select_from(Place))
                    s.add(Place(name=f"w{n}-{k}", level="district", path=f"/w{n}-{k}/"))
                    s.commit()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(Place)) == 120
    db.engine.dispose()
