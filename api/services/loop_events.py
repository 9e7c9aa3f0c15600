"""What the people of the member loop are told: a seat offered, a seat taken, a claim made.

Every message of the loop (decline → offer → accept → taken, claims, check-out) goes through
``notify`` and nowhere else, so where such messages end up (today the notification outbox, one
row per person) is decided in this one place.

The row is written in the caller's transaction, exactly like ``api.worker.notify.enqueue`` does
(the services may not import the worker): it exists when the change it reports was committed,
and its ``dedupe_key`` keeps a repeated call from writing it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import insert_ignoring_duplicates
from models.notification import Notification, NotificationStatus
from models.user import UserAccount, UserRole, user_community

#: the channel the outbox's deliverer maps to the one the settings name
CHANNEL = "default"

#: the kinds this loop writes, with their subject in Chinese and English
KINDS: dict[str, tuple[str, str]] = {
    "seat_offered": ("有一项服务需要你接替", "A service needs someone to take it over"),
    "seat_taken": ("这项服务已被他人接下", "Someone else has taken this service"),
    "seat_declined": ("有党员谢绝了任务", "A member declined a task"),
    "seat_filled": ("谢绝的任务已有人接替", "A declined task has been taken over"),
    "work_claimed": ("有党员认领了任务", "A member claimed a task"),
    "wish_done": ("微心愿已办结，待回访", "A wish is done and due for a follow-up visit"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def notify(
    session: Session,
    kind: str,
    person_ids: Iterable[int] = (),
    *,
    key: str,
    users: Iterable[int] = (),
    **facts: Any,
) -> int:
    """Tell each person (``person:<id>``) and account (``user:<id>``) one message of ``kind``
    with ``facts`` (never a phone or an address); ``key`` names the event, so the same event
    told twice writes one row per recipient. Returns how many recipients were addressed."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    subject_zh, subject_en = KINDS[kind]
    payload = {
        "subject_zh": subject_zh,
        "subject_en": subject_en,
        **{name: _plain(value) for name, value in facts.items()},
    }
    recipients = [f"person:{i}" for i in sorted(set(person_ids))]
    recipients += [f"user:{i}" for i in sorted(set(users))]
    if not recipients:
        return 0
    now = utcnow()
    session.flush()
    insert_ignoring_duplicates(
        session,
        Notification,
        [
            {
                "channel": CHANNEL,
                "recipient": recipient,
                "kind": kind,
                "payload": payload,
                "dedupe_key": f"{kind}:{key}:{recipient}"[:255],
                "status": NotificationStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for recipient in recipients
        ],
        ["dedupe_key"],
    )
    return len(recipients)


def coordinator_ids(session: Session, community_id: int) -> list[int]:
    """The accounts of the community's active coordinators, who are told of the loop."""
    return list(
        session.scalars(
            sa.select(UserAccount.id)
            .join(user_community, user_community.c.user_id == UserAccount.id)
            .where(
                user_community.c.community_id == community_id,
                UserAccount.role == UserRole.COORDINATOR,
                UserAccount.active.is_(True),
            )
            .order_by(UserAccount.id)
        )
    )


def told(session: Session, kind: str, recipient: str) -> list[Notification]:
    """The messages of ``kind`` written for one recipient (``person:3``), oldest first."""
    return list(
        session.scalars(
            sa.select(Notification)
            .where(Notification.kind == kind, Notification.recipient == recipient)
            .order_by(Notification.id)
        )
    )
