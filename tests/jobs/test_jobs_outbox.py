"""The outbox: idempotent enqueue, delivery, retries with backoff, a restart without loss."""

from __future__ import annotations

import logging
import smtplib
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from api.worker import notify
from models import Notification, NotificationStatus
from models.db import make_engine, make_session_factory
from tests.support.jobs_helpers import World, local, notifications


class Flaky:
    """A channel that fails ``failures`` times, then records what it sent."""

    def __init__(self, failures: int):
        self.failures = failures
        self.sent: list[int] = []

    def send(self, notification: Notification) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("the gateway is down")
        self.sent.append(notification.id)


def same_database(world: World) -> sa.Engine:
    """A new engine on the test's database (on PostgreSQL, its private schema)."""
    url = world.engine.url.render_as_string(hide_password=False)
    if world.backend != "postgresql":
        return make_engine(url)
    with world.engine.connect() as connection:
        schema = connection.scalar(sa.text("SELECT current_schema()"))
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"})


def test_enqueue_twice_keeps_one_row(world: World) -> None:
    now = local(2026, 3, 1, 9)
    with world.factory() as session:
        first = notify.enqueue(
            session=session, kind="k", recipient="user:1", payload={"a": 1}, dedupe_key="k:1"
        )
        again = notify.enqueue(
            session=session,
            kind="k",
            recipient="user:1",
            payload={"a": 2},
            dedupe_key="k:1",
            now=now,
        )
        session.commit()
    assert first.id == again.id
    rows = notifications(world, "k")
    assert len(rows) == 1
    assert rows[0].payload == {"a": 1}
    assert rows[0].status == NotificationStatus.PENDING


def test_the_log_channel_sends_and_marks_sent(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    now = local(2026, 3, 1, 9)
    with world.factory() as session:
        notify.enqueue(
            session=session,
            kind="draft_ready",
            recipient="user:7",
            payload={"week_start": "2026-03-02"},
            dedupe_key="d:1",
            now=now,
        )
        session.commit()
    with caplog.at_level(logging.INFO, logger="api.worker.notify"):
        handled = notify.deliver_due(session_factory=world.factory, now=now)
    assert len(handled) == 1
    assert "draft_ready → user:7" in caplog.text
    assert "2026-03-02" in caplog.text
    [row] = notifications(world)
    assert row.status == NotificationStatus.SENT
    assert row.sent_at == now
    assert notify.deliver_due(session_factory=world.factory, now=now) == []


def test_backoff_doubles_and_is_capped() -> None:
    minutes = [notify.backoff(n) / timedelta(minutes=1) for n in range(1, 9)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]


def test_retry_with_backoff_survives_a_restart_without_duplicates(world: World) -> None:
    start = local(2026, 3, 1, 9)
    with world.factory() as session:
        notify.enqueue(
            session=session,
            kind="reminder",
            recipient="person:1",
            payload={},
            dedupe_key="r:1",
            now=start,
        )
        session.commit()
    channel = Flaky(failures=2)
    channels: dict[str, notify.Channel] = {notify.DEFAULT_CHANNEL: channel}
    notify.deliver_due(session_factory=world.factory, now=start, channels=channels)
    [row] = notifications(world)
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert row.next_attempt_at == start + timedelta(minutes=1)
    assert row.last_error == "ConnectionError: the gateway is down"
    # not yet due
    assert (
        notify.deliver_due(
            session_factory=world.factory, now=start + timedelta(seconds=30), channels=channels
        )
        == []
    )
    notify.deliver_due(
        session_factory=world.factory, now=start + timedelta(minutes=1), channels=channels
    )
    [row] = notifications(world)
    assert row.attempts == 2
    assert row.next_attempt_at == start + timedelta(minutes=3)

    # the process stops; a new one, with its own engine on the same database, carries on
    restarted = make_session_factory(same_database(world))
    with restarted() as session:
        notify.enqueue(
            session=session,
            kind="reminder",
            recipient="person:1",
            payload={},
            dedupe_key="r:1",
            now=start,
        )
        session.commit()
    for minute in (3, 4, 10, 60):
        notify.deliver_due(
            session_factory=restarted, now=start + timedelta(minutes=minute), channels=channels
        )
    [row] = notifications(world)
    assert row.status == NotificationStatus.SENT
    assert row.attempts == 3
    assert channel.sent == [row.id]
    restarted.kw["bind"].dispose()


def test_gives_up_after_the_last_attempt(world: World) -> None:
    start = local(2026, 3, 1, 9)
    with world.factory() as session:
        notify.enqueue(
            session=session,
            kind="k",
            recipient="user:1",
            payload={},
            dedupe_key="k:2",
            channel="pager",
            now=start,
        )
        # a channel this deployment has left off is skipped at once, never retried
        notify.enqueue(
            session=session,
            kind="k",
            recipient="person:1",
            payload={},
            dedupe_key="k:3",
            channel="sms",
            now=start,
        )
        session.commit()
    moment = start
    for _ in range(notify.MAX_ATTEMPTS + 2):
        notify.deliver_due(session_factory=world.factory, now=moment)
        moment += notify.MAX_BACKOFF
    [row, off] = notifications(world)
    assert row.status == NotificationStatus.FAILED
    assert row.attempts == notify.MAX_ATTEMPTS
    assert "no channel named 'pager'" in (row.last_error or "")
    assert (off.status, off.attempts) == (NotificationStatus.SKIPPED, 0)
    assert "sms" in (off.last_error or "")


def _row() -> Notification:
    return Notification(
        id=5, recipient="user:3", kind="draft_ready", payload={"subject": "下周排班草稿"}
    )


def test_the_webhook_channel_posts_json(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Answer:
        status = 204

        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def fake_urlopen(request: urllib.request.Request, timeout: float) -> Answer:
        seen["url"] = request.full_url
        seen["body"] = request.data
        seen["type"] = request.get_header("Content-type")
        seen["timeout"] = timeout
        return Answer()

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    notify.WebhookChannel("https://hooks.example/tongxin", timeout_s=3).send(_row())
    assert seen["url"] == "https://hooks.example/tongxin"
    assert seen["type"].startswith("application/json")
    assert seen["timeout"] == 3
    assert '"recipient": "user:3"' in seen["body"].decode()
    assert "下周排班草稿" in seen["body"].decode()

    Answer.status = 500
    with pytest.raises(RuntimeError, match="500"):
        notify.WebhookChannel("https://hooks.example/tongxin").send(_row())


def test_the_smtp_channel_sends_a_mail(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float):
            self.where = (host, port)

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def send_message(self, message: Any) -> None:
            sent.append((self.where, message))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    channel = notify.SMTPChannel(
        host="mail.example",
        port=2525,
        sender="tongxin@example.org",
        address_of={"user:3": "shuji@example.org"}.get,
    )
    channel.send(_row())
    [(where, message)] = sent
    assert where == ("mail.example", 2525)
    assert message["To"] == "shuji@example.org"
    assert message["Subject"] == "下周排班草稿"
    with pytest.raises(LookupError):
        channel.send(Notification(id=6, recipient="user:9", kind="k", payload={}))
