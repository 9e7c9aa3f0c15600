"""A member's tasks as an iCalendar feed (RFC 5545, written by the ``icalendar`` library), and
the secret address that lets a calendar app subscribe to it without logging in.

Each task is an event: its title, start and end in the community's time zone, the place (for a
wish the household's address, by the same rule as the task card: once the member confirmed and
until the service is done), the instructions, what to bring, who else is on it and whom to
call, and a reminder an hour before. Declined and missed tasks are left out.

The feed's address carries a random token (``secrets.token_urlsafe``, 192 bits) per account.
The account keeps it encrypted, to show the member their address again, and its SHA-256 to
find the account from a request; a new token replaces the old one at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from icalendar import Alarm, Calendar, Event
from sqlalchemy.orm import Session

from api.schemas.assignments import MyAssignment
from api.services import assignments, messages
from api.services.errors import NotFound
from models.community import DEFAULT_ZONE
from models.person import Person
from models.schedule import AssignmentStatus
from models.user import UserAccount, UserRole

PRODID = "-//Tongxin//Tongxin 0.1//ZH"
CALENDAR_NAME = "同心 服务任务 Tongxin tasks"
#: the reminder a calendar app shows before each task
REMINDER = timedelta(hours=1)

_STATUS = {
    AssignmentStatus.PROPOSED: "TENTATIVE",
    AssignmentStatus.CONFIRMED: "CONFIRMED",
    AssignmentStatus.DONE: "CONFIRMED",
}


def description(item: MyAssignment) -> str:
    """What a member needs to know about a task, one fact a line, in Chinese."""
    lines = []
    if item.status == AssignmentStatus.PROPOSED:
        lines.append("待确认：请在同心「我的任务」中确认参加或谢绝")
    if item.instructions:
        lines.append(f"说明：{item.instructions}")
    if item.what_to_bring:
        lines.append(f"需携带：{item.what_to_bring}")
    if item.beneficiary is not None:
        lines.append(f"服务对象：{item.beneficiary.name}")
    if item.teammates:
        lines.append(f"同组：{'、'.join(item.teammates)}")
    lines.append(messages.contact_line([(c.name, c.phone) for c in item.coordinators])[0])
    return "\n".join(lines)


def calendar(
    assignments: Iterable[MyAssignment], *, host: str, now: datetime, timezone: str | None = None
) -> bytes:
    """The VCALENDAR of the tasks, times in ``timezone`` (an IANA name; China's when None)."""
    zone = DEFAULT_ZONE if timezone is None else ZoneInfo(timezone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", CALENDAR_NAME)
    cal.add("x-wr-timezone", str(zone))
    for item in assignments:
        if item.status not in _STATUS:
            continue
        event = Event()
        event.add("uid", f"assignment-{item.id}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        event.add("summary", item.title)
        event.add("status", _STATUS[item.status])
        if item.place:
            event.add("location", item.place)
        if text := description(item):
            event.add("description", text)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"一小时后：{item.title}")
        alarm.add("trigger", -REMINDER)
        event.add_component(alarm)
        cal.add_component(event)
    # the VTIMEZONE of every zone the events name, as RFC 5545 asks
    cal.add_missing_timezones()
    return cal.to_ical()


def member_calendar(*, session: Session, person: Person, host: str, now: datetime) -> bytes:
    """A member's published tasks as a VCALENDAR, in their community's time zone."""
    rows = assignments.list_own(session=session, person_id=person.id)
    return calendar(
        assignments.task_cards(session=session, rows=rows),
        host=host,
        now=now,
        timezone=person.community.timezone,
    )


# the private feed address ---------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_feed(*, session: Session, user: UserAccount) -> str:
    """A new secret for the member's feed; the address used so far stops working."""
    token = secrets.token_urlsafe(24)
    user.calendar_token = token
    user.calendar_token_hash = _digest(token)
    session.flush()
    return token


def feed_owner(*, session: Session, token: str) -> UserAccount:
    """The active member whose feed this token opens, or ``NotFound``."""
    if not token or len(token) > 100:
        raise NotFound()
    user = session.scalar(
        sa.select(UserAccount).where(UserAccount.calendar_token_hash == _digest(token))
    )
    if user is None or not user.active or user.role != UserRole.MEMBER or user.person is None:
        raise NotFound()
    return user
