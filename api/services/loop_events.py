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

from sqlalchemy.orm import Session

from api.services import messages
from matcher.domain import WEEKDAYS_EN, WEEKDAYS_ZH
from models.base import utcnow
from models.community import Community

#: the kinds this loop writes: their subject, and what the reader is asked to do, in Chinese
#: and English
KINDS: dict[str, tuple[str, str, str, str]] = {
    "seat_offered": (
        "有一项服务需要你接替",
        "A service needs someone to take it over",
        "能去的话，请在「接任务」里接下；先接下的人承担。",
        "If you can go, take it under Take work; the first to take it gets it.",
    ),
    "seat_taken": (
        "这项服务已被他人接下",
        "Someone else has taken this service",
        "谢谢你，这次不用再处理了。",
        "Thank you; there is nothing more to do.",
    ),
    "seat_declined": (
        "有党员谢绝了任务",
        "A member declined a task",
        "无人接下时，请在排班周表上另行安排。",
        "If nobody takes it, fill it on the week board.",
    ),
    "seat_filled": (
        "谢绝的任务已有人接替",
        "A declined task has been taken over",
        "",
        "",
    ),
    "work_claimed": ("有党员认领了任务", "A member claimed a task", "", ""),
    "hours_approved": (
        "你登记的服务时长已被认可",
        "Your service hours were approved",
        "这些时长会记入你的服务记录。",
        "They count in your service record.",
    ),
    "hours_rejected": (
        "你登记的服务时长未被认可",
        "Your service hours were not approved",
        "如有疑问，请联系社区协调员。",
        "If in doubt, ask the community's coordinator.",
    ),
    "wish_done": (
        "微心愿已办结，待回访",
        "A wish is done and due for a follow-up visit",
        "请安排回访，记录居民的评价。",
        "Please arrange the follow-up visit and record the resident's rating.",
    ),
}
#: where on the phone pages a member acts on a message of this kind
LINKS = {
    "seat_offered": "#/work",
    "seat_taken": "#/work",
    "hours_approved": "#/assignments",
    "hours_rejected": "#/assignments",
}
#: nearer than this, "near your home" says more than a figure
NEAR_HOME_M = 50


def _moment(community: Community, at: datetime, title: str) -> tuple[str, str]:
    """The day, and the time unless the title already gives it, in the community's time."""
    local = at.astimezone(community.zone)
    day_zh, day_en = messages.day_words(local.date())
    weekday = local.weekday()
    day_zh += f"（{WEEKDAYS_ZH[weekday]}）"
    day_en = f"{WEEKDAYS_EN[weekday][:3]} {day_en}"
    clock = f"{local:%H:%M}"
    if clock in title:
        return day_zh, day_en
    return f"{day_zh}{clock}", f"{day_en}, {clock}"


def words(community: Community, kind: str, facts: dict[str, Any]) -> tuple[str, str]:
    """The facts of a loop event as a sentence in Chinese and one in English, then what the
    reader is asked to do (never a phone or an address: the callers pass none)."""
    zh: list[str] = []
    en: list[str] = []
    title = str(facts.get("title") or "")
    if title:
        zh.append(f"「{title}」")
        en.append(f"“{title}”")
    if isinstance(facts.get("starts_at"), datetime):
        at_zh, at_en = _moment(community, facts["starts_at"], title)
        zh.append(at_zh)
        en.append(at_en)
    if facts.get("hours") is not None:
        zh.append(f"{float(facts['hours']):g} 小时")
        en.append(f"{float(facts['hours']):g} hours")
        if facts.get("asked") is not None:
            zh[-1] += f"（你登记的是 {float(facts['asked']):g} 小时）"
            en[-1] += f" (you logged {float(facts['asked']):g})"
    if facts.get("person"):
        zh.append(f"由{facts['person']}接下")
        en.append(f"taken by {facts['person']}")
    if facts.get("distance_m") is not None:
        metres = round(float(facts["distance_m"]))
        if metres < NEAR_HOME_M:
            zh.append("就在你家附近")
            en.append("near your home")
        else:
            zh.append(f"离你家约 {metres} 米")
            en.append(f"about {metres} m from your home")
    if facts.get("reason"):
        zh.append(f"原因：{facts['reason']}")
        en.append(f"reason: {facts['reason']}")
    if facts.get("offered_to"):
        zh.append(f"已请 {facts['offered_to']} 人接替")
        en.append(f"{facts['offered_to']} people were asked to take it over")
    _, _, ask_zh, ask_en = KINDS[kind]
    return "，".join(zh) + "。" + ask_zh, ", ".join(en) + "." + (f" {ask_en}" if ask_en else "")


def notify(
    session: Session,
    kind: str,
    person_ids: Iterable[int] = (),
    *,
    key: str,
    community_id: int,
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
    community = session.get(Community, community_id)
    if community is None:
        raise ValueError(f"no community {community_id}")
    subject_zh, subject_en, _, _ = KINDS[kind]
    body_zh, body_en = words(community, kind, facts)
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
            community_id=community_id,
            link=LINKS.get(kind, ""),
        ),
        now=utcnow(),
    )
    return len(recipients)


def coordinator_ids(session: Session, community_id: int) -> list[int]:
    """The accounts of the community's active coordinators, who are told of the loop."""
    return [account.id for account in messages.coordinators(session, community_id)]
