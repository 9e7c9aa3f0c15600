"""Notifications: write them to the outbox now, deliver them to a channel later.

``enqueue`` adds a row to the ``notification`` table in the caller's transaction, so a message
exists exactly when the change it reports was committed; its ``dedupe_key`` makes a second
enqueue of the same message (a job run twice, two processes at once) a no-op, held by the
table's unique key. ``deliver_due`` hands due rows to their channel, one row per transaction:
a row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two deliverers never
send the same row; a failure is retried after 1, 2, 4, … minutes (at most ``MAX_BACKOFF``) and
the row is marked failed after ``MAX_ATTEMPTS``. A process that stops loses nothing: what was
not marked sent is still pending in the table.

Channels are small classes with ``send(notification)``. ``api.services.messages.tell`` writes
the rows that reach people: ``email`` (``EmailChannel``, to the person's or the account's own
address), ``sms`` (``TencentSmsChannel``, Tencent Cloud SMS ``SendSms``), and the
coordinators' work-group robots ``wecom`` (``WeComRobotChannel``, 企业微信 group robot) and
``dingtalk`` (``DingTalkRobotChannel``, 钉钉 custom robot, signed). ``channels_from`` builds the
ones the settings configure; a row whose channel is not configured (no SMTP server, no SMS
account, no robot for its community) is marked ``skipped`` at once, never retried: the message
is still in the recipient's inbox. The office channel ``default`` (``TONGXIN_NOTIFY_CHANNEL``:
``log``, ``webhook`` or ``smtp``) remains for rows written with ``enqueue`` alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session, sessionmaker

from api.services import messages, work_units
from api.settings import DingTalkRobot, Settings
from models.notification import Message, Notification, NotificationStatus
from models.person import Person
from models.user import UserAccount
from models.work_unit import ServiceCard

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
#: channels a deployment may leave off: their rows are skipped, not retried
PERSONAL_CHANNELS = frozenset({messages.EMAIL, messages.SMS, *messages.ROBOTS})
#: rows one ``deliver_due`` call handles at most
DELIVERY_BATCH = 100


class Channel(Protocol):
    """Something that delivers one notification, or raises."""

    def send(self, notification: Notification) -> None: ...


class ChannelOff(LookupError):
    """The row's channel cannot reach this recipient in this deployment: it is skipped."""


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
        if notification.message is not None:
            # a message to a person: its subject, never its body (it may hold a phone)
            self.logger.info(
                "message %s → %s: %s",
                notification.kind,
                notification.recipient,
                notification.message.subject,
            )
            return
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


def _post_json(
    url: str, body: dict[str, Any], *, timeout_s: float, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """POST ``body`` as JSON; the answer's JSON, or an error for any status but 2xx."""
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        status = getattr(response, "status", 200)
        if not 200 <= status < 300:
            raise RuntimeError(f"{url.split('?')[0]} answered {status}")
        raw = response.read()
    answer = json.loads(raw or b"{}")
    if not isinstance(answer, dict):
        raise RuntimeError("the answer is not a JSON object")
    return answer


def _message_of(notification: Notification) -> Message:
    if notification.message is None:
        raise ChannelOff(f"notification {notification.id} has no message to deliver")
    return notification.message


def _reached(message: Message) -> Person | UserAccount:
    """The person or account a message is addressed to."""
    found = message.user if message.user_id is not None else message.person
    if found is None:
        raise ChannelOff(f"the recipient of message {message.id} is gone")
    return found


def _letter(notification: Notification) -> tuple[str | None, str, str]:
    """The address, subject and body of an e-mail: an inbox message's, or a work unit's
    quarterly service card (``api.services.work_units``), sent to the unit's contact."""
    if notification.recipient.startswith(work_units.RECIPIENT_PREFIX):
        session = object_session(notification)
        card_id = notification.payload.get("card_id")
        card = session.get(ServiceCard, card_id) if session and card_id else None
        if card is None:
            raise ChannelOff(f"the service card of {notification.recipient} is gone")
        return card.work_unit.contact_email, card.subject, card.body
    message = _message_of(notification)
    return _reached(message).email, message.subject, message.body


class EmailChannel:
    """Sends a message to its recipient's own e-mail address, in plain text; a work unit's
    service card to the unit's contact.

    The address is read when the message goes out, so a changed address is used; a recipient
    who removed theirs is skipped.
    """

    def __init__(
        self,
        *,
        host: str,
        sender: str,
        port: int = 25,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 10.0,
    ):
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_s = timeout_s

    def send(self, notification: Notification) -> None:
        address, subject, body = _letter(notification)
        if not address:
            raise ChannelOff(f"{notification.recipient} gave no e-mail address")
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = address
        mail["Subject"] = subject
        mail.set_content(body + "\n\n— 同心 Tongxin\n")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


# Tencent Cloud SMS, API 3.0 (https://cloud.tencent.com/document/api/382/55981, signing:
# https://cloud.tencent.com/document/api/382/52072)
TENCENT_SMS_SERVICE = "sms"
TENCENT_SMS_VERSION = "2021-01-11"
TENCENT_SMS_ACTION = "SendSms"
TC3_ALGORITHM = "TC3-HMAC-SHA256"
TC3_SIGNED_HEADERS = "content-type;host;x-tc-action"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac_sha256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    action: str,
    body: bytes,
    timestamp: int,
    service: str = TENCENT_SMS_SERVICE,
) -> str:
    """The ``Authorization`` header of a Tencent Cloud API 3.0 POST (TC3-HMAC-SHA256)."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        (
            "POST",
            "/",
            "",
            f"content-type:{JSON_CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n",
            TC3_SIGNED_HEADERS,
            hashlib.sha256(body).hexdigest(),
        )
    )
    scope = f"{day}/{service}/tc3_request"
    string_to_sign = "\n".join(
        (
            TC3_ALGORITHM,
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        )
    )
    secret_date = _hmac_sha256(f"TC3{secret_key}".encode(), day)
    secret_service = _hmac_sha256(secret_date, service)
    secret_signing = _hmac_sha256(secret_service, "tc3_request")
    signature = hmac.new(secret_signing, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"{TC3_ALGORITHM} Credential={secret_id}/{scope}, "
        f"SignedHeaders={TC3_SIGNED_HEADERS}, Signature={signature}"
    )


def e164(phone: str) -> str:
    """A mainland number as ``+86…``; a number that already has its ``+`` stays."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return digits if digits.startswith("+") else f"+86{digits}"


class TencentSmsChannel:
    """Sends a member's message by SMS through Tencent Cloud SMS ``SendSms``.

    SMS in China goes through a signature and a template the provider approved beforehand, so
    the text is the template's; the message fills its parameters (what, and when). The phone is
    read from the person when the SMS goes out and never stored in the outbox.
    """

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        sign_name: str,
        template_id: str,
        region: str = "ap-guangzhou",
        endpoint: str = "https://sms.tencentcloudapi.com",
        timeout_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ):
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.sign_name = sign_name
        self.template_id = template_id
        self.region = region
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self.clock = clock

    def request(self, phone: str, params: list[str]) -> tuple[bytes, dict[str, str]]:
        """The body and headers of one ``SendSms`` call."""
        body = json.dumps(
            {
                "PhoneNumberSet": [e164(phone)],
                "SmsSdkAppId": self.sdk_app_id,
                "SignName": self.sign_name,
                "TemplateId": self.template_id,
                "TemplateParamSet": params,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        host = urllib.parse.urlsplit(self.endpoint).netloc
        timestamp = int(self.clock())
        headers = {
            "Authorization": tc3_authorization(
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                host=host,
                action=TENCENT_SMS_ACTION,
                body=body,
                timestamp=timestamp,
            ),
            "Content-Type": JSON_CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": TENCENT_SMS_ACTION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": TENCENT_SMS_VERSION,
            "X-TC-Region": self.region,
        }
        return body, headers

    def send(self, notification: Notification) -> None:
        message = _message_of(notification)
        recipient = _reached(message)
        phone = recipient.phone if isinstance(recipient, Person) else None
        if not phone:
            raise ChannelOff(f"{notification.recipient} gave no phone")
        params = [str(p) for p in notification.payload.get("params", [])]
        body, headers = self.request(phone, params)
        request = urllib.request.Request(self.endpoint, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            answer = json.loads(response.read() or b"{}")
        found = answer.get("Response", {}) if isinstance(answer, dict) else {}
        if "Error" in found:
            error = found["Error"]
            raise RuntimeError(f"SendSms refused: {error.get('Code')}: {error.get('Message')}")
        statuses = found.get("SendStatusSet") or []
        if not statuses or any(s.get("Code") != "Ok" for s in statuses):
            codes = ", ".join(str(s.get("Code")) for s in statuses) or "no status"
            raise RuntimeError(f"SendSms did not send: {codes}")


def _community_of(notification: Notification) -> int:
    kind, _, raw = notification.recipient.partition(":")
    if kind != "community" or not raw.isdigit():
        raise ChannelOff(f"a robot posts to a community, not {notification.recipient!r}")
    return int(raw)


#: a WeCom markdown message holds at most 4096 bytes
WECOM_MARKDOWN_MAX_BYTES = 4096


def _fit(text: str, max_bytes: int) -> str:
    raw = text.encode()
    if len(raw) <= max_bytes:
        return text
    return raw[: max_bytes - len("…".encode())].decode(errors="ignore") + "…"


def _robot_answer(answer: dict[str, Any], who: str) -> None:
    if answer.get("errcode", 0) != 0:
        raise RuntimeError(f"{who} refused: {answer.get('errcode')} {answer.get('errmsg')}")


class WeComRobotChannel:
    """Posts to a community's 企业微信 work-group robot: ``msgtype`` ``markdown``."""

    def __init__(
        self,
        keys: Mapping[int, str],
        *,
        url: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
        timeout_s: float = 10.0,
    ):
        self.keys = dict(keys)
        self.url = url
        self.timeout_s = timeout_s

    def send(self, notification: Notification) -> None:
        community_id = _community_of(notification)
        key = self.keys.get(community_id)
        if not key:
            raise ChannelOff(f"no WeCom robot for community {community_id}")
        markdown = str(notification.payload.get("markdown", ""))
        answer = _post_json(
            f"{self.url}?{urllib.parse.urlencode({'key': key})}",
            {
                "msgtype": "markdown",
                "markdown": {"content": _fit(markdown, WECOM_MARKDOWN_MAX_BYTES)},
            },
            timeout_s=self.timeout_s,
        )
        _robot_answer(answer, "WeCom robot")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's robot signature: urlencode(base64(HmacSHA256(secret, timestamp + "\\n" +
    secret))), the timestamp in milliseconds."""
    to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class DingTalkRobotChannel:
    """Posts to a community's 钉钉 custom robot: ``msgtype`` ``markdown``, signed when the
    robot has a secret (its "加签" security setting)."""

    def __init__(
        self,
        robots: Mapping[int, DingTalkRobot],
        *,
        url: str = "https://oapi.dingtalk.com/robot/send",
        timeout_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ):
        self.robots = dict(robots)
        self.url = url
        self.timeout_s = timeout_s
        self.clock = clock

    def address(self, robot: DingTalkRobot) -> str:
        query = f"access_token={urllib.parse.quote_plus(robot.access_token)}"
        if robot.secret:
            timestamp = int(self.clock() * 1000)
            query += f"&timestamp={timestamp}&sign={dingtalk_sign(robot.secret, timestamp)}"
        return f"{self.url}?{query}"

    def send(self, notification: Notification) -> None:
        community_id = _community_of(notification)
        robot = self.robots.get(community_id)
        if robot is None:
            raise ChannelOff(f"no DingTalk robot for community {community_id}")
        answer = _post_json(
            self.address(robot),
            {
                "msgtype": "markdown",
                "markdown": {
                    "title": str(notification.payload.get("title", "同心")),
                    "text": str(notification.payload.get("markdown", "")),
                },
            },
            timeout_s=self.timeout_s,
        )
        _robot_answer(answer, "DingTalk robot")


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
    if settings.email_on:
        found[messages.EMAIL] = EmailChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            starttls=settings.smtp_starttls,
        )
    if settings.sms_on:  # Tencent Cloud, the one provider there is
        found[messages.SMS] = TencentSmsChannel(
            secret_id=settings.tencent_sms_secret_id,
            secret_key=settings.tencent_sms_secret_key,
            sdk_app_id=settings.tencent_sms_app_id,
            sign_name=settings.tencent_sms_sign_name,
            template_id=settings.tencent_sms_template_id,
            region=settings.tencent_sms_region,
            endpoint=settings.tencent_sms_endpoint,
        )
    if settings.wecom_robots:
        found[messages.WECOM] = WeComRobotChannel(
            settings.wecom_robots, url=settings.wecom_robot_url
        )
    if settings.dingtalk_robots:
        found[messages.DINGTALK] = DingTalkRobotChannel(
            settings.dingtalk_robots, url=settings.dingtalk_robot_url
        )
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
    """Add an office notification to the outbox (the caller commits); the same key twice adds
    one row. Messages to people are written by ``api.services.messages.tell``."""
    return messages.enqueue(
        session=session,
        channel=channel,
        kind=kind,
        recipient=recipient,
        payload=payload,
        dedupe_key=dedupe_key,
        now=now or datetime.now().astimezone(),
    )


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
                    if row.channel in PERSONAL_CHANNELS:
                        raise ChannelOff(f"the {row.channel} channel is not set up")
                    raise LookupError(f"no channel named {row.channel!r}")
                channel.send(row)
            except ChannelOff as off:
                row.status = NotificationStatus.SKIPPED
                row.last_error = str(off)[:2000]
                log.info("notification %s skipped: %s", row.id, row.last_error)
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
