"""Whether a visit is evidence: every rule in one place, each threshold a setting.

A pure function of the visit and its context; the service gathers the context (the
person's home, the caregiver's neighbouring visits, matching photos) from the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.geo import distance_m

CALL_MODES = ("phone", "video")


@dataclass(frozen=True)
class Rules:
    max_accuracy_m: float = 100.0
    geofence_radius_m: float = 200.0
    photo_match_bits: int = 6
    photo_stale_minutes: int = 120
    min_minutes: dict = field(default_factory=lambda: {"home": 5, "phone": 1, "video": 1, "remote": 0})
    clock_skew_minutes: int = 10
    max_speed_kmh: float = 120.0
    # below this distance two positions are the same place whatever the clock says (GPS jitter)
    travel_jitter_m: float = 1000.0

    @classmethod
    def from_config(cls, c) -> "Rules":
        return cls(
            max_accuracy_m=c["VISIT_MAX_ACCURACY_M"],
            geofence_radius_m=c["VISIT_GEOFENCE_RADIUS_M"],
            photo_match_bits=c["VISIT_PHOTO_MATCH_BITS"],
            photo_stale_minutes=c["VISIT_PHOTO_STALE_MINUTES"],
            min_minutes={"home": c["VISIT_MIN_MINUTES_HOME"], "phone": 1, "video": 1, "remote": 0},
            clock_skew_minutes=c["VISIT_CLOCK_SKEW_MINUTES"],
            max_speed_kmh=c["VISIT_MAX_SPEED_KMH"],
        )


@dataclass(frozen=True)
class Position:
    started_at: datetime
    ended_at: datetime | None
    lat: float
    lon: float


@dataclass
class Context:
    mode: str
    started_at: datetime
    ended_at: datetime | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    received_at: datetime
    device_time: datetime | None = None
    home: tuple[float, float] | None = None  # the confirmed home location
    neighbours: list[Position] = field(default_factory=list)  # the caregiver's visits just before and after
    photo_times: list[datetime | None] = field(default_factory=list)
    reused_from: list[int] = field(default_factory=list)  # ids of other visits with a matching photo
    health: str | None = None  # the health observation (健康) the caregiver recorded
    late_after_days: int | None = None  # the schedule policy's late_submission_days; None: not checked
    zone: ZoneInfo | None = None  # the zone months are counted in (for the month close)


# The month close runs on the 1st at 00:30 local time (server/jobs.py): from then on the month
# that ended is closed, whether or not the job has already run.
MONTH_CLOSE_AT = time(0, 30)


def late_submission(started_at: datetime, received_at: datetime, *, max_days: int, zone: ZoneInfo,
                    close_at: time = MONTH_CLOSE_AT) -> dict | None:
    """Why a visit came in too late to count as evidence, or None: it started in a month that
    was already closed when it was received (any month before the local month of the
    receipt, once that month's close time, the 1st at 00:30, has passed: a visit received at
    00:10 on the 1st still counts for the month that just ended), or more than ``max_days``
    days before it was received."""
    received = received_at.astimezone(zone)
    first_open_month = datetime(received.year, received.month, 1, tzinfo=zone)
    if received <= first_open_month.replace(hour=close_at.hour, minute=close_at.minute):
        # the close of the month that ended has not run yet: that month is still open
        first_open_month = (first_open_month - timedelta(days=1)).replace(day=1)
    delay = received_at - started_at
    detail = {}
    if started_at.astimezone(zone) < first_open_month:
        detail["month_closed"] = f"{started_at.astimezone(zone):%Y-%m}"
    if delay > timedelta(days=max_days):
        detail["late_by_days"] = round(delay.total_seconds() / 86400, 1)
    return detail or None


def check(ctx: Context, rules: Rules) -> tuple[list[str], dict]:
    """Return the exception codes (in a stable order) and the numbers behind them."""
    found: list[str] = []
    detail: dict = {}
    has_gps = ctx.lat is not None and ctx.lon is not None

    if ctx.mode == "home":
        if not has_gps:
            found.append("no_gps")
        else:
            if ctx.accuracy_m is not None and ctx.accuracy_m > rules.max_accuracy_m:
                found.append("low_accuracy")
                detail["accuracy_m"] = ctx.accuracy_m
            if ctx.home is not None:
                d = distance_m(ctx.lat, ctx.lon, *ctx.home)
                detail["distance_from_home_m"] = round(d, 1)
                if d > rules.geofence_radius_m + (ctx.accuracy_m or 0):
                    found.append("outside_geofence")

    if ctx.mode != "home":
        # A call or a look at a remote monitor is made from anywhere, so no GPS is asked of it
        # (seed 000 item 2 counts 电话视频 and 远程监测 as care; seed 002 counts 通讯探访). What can be
        # checked is that it took place and did what a 探访 is for: a call has a length, which
        # staff can hold against the caregiver's call log (no end time: no_duration), and every
        # non-home 探访 must say how the person is (seed 002: 及时了解老年人基本生活、安全风险) —
        # a call that learned nothing is not a 探访 (no_observation).
        if ctx.mode in CALL_MODES and ctx.ended_at is None:
            found.append("no_duration")
        if ctx.health is None:
            found.append("no_observation")

    if ctx.reused_from:
        found.append("photo_reused")
        detail["photo_matches_visits"] = sorted(set(ctx.reused_from))

    window_start = ctx.started_at
    window_end = ctx.ended_at or ctx.started_at
    slack = rules.photo_stale_minutes * 60
    stale = [t for t in ctx.photo_times if t is not None
             and ((window_start - t).total_seconds() > slack or (t - window_end).total_seconds() > slack)]
    if stale:
        found.append("photo_stale")
        detail["photo_taken_at"] = [t.isoformat() for t in stale]

    minimum = rules.min_minutes.get(ctx.mode, 0)
    if ctx.ended_at is not None and minimum:
        minutes = (ctx.ended_at - ctx.started_at).total_seconds() / 60
        if minutes < minimum:
            found.append("too_short")
            detail["duration_minutes"] = round(minutes, 1)

    if ctx.device_time is not None:
        skew = abs((ctx.device_time - ctx.received_at).total_seconds())
        if skew > rules.clock_skew_minutes * 60:
            found.append("clock_skew")
            detail["clock_skew_seconds"] = round(skew)

    if ctx.mode == "home" and has_gps:
        for other in ctx.neighbours:
            d = distance_m(ctx.lat, ctx.lon, other.lat, other.lon)
            if d <= rules.travel_jitter_m:
                continue
            if other.started_at <= ctx.started_at:
                gap = (ctx.started_at - (other.ended_at or other.started_at)).total_seconds()
            else:
                gap = (other.started_at - (ctx.ended_at or ctx.started_at)).total_seconds()
            speed_kmh = d / max(gap, 60.0) * 3.6
            if speed_kmh > rules.max_speed_kmh:
                found.append("impossible_travel")
                detail["travel_speed_kmh"] = round(speed_kmh)
                break

    if ctx.late_after_days is not None and ctx.zone is not None:
        late = late_submission(ctx.started_at, ctx.received_at, max_days=ctx.late_after_days, zone=ctx.zone)
        if late:
            found.append("late_submission")
            detail.update(late)

    return found, detail
