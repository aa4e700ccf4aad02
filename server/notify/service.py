"""Notifications: the in-app inbox always, Web Push where it works, the SMS gateway where it
does not; quiet hours hold back everything but urgent alerts; every attempt is logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import delete, select, update
from sqlmodel import Session

from server import clock
from server.auth.models import User
from server.config import quiet_hours
from server.db import count, dialect_insert, insert_new
from server.errors import ServiceError
from server.messages import text
from server.notify import channels
from server.notify.models import Delivery, Notification, PushSubscription
from server.paging import Page, select_page, split


@dataclass(frozen=True)
class NotifySettings:
    zone: ZoneInfo
    quiet: tuple[int, int]
    pusher: channels.WebPushSender | None
    sms_url: str | None
    sms_secret: str | None
    sms_retries: int
    sms_backoff: float
    push_endpoints: channels.EndpointPolicy = channels.EndpointPolicy()
    batch_size: int = 500  # notifications per delivery batch: per query, per commit (NOTIFY_BATCH_SIZE)

    @classmethod
    def from_config(cls, c) -> "NotifySettings":
        pusher = None
        endpoints = channels.EndpointPolicy.from_config(c)
        if c.get("VAPID_PRIVATE_KEY"):
            pusher = channels.WebPushSender(channels.vapid_from(c["VAPID_PRIVATE_KEY"]), subject=c["VAPID_SUBJECT"],
                                            ttl=c["PUSH_TTL_SECONDS"], timeout=c["PUSH_TIMEOUT_SECONDS"],
                                            workers=c["PUSH_WORKERS"], endpoints=endpoints)
        return cls(zone=ZoneInfo(c["TIMEZONE"]), quiet=quiet_hours(c["QUIET_HOURS"]), pusher=pusher,
                   sms_url=c.get("SMS_WEBHOOK_URL"), sms_secret=c.get("SMS_WEBHOOK_SECRET") or "",
                   sms_retries=c["SMS_RETRIES"], sms_backoff=c["SMS_BACKOFF_SECONDS"], push_endpoints=endpoints,
                   batch_size=c.get("NOTIFY_BATCH_SIZE") or 500)


def notify(session: Session, *, user_ids, kind: str, title: str, body: str, dedupe_key: str, urgent: bool = False,
           url: str | None = None, alert_id: int | None = None, now: datetime | None = None) -> list[Notification]:
    """Put a message in each user's inbox, once per (user, dedupe_key); returns the new ones."""
    now = now or clock.now()
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return []
    have = set(session.scalars(select(Notification.user_id).where(
        Notification.dedupe_key == dedupe_key, Notification.user_id.in_(user_ids))))
    created = [Notification(user_id=u, kind=kind, title=title[:120], body=body[:1000], url=url, urgent=urgent,
                            alert_id=alert_id, dedupe_key=dedupe_key, created_at=now) for u in user_ids if u not in have]
    session.add_all(created)
    session.flush()
    return created


# The columns notify_select's SELECT names, in this order.
NOTIFY_COLUMNS = ("user_id", "kind", "title", "body", "dedupe_key", "url", "urgent", "alert_id")


def notify_select(session: Session, rows: sa.Select, *, now: datetime) -> int:
    """Put messages in inboxes from one SELECT of NOTIFY_COLUMNS (in that order, any labels) —
    one ``INSERT … SELECT`` however many thousands it names, once per (user, dedupe_key) as
    ``notify`` does (a row already there, or named twice, is skipped by the unique key, so a
    concurrent or repeated run adds nothing). Titles and bodies are cut to their columns' length.
    Returns how many were added; delivery is deliver_pending's, after the caller commits."""
    src = rows.subquery()
    c = list(src.c)
    body = select(c[0], c[1], sa.func.substr(c[2], 1, 120), sa.func.substr(c[3], 1, 1000), c[4], c[5],
                  sa.cast(c[6], sa.Boolean), sa.cast(c[7], sa.Integer),  # a bare NULL or literal has no type on PG
                  sa.literal(now, type_=Notification.__table__.c.created_at.type)).where(sa.true())
    statement = dialect_insert(session, Notification).from_select([*NOTIFY_COLUMNS, "created_at"], body).on_conflict_do_nothing(
        index_elements=["user_id", "dedupe_key"])
    return session.connection().execute(statement.execution_options(preserve_rowcount=True)).rowcount


def notify_many(session: Session, messages: list[dict], *, now: datetime) -> int:
    """Put many messages in inboxes at once — dicts of NOTIFY_COLUMNS (``url`` and ``alert_id``
    may be left out) — once per (user, dedupe_key) as ``notify`` does (a message already there is
    skipped by the unique key), by db.insert_new. For messages whose words are built in Python, a
    batch at a time; delivery is deliver_pending's. Returns how many were added."""
    return insert_new(session, Notification.__table__, [
        {"url": None, "alert_id": None, **m, "title": m["title"][:120], "body": m["body"][:1000], "created_at": now}
        for m in messages], unique=["user_id", "dedupe_key"])


def in_quiet_hours(now: datetime, settings: NotifySettings) -> bool:
    start, end = settings.quiet
    if start == end:
        return False
    hour = now.astimezone(settings.zone).hour
    return start <= hour or hour < end if start > end else start <= hour < end


def _counts(held: int = 0) -> dict:
    return {"push_sent": 0, "push_gone": 0, "push_failed": 0, "sms_sent": 0, "sms_failed": 0, "held": held}


def deliver(session: Session, notifications: list[Notification], settings: NotifySettings,
            now: datetime | None = None) -> dict:
    """Carry notifications by push and SMS. Quiet hours hold back all but urgent ones (they stay
    undelivered and a later run sends them). A user whose push did not arrive gets the SMS.
    However many there are, every query names at most ``settings.batch_size`` of them (a
    database takes only so many parameters in one statement); the caller commits."""
    now = now or clock.now()
    quiet = in_quiet_hours(now, settings)
    due = [n for n in notifications if n.delivered_at is None and (n.urgent or not quiet)]
    counts = _counts(held=len(notifications) - len(due))
    for start in range(0, len(due), settings.batch_size):
        _deliver_batch(session, due[start:start + settings.batch_size], settings, now, counts)
    return counts


def _deliver_batch(session: Session, due: list[Notification], settings: NotifySettings, now: datetime,
                   counts: dict) -> None:
    users = {n.user_id for n in due}
    subs = {}
    for s in session.scalars(select(PushSubscription).where(PushSubscription.user_id.in_(users))):
        subs.setdefault(s.user_id, []).append(s)
    jobs, owners = [], []
    if settings.pusher:
        for n in due:
            payload = {"title": n.title, "body": n.body, "url": n.url or "/", "id": n.id, "urgent": n.urgent}
            for s in subs.get(n.user_id, []):
                jobs.append((channels.PushTarget(s.id, s.endpoint, s.p256dh, s.auth), payload, n.urgent, n.kind))
                owners.append(n)
    pushed: set[int] = set()
    gone: set[int] = set()
    for n, result in zip(owners, settings.pusher.send_many(jobs) if jobs else []):
        session.add(Delivery(notification_id=n.id, channel="webpush", at=now, status=result.status,
                             http_status=result.http_status, error=result.error))
        counts[f"push_{result.status}"] += 1
        if result.status == "sent":
            pushed.add(n.id)
            session.execute(update(PushSubscription).where(PushSubscription.id == result.subscription_id)
                            .values(last_success_at=now))
        elif result.status == "gone":
            gone.add(result.subscription_id)
    if gone:
        session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
    phones = dict(session.execute(select(User.id, User.phone).where(User.id.in_(users))).all()) \
        if settings.sms_url else {}
    for n in due:
        if n.id not in pushed and settings.sms_url and phones.get(n.user_id):
            result = channels.send_webhook(
                settings.sms_url, settings.sms_secret,
                {"to": phones[n.user_id], "text": text("sms", title=n.title, body=n.body)[:300],
                 "notification_id": n.id, "urgent": n.urgent},
                retries=settings.sms_retries, backoff=settings.sms_backoff)
            session.add(Delivery(notification_id=n.id, channel="sms", at=now, status=result.status,
                                 http_status=result.http_status, error=result.error))
            counts["sms_sent" if result.status == "sent" else "sms_failed"] += 1
    # one statement for the batch; the loaded rows are updated in place ("evaluate")
    session.execute(update(Notification).where(Notification.id.in_([n.id for n in due])).values(delivered_at=now)
                    .execution_options(synchronize_session="evaluate"))
    session.flush()


def for_alerts(session: Session, alert_ids: list[int]) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.alert_id.in_(alert_ids))))


def _reachable(settings: NotifySettings):
    """A clause over Notification: its user has a channel to carry it (deliver's push or SMS)."""
    channels_ = [sa.exists().where(PushSubscription.user_id == Notification.user_id)] if settings.pusher else []
    if settings.sms_url:
        channels_.append(sa.exists().where(User.id == Notification.user_id, User.phone.is_not(None), User.phone != ""))
    return sa.or_(sa.false(), *channels_)


PENDING_DAYS = 2  # older undelivered messages stay in the inbox only: a push days late helps nobody


def deliver_pending(session: Session, settings: NotifySettings, now: datetime | None = None) -> dict:
    """Send whatever is undelivered from the last two days — what quiet hours held back, what a
    job wrote but did not get to send, what a failed run left — in batches of
    ``settings.batch_size`` in id order, each committed once sent: a run that fails half-way has
    recorded what it sent, and the next call (the next job that delivers) sends the rest,
    none twice. Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two processes
    delivering at once share the work instead of doubling it. Commits."""
    now = now or clock.now()
    quiet = in_quiet_hours(now, settings)
    waiting = select(Notification).where(Notification.delivered_at.is_(None),
                                         Notification.created_at >= now - timedelta(days=PENDING_DAYS))
    counts = _counts()
    if quiet:
        counts["held"] = count(session, waiting.where(Notification.urgent.is_(False)))
        waiting = waiting.where(Notification.urgent.is_(True))
    # a message whose user has no channel (no push subscription, no phone for the SMS) is in the
    # inbox and that is all: marked delivered in one statement, not loaded and looked at in batches
    session.execute(update(Notification).where(waiting.whereclause, ~_reachable(settings)).values(delivered_at=now)
                    .execution_options(synchronize_session=False))
    for loaded in [o for o in session.identity_map.values() if isinstance(o, Notification)]:
        session.expire(loaded)  # one loaded before shows it delivered
    session.commit()
    after = 0
    while True:
        batch = list(session.scalars(waiting.where(Notification.id > after).order_by(Notification.id)
                                     .limit(settings.batch_size).with_for_update(skip_locked=True)))
        if not batch:
            return counts
        after = batch[-1].id
        for key, n in deliver(session, batch, settings, now).items():
            counts[key] += n
        session.commit()


# --- the inbox and subscriptions, for the API ---------------------------------------------------

def inbox(session: Session, *, user_id: int, unread_only: bool = False,
          page: Page = Page()) -> tuple[list[Notification], str | None]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return split(list(session.scalars(select_page(stmt, page, order=[Notification.id], descending=True))), page,
                 lambda n: (n.id,))


def mark_read(session: Session, *, user_id: int, notification_id: int | None = None) -> int:
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        if session.scalar(select(Notification.id).where(Notification.id == notification_id,
                                                        Notification.user_id == user_id)) is None:
            raise ServiceError(404, "not_found")
        stmt = stmt.where(Notification.id == notification_id)
    return session.execute(stmt.values(read_at=clock.now())).rowcount


def subscribe(session: Session, *, user_id: int, endpoint: str, p256dh: str, auth: str,
              policy: channels.EndpointPolicy | None = None) -> PushSubscription:
    """Save a browser's subscription; with a ``policy``, only an endpoint it allows (422 otherwise)."""
    if policy is not None:
        problem = policy.problem(endpoint)
        if problem is not None:
            raise ServiceError(422, "push_endpoint_refused", errors={"endpoint": [problem]})
    sub = session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if sub is None:
        sub = PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    else:  # the same browser, perhaps another user now
        sub.user_id, sub.p256dh, sub.auth = user_id, p256dh, auth
    session.add(sub)
    session.flush()
    return sub


def unsubscribe(session: Session, *, user_id: int, endpoint: str) -> None:
    session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint,
                                                   PushSubscription.user_id == user_id))
