"""What every photo store is (``PhotoStorage``) and the names its files have, for the local store
(``server.photos.storage``) and the S3 one (``server.photos.s3``) alike; no Flask here."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
