"""What the people of the member loop are told: a seat offered, a seat taken, a claim made.

Every message of the loop (decline → offer → accept → taken, claims, check-out) goes through
``notify`` and nowhere else. It words the facts in both languages and hands them to
``api.services.messages`` as a ``Notice``: each person's or account's inbox, and their other
channels, once per event (``key``), written in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services import messages
from models.base import utcnow
from models.community import DEFAULT_ZONE
from models.notification import Message
from models.user import UserAccount, UserRole, user_community

#: the kinds this loop writes, with their subject in Chinese and English
KINDS: dict[str, tuple[str, str]] = {
    "seat_offered": ("有一项服务需要你接替", "A service needs someone to take it over"),
    "seat_taken": ("这项服务已被他人接下", "Someone else has taken this service"),
    "seat_declined": ("有党员谢绝了任务", "A member declined a task"),
    "seat_filled": ("谢绝的任务已有人接替", "A declined task has been taken over"),
    "work_claimed": ("有党员认领了任务", "A member claimed a task"),
    "wish_done": ("微心愿已办结，待回访", "A wish is done and due for a follow-up visit"),
}
#: where on the phone pages a member acts on a message of this kind
LINKS = {"seat_offered": "#/work", "seat_taken": "#/work"}


def _moment(at: datetime) -> tuple[str, str]:
    local = at.astimezone(DEFAULT_ZONE)
    return (
        f"{local.month}月{local.day}日 {local:%H:%M}",
        f"{local.day} {messages.MONTHS_EN[local.month - 1]}, {local:%H:%M}",
    )


def words(facts: dict[str, Any]) -> tuple[str, str]:
    """The facts of a loop event as a sentence in Chinese and one in English (never a phone
    or an address: the callers pass none)."""
    zh: list[str] = []
    en: list[str] = []
    if facts.get("title"):
        zh.append(f"「{facts['title']}」")
        en.append(f"“{facts['title']}”")
    if isinstance(facts.get("starts_at"), datetime):
        at_zh, at_en = _moment(facts["starts_at"])
        zh.append(at_zh)
        en.append(at_en)
    if facts.get("person"):
        zh.append(f"由{facts['person']}接下")
        en.append(f"taken by {facts['person']}")
    if facts.get("distance_m") is not None:
        zh.append(f"离你家约 {round(float(facts['distance_m']))} 米")
        en.append(f"about {round(float(facts['distance_m']))} m from your home")
    if facts.get("reason"):
        zh.append(f"原因：{facts['reason']}")
        en.append(f"reason: {facts['reason']}")
    if facts.get("offered_to"):
        zh.append(f"已请 {facts['offered_to']} 人接替")
        en.append(f"{facts['offered_to']} people were asked to take it over")
    return "，".join(zh) + "。", ", ".join(en) + "."


def notify(
    session: Session,
    kind: str,
    person_ids: Iterable[int] = (),
    *,
    key: str,
    users: Iterable[int] = (),
    **facts: Any,
) -> int:
    """Tell each person and account one message of ``kind`` with ``facts``; ``key`` names the
    event, so the same event told twice is told once. Returns how many were addressed."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    recipients = [f"person:{i}" for i in sorted(set(person_ids))]
    recipients += [f"user:{i}" for i in sorted(set(users))]
    if not recipients:
        return 0
    subject_zh, subject_en = KINDS[kind]
    body_zh, body_en = words(facts)
    messages.tell(
        session=session,
        event=messages.Notice(
            key=f"{kind}:{key}",
            recipients=tuple(recipients),
            subject_zh=subject_zh,
            subject_en=subject_en,
            body_zh=body_zh,
            body_en=body_en,
            kind=kind,
            link=LINKS.get(kind, ""),
        ),
        now=utcnow(),
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


def told(session: Session, kind: str, recipient: str) -> list[Message]:
    """The messages of ``kind`` in one recipient's inbox (``person:3``), oldest first."""
    found = session.scalars(sa.select(Message).where(Message.kind == kind).order_by(Message.id))
    return [m for m in found if m.recipient == recipient]
