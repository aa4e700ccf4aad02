"""Where photo files live, by content hash; no Flask here.

Two stores answer one interface (``PhotoStorage``): the local media folder (``PhotoStore``, the
default) and S3-compatible object storage (``server.photos.s3.S3PhotoStore``), chosen by
PHOTO_STORAGE (docs/operations.md "Environment"). Every reader and writer of photo files — check-ins and
activities, the photo route, the retention job, a person's export, backup and restore — goes
through it. A file has the same name in both ("photos/ab/cd/<sha256>[_t].jpg"), so a backup of
one restores into the other.

A store is opened per request (``StorageSettings.open``) and remembers the files that request
created, so a request that fails after writing leaves no orphan behind (``discard_created``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from server.photos.base import (  # noqa: F401  (the interface, named here as before)
    BACKENDS,
    PREFIX,
    Located,
    PhotoStorage,
    StorageUnavailable,
    name_of,
)

# ``server.photos.s3`` takes a StorageSettings (below) wherever its functions say ``settings``; it
# does not import this module, which imports it.


class PhotoStore(PhotoStorage):
    """The media folder: files under ``root``/photos/, written atomically (temp file, rename)."""

    def __init__(self, root: str | os.PathLike):
        super().__init__()
        self.root = Path(root)

    def path(self, sha256: str, *, thumb: bool = False) -> Path:
        return self.root / name_of(sha256, thumb=thumb)

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def get(self, name: str) -> bytes | None:
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            return None

    def _write(self, target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)

    def put(self, name: str, data: bytes) -> None:
        self._write(self.root / name, data)

    def put_new(self, name: str, data: bytes) -> bool:
        target = self.root / name
        if target.exists():
            return False
        self._write(target, data)
        return True

    def remove_many(self, names: Iterable[str]) -> None:
        for name in names:
            (self.root / name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        folder = self.root / PREFIX
        if folder.exists():
            yield from sorted(p.relative_to(self.root).as_posix() for p in folder.rglob("*")
                              if p.is_file() and not p.name.endswith(".part"))

    def locate(self, sha256: str, *, thumb: bool = False) -> Located | None:
        path = self.path(sha256, thumb=thumb)
        return Located(path=path) if path.is_file() else None


@dataclass(frozen=True)
class StorageSettings:
    """Which store holds photos, and how to reach it (docs/operations.md "Environment")."""

    backend: str = "local"  # PHOTO_STORAGE: local | s3
    media_dir: str = ""  # MEDIA_DIR, the local store's root
    endpoint_url: str | None = None  # S3_ENDPOINT_URL; None: AWS itself
    public_endpoint_url: str | None = None  # S3_PUBLIC_ENDPOINT_URL: the address phones use, if another
    bucket: str | None = None  # S3_BUCKET
    region: str = "us-east-1"  # S3_REGION
    access_key_id: str | None = field(default=None, repr=False)  # S3_ACCESS_KEY_ID; None: boto3's own chain
    secret_access_key: str | None = field(default=None, repr=False)  # S3_SECRET_ACCESS_KEY
    addressing_style: str = "auto"  # S3_ADDRESSING_STYLE: auto | path | virtual
    signed_url_seconds: int = 300  # SIGNED_URL_SECONDS: how long a photo URL handed to a reader works

    @classmethod
    def from_config(cls, c) -> "StorageSettings":
        return cls(backend=c.get("PHOTO_STORAGE") or "local", media_dir=str(c["MEDIA_DIR"]),
                   endpoint_url=c.get("S3_ENDPOINT_URL"), public_endpoint_url=c.get("S3_PUBLIC_ENDPOINT_URL"),
                   bucket=c.get("S3_BUCKET"), region=c.get("S3_REGION") or "us-east-1",
                   access_key_id=c.get("S3_ACCESS_KEY_ID"), secret_access_key=c.get("S3_SECRET_ACCESS_KEY"),
                   addressing_style=c.get("S3_ADDRESSING_STYLE") or "auto",
                   signed_url_seconds=c.get("SIGNED_URL_SECONDS") or 300)

    def open(self) -> PhotoStorage:
        """A store for one request (or one job run)."""
        if self.backend == "s3":
            # boto3 is loaded only where it is used
            from server.photos.s3 import S3PhotoStore

            return S3PhotoStore(self)
        return PhotoStore(self.media_dir)

    def public_origin(self) -> str | None:
        """The origin photo URLs point at (for the app's Content-Security-Policy), or None when
        photos are served by the app itself."""
        if self.backend != "s3":
            return None
        from server.photos.s3 import public_origin

        return public_origin(self)
