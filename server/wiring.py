"""The app's settings, built once from the configuration (``create_app`` does it, the scheduler
and ``zhaoying jobs run`` too) and handed down: routes read ``server.settings.current()``, jobs and
services take the part they need as an argument. Nothing reads ``current_app.config`` behind a
caller's back. This is the composition root's module: it knows every room's settings, and no room
imports it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from server.alerts.service import AlertSettings
from server.auth.service import LoginPolicy
from server.imports.service import ImportSettings
from server.notify.service import NotifySettings
from server.photos.service import PhotoSettings
from server.privacy.service import RetentionSettings
from server.visits.service import Settings as VisitSettings


@dataclass(frozen=True)
class Settings:
    zone: ZoneInfo  # the zone in which days and months are counted
    login: LoginPolicy
    photos: PhotoSettings
    visits: VisitSettings
    alerts: AlertSettings
    notify: NotifySettings
    retention: RetentionSettings
    imports: ImportSettings
    vapid_private_key: str | None
    reminder_hour: int  # local hour of the daily and monthly reminders
    instance_dir: str  # where the scheduler's lock file lives beside an SQLite database

    @classmethod
    def from_config(cls, c: Mapping) -> "Settings":
        zone = ZoneInfo(c["TIMEZONE"])
        photos = PhotoSettings.from_config(c)
        alerts = AlertSettings.from_config(c)
        return cls(
            zone=zone,
            login=LoginPolicy.from_config(c),
            photos=photos,
            visits=VisitSettings.from_config(c, zone=zone, photos=photos, alerts=alerts),
            alerts=alerts,
            notify=NotifySettings.from_config(c),
            retention=RetentionSettings.from_config(c),
            imports=ImportSettings.from_config(c),
            vapid_private_key=c.get("VAPID_PRIVATE_KEY"),
            reminder_hour=c["REMINDER_HOUR"],
            instance_dir=str(c["INSTANCE_DIR"]),
        )
