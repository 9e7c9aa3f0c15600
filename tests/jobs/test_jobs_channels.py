"""Where messages go: the settings pick the channel; a real webhook and a real SMTP server."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from api.settings import Settings
from api.worker import notify
from models import NotificationStatus
from tests.support.jobs_helpers import World, local, notifications
from tests.support.receivers import Mailbox, smtp_server


class Hook:
    """A webhook receiver on a free local port, answering ``status`` to every POST."""

    def __init__(self, status: int = 200):
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.received.append((dict(self.headers), body))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    made = Hook()
    yield made
    made.close()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as found:
        yield found


def reminder(world: World, key: str = "r:1") -> None:
    with world.factory() as session:
        notify.enqueue(
            session=session,
            kind="reminder",
            recipient="person:7",
            payload={"title": "义诊", "starts_at": "2026-03-05T18:30:00+08:00"},
            dedupe_key=key,
            now=local(2026, 3, 4, 18),
        )
        session.commit()


def test_settings_refuse_an_incomplete_channel() -> None:
    with pytest.raises(ValueError, match="TONGXIN_WEBHOOK_URL"):
        Settings(env="test", notify_channel="webhook")
    with pytest.raises(ValueError, match="http"):
        Settings(env="test", notify_channel="webhook", webhook_url="ftp://hooks.example")
    with pytest.raises(ValueError, match=r"TONGXIN_SMTP_SENDER.*TONGXIN_SMTP_TO"):
        Settings(env="test", notify_channel="smtp", smtp_host="mail.example")
    with pytest.raises(ValueError):
        Settings(env="test", notify_channel="pigeon")  # type: ignore[arg-type]
    assert Settings(env="test").notify_channel == "log"


def test_the_default_channel_follows_the_settings(world: World, hook: Hook) -> None:
    reminder(world)
    logged = Settings(env="test", webhook_url=hook.url)
    notify.deliver_due(
        session_factory=world.factory,
        now=local(2026, 3, 4, 18),
        channels=notify.channels_from(logged),
    )
    # a webhook configured but not chosen gets nothing
    assert hook.received == []
    assert notifications(world)[0].status == NotificationStatus.SENT


def test_webhook_delivery_is_signed_and_retried(world: World, hook: Hook) -> None:
    settings = Settings(
        env="test", notify_channel="webhook", webhook_url=hook.url, webhook_secret="s3cret"
    )
    channels = notify.channels_from(settings)
    reminder(world)
    hook.status = 503
    notify.deliver_due(session_factory=world.factory, now=local(2026, 3, 4, 18), channels=channels)
    [row] = notifications(world)
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    hook.status = 204
    notify.deliver_due(
        session_factory=world.factory, now=local(2026, 3, 4, 18, 1), channels=channels
    )
    [row] = notifications(world)
    assert (row.status, row.attempts) == (NotificationStatus.SENT, 2)
    assert len(hook.received) == 2
    headers, body = hook.received[-1]
    message = json.loads(body)
    assert (message["kind"], message["recipient"]) == ("reminder", "person:7")
    assert message["payload"]["title"] == "义诊"
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers[notify.SIGNATURE_HEADER] == f"sha256={expected}"


def test_smtp_delivery_reaches_the_office(world: World, mailbox: tuple[Mailbox, int]) -> None:
    box, port = mailbox
    settings = Settings(
        env="test",
        notify_channel="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_sender="tongxin@community.example",
        smtp_to="office@community.example, secretary@community.example",
    )
    reminder(world)
    notify.deliver_due(
        session_factory=world.factory,
        now=local(2026, 3, 4, 18),
        channels=notify.channels_from(settings),
    )
    assert notifications(world)[0].status == NotificationStatus.SENT
    [(recipients, content)] = box.messages
    assert sorted(recipients) == ["office@community.example", "secretary@community.example"]
    mail = message_from_bytes(content)
    assert str(make_header(decode_header(mail["Subject"]))) == notify.SUBJECTS["reminder"]
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "person:7" in body.decode()
