"""Settings, read from the environment once and validated.

Every variable is listed in docs/operations.md ("Environment"). A test passes its own mapping to
``create_app(config)``; nothing here is patched at run time.
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_DIR = PROJECT_ROOT / "instance"


# The push services browsers use (PUSH_ENDPOINT_HOSTS); "*.x" matches every host under x.
DEFAULT_PUSH_ENDPOINT_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com", "*.notify.windows.com",
                               "web.push.apple.com", "*.push.apple.com")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which."""


def _int(env: dict, name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


def _hosts(env: dict, name: str) -> tuple[str, ...]:
    raw = env.get(name)
    if not raw:
        return DEFAULT_PUSH_ENDPOINT_HOSTS
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    for h in hosts:
        if "/" in h or ":" in h or ("*" in h and not h.startswith("*.")):
            raise ConfigError(f"{name}: {h!r} is not a host name (or *.domain)")
    return hosts


def _photo_storage(env: dict) -> dict:
    """PHOTO_STORAGE and the S3 settings it needs (docs/operations.md "Environment")."""
    backend = (env.get("PHOTO_STORAGE") or "local").strip().lower()
    if backend not in ("local", "s3"):
        raise ConfigError(f"PHOTO_STORAGE must be local or s3, got {backend!r}")
    style = (env.get("S3_ADDRESSING_STYLE") or "auto").strip().lower()
    if style not in ("auto", "path", "virtual"):
        raise ConfigError(f"S3_ADDRESSING_STYLE must be auto, path or virtual, got {style!r}")
    out = {
        "PHOTO_STORAGE": backend,
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL") or None,
        "S3_PUBLIC_ENDPOINT_URL": env.get("S3_PUBLIC_ENDPOINT_URL") or None,
        "S3_BUCKET": env.get("S3_BUCKET") or None,
        "S3_REGION": env.get("S3_REGION") or "us-east-1",
        "S3_ACCESS_KEY_ID": env.get("S3_ACCESS_KEY_ID") or None,
        "S3_SECRET_ACCESS_KEY": env.get("S3_SECRET_ACCESS_KEY") or None,
        "S3_ADDRESSING_STYLE": style,
        # SigV4 allows at most 7 days; a photo URL needs only to outlive the phone's request
        "SIGNED_URL_SECONDS": _int(env, "SIGNED_URL_SECONDS", 300, minimum=1),
    }
    if out["SIGNED_URL_SECONDS"] > 7 * 24 * 3600:
        raise ConfigError(f"SIGNED_URL_SECONDS may be at most 604800 (7 days), got {out['SIGNED_URL_SECONDS']}")
    if backend == "s3" and not out["S3_BUCKET"]:
        raise ConfigError("PHOTO_STORAGE=s3 needs S3_BUCKET")
    for name in ("S3_ENDPOINT_URL", "S3_PUBLIC_ENDPOINT_URL"):
        if out[name] and not out[name].startswith(("https://", "http://")):
            raise ConfigError(f"{name} must be an http(s) URL, got {out[name]!r}")
    if bool(out["S3_ACCESS_KEY_ID"]) != bool(out["S3_SECRET_ACCESS_KEY"]):
        raise ConfigError("set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither")
    return out


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


def quiet_hours(value: str) -> tuple[int, int]:
    """'22-7' → (22, 7): from 22:00 to 07:00 local time; '' or 'off' → no quiet hours."""
    if value in ("", "off"):
        return (0, 0)
    try:
        start, end = (int(x) for x in value.split("-"))
    except ValueError as exc:
        raise ConfigError(f"QUIET_HOURS must look like 22-7, got {value!r}") from exc
    if not (0 <= start < 24 and 0 <= end < 24):
        raise ConfigError(f"QUIET_HOURS hours must be 0–23, got {value!r}")
    return start, end


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_dir(env: dict | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("INSTANCE_DIR") or DEFAULT_INSTANCE_DIR)


def secret_key_file(env: dict | None = None) -> Path:
    return instance_dir(env) / "secret_key"


def _public_url(value: str | None) -> str | None:
    if not value:
        return None
    if not value.startswith(("https://", "http://")):
        raise ConfigError(f"PUBLIC_URL must be an http(s) URL, got {value!r}")
    return value.rstrip("/") + "/"


def load_settings(env: dict | None = None) -> dict:
    """Build the app's settings from environment variables (or a given mapping)."""
    env = dict(os.environ if env is None else env)
    inst = instance_dir(env)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{inst / 'zhaoying.db'}"
    timezone = env.get("TIMEZONE") or "Asia/Shanghai"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TIMEZONE {timezone!r} is not a known IANA time zone") from exc

    secret = env.get("SECRET_KEY")
    if not secret and secret_key_file(env).exists():
        secret = secret_key_file(env).read_text().strip()

    return {
        "INSTANCE_DIR": str(inst),
        "DATABASE_URL": normalise_database_url(database_url),
        "MEDIA_DIR": env.get("MEDIA_DIR") or str(inst / "media"),
        **_photo_storage(env),
        "SECRET_KEY": secret,
        "TIMEZONE": timezone,
        "TOKEN_TTL_HOURS": _int(env, "TOKEN_TTL_HOURS", 24 * 14, minimum=1),
        "LOGIN_MAX_FAILURES": _int(env, "LOGIN_MAX_FAILURES", 5, minimum=1),
        "LOGIN_LOCK_MINUTES": _int(env, "LOGIN_LOCK_MINUTES", 15, minimum=1),
        "LOGIN_IP_MAX_FAILURES": _int(env, "LOGIN_IP_MAX_FAILURES", 20, minimum=1),
        "LOGIN_IP_WINDOW_MINUTES": _int(env, "LOGIN_IP_WINDOW_MINUTES", 15, minimum=1),
        "PROXY_COUNT": _int(env, "PROXY_COUNT", 0),
        # the app's address as staff hand it out (the QR code on the printed logins sheet); unset:
        # the address the request came to
        "PUBLIC_URL": _public_url(env.get("PUBLIC_URL")),
        # /api/docs and /api/openapi.json for anyone; otherwise a staff or admin bearer token
        "API_DOCS_PUBLIC": _bool(env, "API_DOCS_PUBLIC", False),
        # Visit verification thresholds (docs/domain.md "Visit verification").
        "VISIT_MAX_ACCURACY_M": _int(env, "VISIT_MAX_ACCURACY_M", 100, minimum=1),
        "VISIT_GEOFENCE_RADIUS_M": _int(env, "VISIT_GEOFENCE_RADIUS_M", 200, minimum=1),
        "VISIT_PHOTO_MATCH_BITS": _int(env, "VISIT_PHOTO_MATCH_BITS", 6),
        "VISIT_PHOTO_STALE_MINUTES": _int(env, "VISIT_PHOTO_STALE_MINUTES", 120, minimum=1),
        "VISIT_MIN_MINUTES_HOME": _int(env, "VISIT_MIN_MINUTES_HOME", 5),
        "VISIT_CLOCK_SKEW_MINUTES": _int(env, "VISIT_CLOCK_SKEW_MINUTES", 10, minimum=1),
        "VISIT_MAX_SPEED_KMH": _int(env, "VISIT_MAX_SPEED_KMH", 120, minimum=1),
        "HOME_PROPOSAL_VISITS": _int(env, "HOME_PROPOSAL_VISITS", 3, minimum=1),
        "PHOTO_MAX_BYTES": _int(env, "PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=1024),
        "PHOTO_MAX_PIXELS": _int(env, "PHOTO_MAX_PIXELS", 48_000_000, minimum=10_000),
        "PHOTO_MAX_COUNT": _int(env, "PHOTO_MAX_COUNT", 6, minimum=1),
        # PNG and WebP decode at full size (no draft): lower limits; and a budget for a whole request
        "PHOTO_MAX_PIXELS_PNG": _int(env, "PHOTO_MAX_PIXELS_PNG", 16_000_000, minimum=10_000),
        "PHOTO_MAX_PIXELS_WEBP": _int(env, "PHOTO_MAX_PIXELS_WEBP", 16_000_000, minimum=10_000),
        "PHOTO_MAX_TOTAL_PIXELS": _int(env, "PHOTO_MAX_TOTAL_PIXELS", 60_000_000, minimum=10_000),
        "PHOTO_DECODING_PIXELS": _int(env, "PHOTO_DECODING_PIXELS", 16_000_000, minimum=10_000),
        # Notifications (docs/operations.md "Notifications").
        "VAPID_PRIVATE_KEY": env.get("VAPID_PRIVATE_KEY") or _read(inst / "vapid_private.pem"),
        "VAPID_SUBJECT": env.get("VAPID_SUBJECT") or "mailto:admin@zhaoying.invalid",
        "PUSH_TIMEOUT_SECONDS": _int(env, "PUSH_TIMEOUT_SECONDS", 10, minimum=1),
        "PUSH_TTL_SECONDS": _int(env, "PUSH_TTL_SECONDS", 24 * 3600, minimum=60),
        "PUSH_WORKERS": _int(env, "PUSH_WORKERS", 16, minimum=1),
        # the push services subscriptions may point at ("*.x": any host under x); see channels.py
        "PUSH_ENDPOINT_HOSTS": _hosts(env, "PUSH_ENDPOINT_HOSTS"),
        # for the tests' loopback push service only: http://127.0.0.1 endpoints; never in production
        "PUSH_ALLOW_LOOPBACK": _bool(env, "PUSH_ALLOW_LOOPBACK", False),
        "SMS_WEBHOOK_URL": env.get("SMS_WEBHOOK_URL") or None,
        "SMS_WEBHOOK_SECRET": env.get("SMS_WEBHOOK_SECRET") or None,
        "SMS_RETRIES": _int(env, "SMS_RETRIES", 3, minimum=1),
        "SMS_BACKOFF_SECONDS": _float(env, "SMS_BACKOFF_SECONDS", 2.0),
        "QUIET_HOURS": env.get("QUIET_HOURS") or "22-7",
        # notifications per delivery batch: each one query per table and one commit
        "NOTIFY_BATCH_SIZE": _int(env, "NOTIFY_BATCH_SIZE", 500, minimum=1),
        "ALERT_SLA_MINUTES_URGENT": _int(env, "ALERT_SLA_MINUTES_URGENT", 4 * 60, minimum=1),
        "ALERT_SLA_MINUTES_NORMAL": _int(env, "ALERT_SLA_MINUTES_NORMAL", 3 * 24 * 60, minimum=1),
        "REMINDER_HOUR": _int(env, "REMINDER_HOUR", 9),
        # Retention (docs/privacy.md "Privacy"): days kept; 0 keeps forever.
        "RETENTION_PHOTO_DAYS": _int(env, "RETENTION_PHOTO_DAYS", 3 * 365),
        "RETENTION_GPS_DAYS": _int(env, "RETENTION_GPS_DAYS", 400),
        # Roster import (docs/operations.md "Environment").
        "IMPORT_MAX_ROWS": _int(env, "IMPORT_MAX_ROWS", 50_000, minimum=1),
        "IMPORT_MAX_BYTES": _int(env, "IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024),
        "IMPORT_BATCH_SIZE": _int(env, "IMPORT_BATCH_SIZE", 500, minimum=1),
        "IMPORT_KEEP_HOURS": _int(env, "IMPORT_KEEP_HOURS", 24, minimum=1),
        # argon2id cost; the defaults are argon2-cffi's RFC 9106 "low memory" profile.
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3, minimum=1),
        "ARGON2_MEMORY_KIB": _int(env, "ARGON2_MEMORY_KIB", 65536, minimum=8),
    }
