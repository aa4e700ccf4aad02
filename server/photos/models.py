from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from server import clock
from server.db import UTCDateTime


class VisitPhoto(SQLModel, table=True):
    """A photo taken at a visit (or at a volunteer team's activity), stored re-encoded without metadata under MEDIA_DIR by its
    SHA-256. The EXIF capture time and GPS read before stripping are kept here, as
    evidence, never in the file. ``phash`` is a 64-bit DCT perceptual hash (hex)."""

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id", index=True)
    activity_id: int | None = Field(default=None, foreign_key="volunteeractivity.id", index=True,
                                    description="set instead of visit_id for a volunteer activity's photo")
    service_record_id: int | None = Field(default=None, foreign_key="servicerecord.id", index=True,
                                          description="set instead of visit_id for a subsidised home service's photo")
    position: int = 0
    sha256: str | None = Field(default=None, max_length=64, index=True,
                               description="the stored file's name; None once the retention job purged it")
    phash: str = Field(max_length=16)
    width: int
    height: int
    bytes: int
    source_format: str = Field(max_length=10)
    exif_taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    exif_lat: float | None = None
    exif_lon: float | None = None
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    purged_at: datetime | None = Field(default=None, sa_type=UTCDateTime,
                                       description="when the retention job deleted the file (docs/privacy.md \"Privacy\"); the row stays")
