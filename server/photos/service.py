"""Photos of visits and activities: processing, reuse detection, storage rows, and who may read one.

Who may read a photo is its owner's rule: the owning domains (visits, activities) register a
reader check here (``register_reader``, done by ``create_app``), so this package imports neither."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import or_, select
from sqlmodel import Session

from server.auth.actor import Actor
from server.errors import ServiceError
from server.photos import pipeline
from server.photos.models import VisitPhoto
from server.photos.storage import PhotoStorage, StorageSettings


@dataclass(frozen=True)
class PhotoSettings:
    """What a photo upload may be, and where photos are kept (docs/operations.md "Environment")."""

    limits: pipeline.Limits
    max_count: int  # photos per visit or activity
    media_dir: str
    storage: StorageSettings | None = None  # None: the local folder media_dir

    @classmethod
    def from_config(cls, c) -> "PhotoSettings":
        return cls(limits=pipeline.Limits(max_bytes=c["PHOTO_MAX_BYTES"], max_pixels=c["PHOTO_MAX_PIXELS"],
                                          max_pixels_png=c["PHOTO_MAX_PIXELS_PNG"],
                                          max_pixels_webp=c["PHOTO_MAX_PIXELS_WEBP"],
                                          max_total_pixels=c["PHOTO_MAX_TOTAL_PIXELS"],
                                          max_decoding_pixels=c["PHOTO_DECODING_PIXELS"]),
                   max_count=c["PHOTO_MAX_COUNT"], media_dir=c["MEDIA_DIR"],
                   storage=StorageSettings.from_config(c))

    def store(self) -> PhotoStorage:
        """The photo store (PHOTO_STORAGE) for one request or job run."""
        return (self.storage or StorageSettings(media_dir=self.media_dir)).open()

    def check_count(self, files: list[bytes]) -> None:
        if len(files) > self.max_count:
            raise ServiceError(422, "too_many_photos", errors={"photos": [f"at most {self.max_count}"]},
                               limit=self.max_count)


def process_all(files: list[bytes], *, limits: pipeline.Limits, zone: tzinfo) -> list[pipeline.ProcessedPhoto]:
    """Process every upload before anything is stored; the first bad one refuses the lot. The
    pixel budget of the whole request is checked from the headers before any photo is decoded."""
    try:
        pipeline.check_budget(files, limits)
    except pipeline.PhotoError as err:
        if err.index is not None:
            raise ServiceError(err.status, err.code, errors={"photos": {str(err.index): [err.detail or err.code]}},
                               index=err.index + 1) from None
        raise ServiceError(err.status, err.code, errors={"photos": [err.detail]},
                           limit=limits.max_total_pixels) from None
    out = []
    for index, data in enumerate(files):
        try:
            out.append(pipeline.process(data, limits=limits, local_zone=zone))
        except pipeline.PhotoError as err:
            raise ServiceError(err.status, err.code, errors={"photos": {str(index): [err.detail or err.code]}},
                               index=index + 1) from None
    return out


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def matching_visits(
    session: Session,
    photos: list[pipeline.ProcessedPhoto],
    *,
    candidates_stmt,
    max_bits: int,
) -> list[int]:
    """Visit ids (from ``candidates_stmt``, a select of Visit.id) with a photo within ``max_bits``
    of one of ``photos``, or the very same file anywhere."""
    if not photos:
        return []
    shas = [p.sha256 for p in photos]
    rows = session.execute(
        select(VisitPhoto.visit_id, VisitPhoto.phash, VisitPhoto.sha256).where(
            or_(VisitPhoto.visit_id.in_(candidates_stmt), VisitPhoto.sha256.in_(shas))
        )
    ).all()
    found = []
    for visit_id, phash, sha in rows:
        if sha in shas or any(hamming(phash, p.phash) <= max_bits for p in photos):
            found.append(visit_id)
    return found


def attach(session: Session, *, photos: list[pipeline.ProcessedPhoto], store: PhotoStorage, visit_id: int | None = None,
           activity_id: int | None = None, service_record_id: int | None = None) -> list[VisitPhoto]:
    """Store processed photos as rows of a visit (or of a volunteer activity, or a home service) and as files."""
    if not photos:
        return []
    rows = []
    for position, p in enumerate(photos):
        row = VisitPhoto(visit_id=visit_id, activity_id=activity_id, service_record_id=service_record_id, position=position, sha256=p.sha256, phash=p.phash, width=p.width,
                         height=p.height, bytes=len(p.jpeg), source_format=p.source_format,
                         exif_taken_at=p.exif_taken_at, exif_lat=p.exif_lat, exif_lon=p.exif_lon)
        session.add(row)
        rows.append(row)
    session.flush()
    for p in photos:
        store.save(p)
    return rows


def photos_of(session: Session, owner_ids: list[int], owner: str = "visit") -> dict[int, list[VisitPhoto]]:
    """The photos of each of ``owner_ids`` (visits, or "activity" / "service" records), in order."""
    column = {"visit": VisitPhoto.visit_id, "activity": VisitPhoto.activity_id,
              "service": VisitPhoto.service_record_id}[owner]
    out: dict[int, list[VisitPhoto]] = {i: [] for i in owner_ids}
    if owner_ids:
        for row in session.scalars(select(VisitPhoto).where(column.in_(owner_ids))
                                   .order_by(column, VisitPhoto.position)):
            out[getattr(row, column.key)].append(row)
    return out


def taken_times(photos: list[pipeline.ProcessedPhoto]) -> list[datetime | None]:
    return [p.exif_taken_at for p in photos]


# --- who may read a photo ----------------------------------------------------------------

# (session, actor, owner id, thumb=...) -> None; raises a ServiceError to refuse, and audits the
# read when its owner audits reads.
PhotoReader = Callable[..., None]
_READERS: dict[str, PhotoReader] = {}


def register_reader(owner: str, check: PhotoReader) -> None:
    """Let the domain owning photos of ``owner`` ("visit", "activity", "service") decide who reads them."""
    _READERS[owner] = check


def owner_of(photo: VisitPhoto) -> tuple[str, int]:
    if photo.activity_id is not None:
        return "activity", photo.activity_id
    if photo.service_record_id is not None:
        return "service", photo.service_record_id
    return "visit", photo.visit_id


def readable(session: Session, *, actor: Actor, photo_id: int, thumb: bool) -> VisitPhoto:
    """The photo, when its owner's rule lets ``actor`` read it; 404 photo_not_found."""
    photo = session.get(VisitPhoto, photo_id)
    if photo is None:
        raise ServiceError(404, "photo_not_found")
    owner, owner_id = owner_of(photo)
    _READERS[owner](session, actor, owner_id, thumb=thumb)
    return photo
