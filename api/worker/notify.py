"""Notifications: write them to the outbox now, deliver them to a channel later.

``enqueue`` adds a row to the ``notification`` table in the caller's transaction, so a message
exists exactly when the change it reports was committed; its ``dedupe_key`` makes a second
enqueue of the same message (a job run twice, two processes at once) a no-op, held by the
table's unique key. ``deliver_due`` hands due rows to their channel, one row per transaction:
a row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two deliverers never
send the same row; a failure is retried after 1, 2, 4, … minutes (at most ``MAX_BACKOFF``) and
the row is marked failed after ``MAX_ATTEMPTS``. A process that stops loses nothing: what was
not marked sent is still pending in the table.

Channels are small classes with ``send(notification)``. The jobs write their rows to the
``default`` channel, which ``channels_from`` points at the channel the settings name
(``TONGXIN_NOTIFY_CHANNEL``: ``log``, the default, ``webhook`` or ``smtp``), so a deployment
changes where messages go without touching the rows already waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import urllib.request
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from api.settings import Settings
from models.db import insert_ignoring_duplicates
from models.notification import Notification, NotificationStatus

log = logging.getLogger(__name__)

#: the channel rows are written to unless a caller names one; settings decide where it leads
DEFAULT_CHANNEL = "default"
#: subjects of e-mails, by notification kind
SUBJECTS = {
    "draft_ready": "下周排班草稿待审核 Next week's draft is ready for review",
    "draft_failed": "下周排班未能生成 Next week's draft failed",
    "reminder": "明天的服务提醒 A reminder of tomorrow's service",
    "unconfirmed": "有服务尚未确认 A service is still unconfirmed",
    "wish_escalated": "微心愿临近或超过办结期限 A wish is near or past its deadline",
}
#: attempts before a notification is given up as failed
MAX_ATTEMPTS = 6
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
#: rows one ``deliver_due`` call handles at most
DELIVERY_BATCH = 100


class Channel(Protocol):
    """Something that delivers one notification, or raises."""

    def send(self, notification: Notification) -> None: ...


def message_of(notification: Notification) -> dict[str, Any]:
    """What a channel sends: the recipient reference, the kind and the payload."""
    return {
        "id": notification.id,
        "recipient": notification.recipient,
        "kind": notification.kind,
        "payload": notification.payload,
    }


class LogChannel:
    """Writes the message to the log; the default, and enough for a demo or a test."""

    def __init__(self, logger: logging.Logger | None = None):
        self.logger = logger or log

    def send(self, notification: Notification) -> None:
        self.logger.info(
            "notification %s → %s: %s",
            notification.kind,
            notification.recipient,
            json.dumps(message_of(notification), ensure_ascii=False, sort_keys=True),
        )


SIGNATURE_HEADER = "X-Tongxin-Signature"


class WebhookChannel:
    """POSTs the message as JSON to a URL; any answer other than 2xx is a failure."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 10.0,
        headers: dict[str, str] | None = None,
        secret: str = "",
    ):
        self.url = url
        self.timeout_s = timeout_s
        self.headers = headers or {}
        self.secret = secret

    def send(self, notification: Notification) -> None:
        body = json.dumps(message_of(notification), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", **self.headers}
        if self.secret:
            # the receiver checks the body came from us, as GitHub-style webhooks do
            digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            headers[SIGNATURE_HEADER] = f"sha256={digest}"
        request = urllib.request.Request(self.url, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            status = getattr(response, "status", 200)
            if not 200 <= status < 300:
                raise RuntimeError(f"webhook answered {status}")


class SMTPChannel:
    """Sends an e-mail; ``address_of`` turns a recipient reference into an address.

    A recipient without an address is a failure, so it is retried and, in the end, visible as
    failed rather than silently dropped.
    """

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        address_of: Callable[[str], str | None],
        port: int = 25,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 10.0,
    ):
        self.host = host
        self.port = port
        self.sender = sender
        self.address_of = address_of
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_s = timeout_s

    def send(self, notification: Notification) -> None:
        address = self.address_of(notification.recipient)
        if not address:
            raise LookupError(f"no e-mail address for {notification.recipient}")
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = address
        message["Subject"] = str(
            notification.payload.get("subject")
            or SUBJECTS.get(notification.kind, notification.kind)
        )
        message.set_content(
            json.dumps(message_of(notification), ensure_ascii=False, indent=2, sort_keys=True)
        )
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def default_channels() -> dict[str, Channel]:
    """Everything to the log: what a demo or a test needs."""
    return {DEFAULT_CHANNEL: LogChannel(), "log": LogChannel()}


def channels_from(settings: Settings) -> dict[str, Channel]:
    """The channels the settings configure, ``default`` leading to ``notify_channel``."""
    found: dict[str, Channel] = {"log": LogChannel()}
    if settings.webhook_url:
        found["webhook"] = WebhookChannel(settings.webhook_url, secret=settings.webhook_secret)
    if settings.smtp_host and settings.smtp_sender and settings.smtp_recipients:
        recipients = ", ".join(settings.smtp_recipients)
        found["smtp"] = SMTPChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            # every message goes to the office, which knows who the recipient reference is
            address_of=lambda _recipient: recipients,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            starttls=settings.smtp_starttls,
        )
    found[DEFAULT_CHANNEL] = found[settings.notify_channel]
    return found


def enqueue(
    *,
    session: Session,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    dedupe_key: str,
    channel: str = DEFAULT_CHANNEL,
    now: datetime | None = None,
) -> Notification:
    """Add a notification to the outbox (the caller commits); the same key twice adds one row."""
    now = now or datetime.now().astimezone()
    session.flush()
    insert_ignoring_duplicates(
        session,
        Notification,
        [
            {
                "channel": channel,
                "recipient": recipient,
                "kind": kind,
                "payload": payload,
                "dedupe_key": dedupe_key,
                "status": NotificationStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
        ],
        ["dedupe_key"],
    )
    return session.scalars(
        sa.select(Notification).where(Notification.dedupe_key == dedupe_key)
    ).one()


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, … minutes, at most ``MAX_BACKOFF``."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _claim(session: Session, now: datetime, skipped: set[int]) -> Notification | None:
    """One due pending row, locked; rows locked by another deliverer are skipped."""
    query = (
        sa.select(Notification)
        .where(
            Notification.status == NotificationStatus.PENDING,
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if skipped:
        query = query.where(Notification.id.not_in(skipped))
    return session.scalars(query).one_or_none()


def deliver_due(
    *,
    session_factory: sessionmaker[Session],
    now: datetime,
    channels: Mapping[str, Channel] | None = None,
    limit: int = DELIVERY_BATCH,
) -> list[Notification]:
    """Send the pending notifications due at ``now``; each is its own transaction.

    Returns the rows handled (sent, rescheduled or failed).
    """
    channels = default_channels() if channels is None else channels
    handled: list[Notification] = []
    seen: set[int] = set()
    for _ in range(limit):
        with session_factory() as session, session.begin():
            row = _claim(session, now, seen)
            if row is None:
                break
            seen.add(row.id)
            channel = channels.get(row.channel)
            try:
                if channel is None:
                    raise LookupError(f"no channel named {row.channel!r}")
                channel.send(row)
            except Exception as error:
                row.attempts += 1
                row.last_error = f"{type(error).__name__}: {error}"[:2000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = NotificationStatus.FAILED
                    log.warning("notification %s failed for good: %s", row.id, row.last_error)
                else:
                    row.next_attempt_at = now + backoff(row.attempts)
                    log.info("notification %s failed, retry at %s", row.id, row.next_attempt_at)
            else:
                row.attempts += 1
                row.status = NotificationStatus.SENT
                row.sent_at = now
                row.last_error = None
            handled.append(row)
    return handled
