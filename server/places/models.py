from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# The administrative tree, top down (DOMAIN.md "Place hierarchy").
LEVELS = ("district", "township", "village", "grid")
CHILD_LEVEL = {"district": "township", "township": "village", "village": "grid"}


class Place(SQLModel, table=True):
    """A node of the administrative tree: 区/旗 → 镇/乡/苏木/街道 → 村/居委会 → 网格.

    Seed 001 annex 1 lists the townships of Aohan banner (敖汉旗). ``path`` is the
    materialised list of ancestor ids ("/1/4/23/"), so "everything in this
    township" is one indexed prefix match on both engines (on PostgreSQL through a pattern-ops
    index, migration 0024_place_path_prefix: the plain one serves LIKE under the C collation only).
    """

    # "under this township" on PostgreSQL (migration 0024_place_path_prefix)
    __table_args__ = (
        sa.Index("ix_place_path_prefix", "path", postgresql_ops={"path": "varchar_pattern_ops"})
        .ddl_if(dialect="postgresql"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    level: str = Field(max_length=10)
    parent_id: int | None = Field(default=None, foreign_key="place.id", index=True)
    code: str | None = Field(default=None, max_length=20, description="statistical area code, when known")
    path: str = Field(default="", max_length=200, index=True)


def subtree_filter(place: Place, of=Place):
    """A clause matching ``place`` and everything under it (for queries joined to Place, or to
    ``of``, an alias of it)."""
    return of.path.startswith(place.path, autoescape=True)
