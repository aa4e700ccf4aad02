from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime

IMPORT_KINDS = ("persons", "volunteers", "pairings")
# dry_run: shown, waiting to be applied; applied; failed: stopped part-way (the rows before stand);
# expired: the stored file was deleted unapplied after IMPORT_KEEP_HOURS.
IMPORT_STATUSES = ("dry_run", "applying", "applied", "failed", "expired")


class ImportJob(SQLModel, table=True):
    """One upload of a township's roster (花名册) or volunteer list, its dry run and its fate.

    The records it checked wait in the database to be applied (``ImportRecords``: any server
    applies a dry run another made), deleted once applied or after IMPORT_KEEP_HOURS. ``fingerprint`` is a SHA-256 over the
    state of the rows the dry run looked at; apply recomputes it and refuses when it changed.
    ``result`` is the dry run as shown (ID numbers masked); no password is ever stored here.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    township_id: int = Field(foreign_key="place.id", index=True)
    created_by: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    status: str = Field(default="dry_run", max_length=10)
    filename: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    size: int
    fingerprint: str = Field(max_length=64)
    result: dict = Field(default_factory=dict, sa_type=sa.JSON)
    applied_by: int | None = Field(default=None, foreign_key="app_user.id")
    applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=500)
    # rows of the file written so far by an apply, committed with each batch: the app polls it
    rows_done: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ImportMapping(SQLModel, table=True):
    """How a township's files name a column the layout does not list: staff mapped it on screen once
    (the file's header → a column of the layout, or "" to leave it unread), and the township's next
    file is read the same way."""

    __table_args__ = (sa.UniqueConstraint("township_id", "kind", "header"),)

    id: int | None = Field(default=None, primary_key=True)
    township_id: int = Field(foreign_key="place.id")
    kind: str = Field(max_length=20)
    header: str = Field(max_length=100)  # normalised (layout.header_key)
    field: str = Field(max_length=30)  # a column key of the kind's layout, or "": not read
    updated_by: int = Field(foreign_key="app_user.id")
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class ImportRecords(SQLModel, table=True):
    """The records a dry run checked, as JSON, kept for its apply while they may be applied: in the
    database, not a server's folder, so a dry run on one machine is applied on another (issue 30)."""

    job_id: int = Field(foreign_key="importjob.id", primary_key=True)
    data: bytes = Field(sa_type=sa.LargeBinary)
