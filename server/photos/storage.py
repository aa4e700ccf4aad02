"""Where photo files live, by content hash; no Flask here.

Two stores answer one interface (``PhotoStorage``): the local media folder (``PhotoStore``, the
default) and S3-compatible object storage (``server.photos.s3.S3PhotoStore``), chosen by
PHOTO_STORAGE (README "Environment"). Every reader and writer of photo files — check-ins and
activities, the photo route, the retention job, a person's export, backup and restore — goes
through it. A file has the same name in both ("photos/ab/cd/<sha256>[_t].jpg"), so a backup of
one restores into the other.

A store is opened per request (``StorageSettings.open``) and remembers the files that request
created, so a request that fails after writing leaves no orphan behind (``discard_created``).
"""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from server.photos.pipeline import ProcessedPhoto

PREFIX = "photos/"
BACKENDS = ("local", "s3")


def name_of(sha256: str, *, thumb: bool = False) -> str:
    """The stored name of a photo (or of its thumbnail), the same in every store."""
    return f"{PREFIX}{sha256[:2]}/{sha256[2:4]}/{sha256}{'_t' if thumb else ''}.jpg"


class StorageUnavailable(RuntimeError):
    """The store could not be reached or answered with an error of its own (a 503 to the user)."""


@dataclass(frozen=True)
class Located:
    """Where a reader gets a stored file: a local ``path`` to send, or a signed ``url`` to redirect
    to (short-lived; the store refuses it once expired)."""

    path: Path | None = None
    url: str | None = None


class PhotoStorage(ABC):
    """What every photo store does. Subclasses give the primitives on names; the photo-level
    operations (save, read, locate, delete) are the same for all."""

    def __init__(self) -> None:
        self.created: list[str] = []

    # --- primitives, on stored names ---------------------------------------------------------

    @abstractmethod
    def exists(self, name: str) -> bool: ...

    @abstractmethod
    def get(self, name: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""

    @abstractmethod
    def put(self, name: str, data: bytes) -> None:
        """Write (or overwrite) a file."""

    @abstractmethod
    def put_new(self, name: str, data: bytes) -> bool:
        """Write a file unless one of that name is there; True when this call created it."""

    @abstractmethod
    def remove_many(self, names: Iterable[str]) -> None:
        """Delete these files (a missing one is no error)."""

    @abstractmethod
    def names(self) -> Iterator[str]:
        """Every stored photo file's name, in order."""

    @abstractmethod
    def locate(self, sha256: str, *, thumb: bool = False) -> Located | None:
        """Where an authorised reader gets the file, or None when it is not stored. Call it only
        after the reader's right was checked: a URL it answers is the file."""

    # --- photos ------------------------------------------------------------------------------

    def save(self, photo: ProcessedPhoto) -> None:
        for data, thumb in ((photo.jpeg, False), (photo.thumb, True)):
            name = name_of(photo.sha256, thumb=thumb)
            if self.put_new(name, data):  # same content already stored (content-addressed): not ours
                self.created.append(name)

    def discard_created(self) -> None:
        self.remove_many(self.created)
        self.created.clear()

    def read(self, sha256: str, *, thumb: bool = False) -> bytes | None:
        return self.get(name_of(sha256, thumb=thumb))

    def delete(self, shas: Iterable[str]) -> int:
        """Delete these photos and their thumbnails; returns how many photos were there."""
        shas = list(shas)
        found = sum(1 for sha in shas if self.exists(name_of(sha)))
        self.remove_many(name_of(sha, thumb=t) for sha in shas for t in (False, True))
        return found

    def clear(self) -> None:
        """Remove every stored photo file (a restore with --force)."""
        self.remove_many(list(self.names()))


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
    """Which store holds photos, and how to reach it (README "Environment")."""

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
