"""An iCalendar feed (RFC 5545) of a member's assignments, written by hand.

Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 character; text values
are escaped. Times are in UTC. A wish's address is left out: calendars are copied to phones and
cloud services, and the address stays on the assignment page in Tongxin.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from api.schemas.assignments import MyAssignment
from models.schedule import AssignmentStatus

PRODID = "-//Tongxin//Tongxin 0.1//ZH"
MAX_OCTETS = 75


def escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets; continuations start with a space."""
    chunks: list[str] = []
    current, size = "", 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space of a continuation counts
        current += char
        size += width
    chunks.append(current)
    return "\r\n ".join(chunks)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


_STATUS = {
    AssignmentStatus.PROPOSED: "TENTATIVE",
    AssignmentStatus.CONFIRMED: "CONFIRMED",
    AssignmentStatus.DONE: "CONFIRMED",
}


def calendar(assignments: Iterable[MyAssignment], *, host: str, now: datetime) -> str:
    """The VCALENDAR text; declined and missed assignments are left out."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape('同心 服务任务 Tongxin assignments')}",
    ]
    for item in assignments:
        if item.status not in _STATUS:
            continue
        lines += [
            "BEGIN:VEVENT",
            f"UID:assignment-{item.id}@{host}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(item.starts_at)}",
            f"DTEND:{_utc(item.ends_at)}",
            f"SUMMARY:{escape(item.title)}",
            f"STATUS:{_STATUS[item.status]}",
        ]
        if item.place:
            lines.append(f"LOCATION:{escape(item.place)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
