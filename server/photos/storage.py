"""Photo files on disk, by content hash; no Flask here."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from server.photos.pipeline import ProcessedPhoto


class PhotoStore:
    """Writes processed photos under ``root`` and remembers which files this request created,
    so a request that fails after writing leaves no orphan behind."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.created: list[Path] = []

    def path(self, sha256: str, *, thumb: bool = False) -> Path:
        return self.root / "photos" / sha256[:2] / sha256[2:4] / f"{sha256}{'_t' if thumb else ''}.jpg"

    def save(self, photo: ProcessedPhoto) -> None:
        for data, thumb in ((photo.jpeg, False), (photo.thumb, True)):
            target = self.path(photo.sha256, thumb=thumb)
            if target.exists():  # same content already stored (content-addressed)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
            self.created.append(target)

    def discard_created(self) -> None:
        for path in self.created:
            path.unlink(missing_ok=True)
        self.created.clear()
