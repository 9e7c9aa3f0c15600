"""Messages to the people an event concerns: one place turns an event into messages.

``tell(session=…, event=…, now=…)`` is the one entry point. It finds who the event concerns
(the member assigned, the community's coordinators, the street's admins), writes each of them
one inbox message in their language (``models.notification.Message``), and one delivery row
(``models.notification.Notification``) per further channel they can be reached on: ``email``
where they gave an address, ``sms`` for a member's own tasks where they gave a phone, and the
community's work-group robots (``wecom``, ``dingtalk``) for what coordinators must read. The
worker (``api.worker.notify``) delivers those rows; a channel this deployment has not set up
marks them ``skipped`` and the inbox still holds the message.

Every message says what, where, when (the community's local time, never UTC), who else goes
and whom to call (the coordinator's name and work phone). A resident's address is never in a
message: the assigned member sees it on their task card once confirmed.

Each message's ``dedupe_key`` is the event's key and the recipient, held unique by the
database: telling the same event twice (a job run twice, two processes) leaves one message and
one delivery per channel.

Coordinators are not written one message per item: what waits for them (unconfirmed tasks,
wishes at risk, registrations to review) is gathered in one ``CoordinatorDigest`` a day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services import escalation
from api.services.errors import Invalid, NotFound
from api.services.problem import demand_ref_id, demand_title
from matcher.domain import WEEKDAYS_EN, WEEKDAYS_ZH, DemandKind
from models.community import Community
from models.db import insert_ignoring_duplicates
from models.notification import Message, Notification, NotificationStatus
from models.person import Person
from models.schedule import Assignment, AssignmentStatus, RunStatus, ScheduleRun
from models.user import UserAccount, UserRole, user_community, user_grid
from models.wish import Wish, WishStatus

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
#: channels beside the inbox
EMAIL = "email"
SMS = "sms"
WECOM = "wecom"
DINGTALK = "dingtalk"
ROBOTS = (WECOM, DINGTALK)
#: a digest lists the unconfirmed tasks starting within this time
DIGEST_AHEAD = timedelta(days=7)
#: a digest lists at most this many items of a kind, the soonest first, and counts the rest
DIGEST_MOST = 15
#: a wish not yet done this many days or fewer before its deadline is at risk
AT_RISK_DAYS = 2
AT_RISK_STATUSES = (WishStatus.RECORDED, WishStatus.VERIFIED, WishStatus.OPEN, WishStatus.ASSIGNED)
#: the tasks whose messages also go by SMS: a member's own, that change their day
SMS_KINDS = frozenset({"task_assigned", "task_changed", "task_cancelled", "reminder"})
#: one SMS template parameter is at most this long (the provider's variable limit)
SMS_PARAM_MAX = 20
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: where the phone pages open for a member's task
TASKS_LINK = "#/assignments"


# events --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskAssigned:
    """A member was given a task in a published week."""

    assignment_id: int


@dataclass(frozen=True, slots=True)
class TaskChanged:
    """A member's published task moved; ``previous_id`` is the assignment it replaced."""

    assignment_id: int
    previous_id: int


@dataclass(frozen=True, slots=True)
class TaskCancelled:
    """A member's published task is no longer theirs."""

    assignment_id: int


@dataclass(frozen=True, slots=True)
class TaskReminder:
    """The day before a member's task."""

    assignment_id: int


@dataclass(frozen=True, slots=True)
class TaskUnconfirmed:
    """A member has not answered a task that starts soon."""

    assignment_id: int


@dataclass(frozen=True, slots=True)
class WeekPublished:
    """A week was published: each member told what is new, moved or gone for them."""

    run_id: int
    previous_run_id: int | None


@dataclass(frozen=True, slots=True)
class DraftReady:
    """The weekly draft waits for the coordinators' review."""

    run_id: int


@dataclass(frozen=True, slots=True)
class DraftFailed:
    """The weekly draft could not be made."""

    run_id: int


@dataclass(frozen=True, slots=True)
class WishEscalated:
    """A wish went up to ``level`` ("grid", "community", "street", "civil_affairs")."""

    wish_id: int
    level: str


@dataclass(frozen=True, slots=True)
class CoordinatorDigest:
    """The day's one message to a community's coordinators."""

    community_id: int
    day: date


@dataclass(frozen=True, slots=True)
class Notice:
    """Any other message, written by the caller in both languages.

    ``recipients`` are ``"person:<id>"`` or ``"user:<id>"``; ``key`` names the event once (the
    same key twice tells once); ``sms`` sends it by SMS too where a member gave a phone.
    """

    key: str
    recipients: tuple[str, ...]
    subject_zh: str
    subject_en: str
    body_zh: str
    body_en: str
    community_id: int | None = None
    kind: str = "notice"
    #: where on the phone pages it leads ("#/assignments"), or nowhere
    link: str = ""
    sms: bool = False


Event = (
    TaskAssigned
    | TaskChanged
    | TaskCancelled
    | TaskReminder
    | TaskUnconfirmed
    | WeekPublished
    | DraftReady
    | DraftFailed
    | WishEscalated
    | CoordinatorDigest
    | Notice
)


# what is written -----------------------------------------------------------------------------


@dataclass(slots=True)
class Text:
    """A message in both languages; the recipient's language picks one."""

    subject_zh: str
    subject_en: str
    body_zh: str
    body_en: str

    def subject(self, language: str) -> str:
        return self.subject_en if language == "en" else self.subject_zh

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_zh


@dataclass(slots=True)
class Draft:
    """One message to write: to whom, which event, the text, and what the channels need."""

    key: str
    kind: str
    recipients: list[Person | UserAccount]
    text: Text
    community: Community | None
    link: str = ""
    #: the SMS template's parameters (short, no phone, no address), or None: no SMS
    sms_params: list[str] | None = None
    #: the robot post (Chinese markdown), or None: no robot
    robot: Text | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def tell(*, session: Session, event: Event, now: datetime) -> list[Message]:
    """Write the messages ``event`` means for the people it concerns (the caller commits).

    Returns the messages of this event, those written now and those an earlier call wrote.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now.isoformat()} (give it a time zone)")
    if isinstance(event, WeekPublished):
        return _tell_published(session, event, now)
    draft = _draft(session, event, now)
    return [] if draft is None else write(session=session, draft=draft, now=now)


def write(*, session: Session, draft: Draft, now: datetime) -> list[Message]:
    """The inbox messages of ``draft`` and their deliveries, each once."""
    session.flush()
    written: list[Message] = []
    for recipient in draft.recipients:
        language = recipient.language if recipient.language in LANGUAGES else "zh"
        ref = _ref(recipient)
        key = f"{draft.key}:{ref}"[:255]
        insert_ignoring_duplicates(
            session,
            Message,
            [
                {
                    "dedupe_key": key,
                    "kind": draft.kind,
                    "person_id": recipient.id if isinstance(recipient, Person) else None,
                    "user_id": recipient.id if isinstance(recipient, UserAccount) else None,
                    "community_id": draft.community.id if draft.community else None,
                    "language": language,
                    "subject": draft.text.subject(language)[:200],
                    # encrypted by the column type: a Core insert binds through it too
                    "body": draft.text.body(language),
                    "link": draft.link,
                    "created_at": now,
                    "read_at": None,
                }
            ],
            ["dedupe_key"],
        )
        message = session.scalars(sa.select(Message).where(Message.dedupe_key == key)).one()
        written.append(message)
        if recipient.email:
            enqueue(
                session=session,
                channel=EMAIL,
                kind=draft.kind,
                recipient=ref,
                payload={},
                dedupe_key=f"{EMAIL}:{key}",
                message_id=message.id,
                now=now,
            )
        phone = recipient.phone if isinstance(recipient, Person) else None
        if draft.sms_params is not None and phone:
            enqueue(
                session=session,
                channel=SMS,
                kind=draft.kind,
                recipient=ref,
                payload={"params": [p[:SMS_PARAM_MAX] for p in draft.sms_params]},
                dedupe_key=f"{SMS}:{key}",
                message_id=message.id,
                now=now,
            )
    if draft.robot is not None and draft.community is not None:
        for robot in ROBOTS:
            enqueue(
                session=session,
                channel=robot,
                kind=draft.kind,
                recipient=f"community:{draft.community.id}",
                payload={"title": draft.robot.subject_zh, "markdown": draft.robot.body_zh},
                dedupe_key=f"{robot}:{draft.key}"[:255],
                now=now,
            )
    return written


def was_told(*, session: Session, key: str, recipient: str) -> bool:
    """Whether the event ``key`` already has its message for ``recipient``."""
    found = session.scalar(
        sa.select(sa.func.count())
        .select_from(Message)
        .where(Message.dedupe_key == f"{key}:{recipient}"[:255])
    )
    return bool(found)


def enqueue(
    *,
    session: Session,
    channel: str,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    dedupe_key: str,
    now: datetime,
    message_id: int | None = None,
) -> Notification:
    """One delivery row in the outbox (the caller commits); the same key twice adds one row."""
    session.flush()
    insert_ignoring_duplicates(
        session,
        Notification,
        [
            {
                "message_id": message_id,
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


def _ref(recipient: Person | UserAccount) -> str:
    return f"person:{recipient.id}" if isinstance(recipient, Person) else f"user:{recipient.id}"


# who -----------------------------------------------------------------------------------------


def coordinators(session: Session, community_id: int) -> list[UserAccount]:
    """The community's active coordinators, oldest account first."""
    return list(
        session.scalars(
            sa.select(UserAccount)
            .join(user_community, user_community.c.user_id == UserAccount.id)
            .where(
                user_community.c.community_id == community_id,
                UserAccount.role == UserRole.COORDINATOR,
                UserAccount.active.is_(True),
            )
            .order_by(UserAccount.id)
        )
    )


def street_admins(session: Session, street_id: int) -> list[UserAccount]:
    """The street's active admins."""
    return list(
        session.scalars(
            sa.select(UserAccount)
            .where(
                UserAccount.street_id == street_id,
                UserAccount.role == UserRole.STREET_ADMIN,
                UserAccount.active.is_(True),
            )
            .order_by(UserAccount.id)
        )
    )


def name_of(account: UserAccount) -> str:
    return account.display_name.strip() or account.username


def whom_to_call(session: Session, community_id: int) -> tuple[str, str]:
    """ "联系：王书记 13812345678" in both languages: the coordinators members may call."""
    return contact_line([(name_of(c), c.phone) for c in coordinators(session, community_id)])


def contact_line(people: Sequence[tuple[str, str | None]]) -> tuple[str, str]:
    """ "联系：王书记 13812345678" in both languages, of (name, work phone) pairs; the service
    centre when there is nobody to name (the messages and the calendar say it alike)."""
    found = [f"{name} {phone}" if phone else name for name, phone in people]
    if not found:
        return "联系：社区党群服务中心", "Contact: the community service centre"
    return "联系：" + "；".join(found), "Contact: " + "; ".join(found)


def _recipient(session: Session, ref: str) -> Person | UserAccount:
    kind, _, raw = ref.partition(":")
    if kind not in ("person", "user") or not raw.isdigit():
        raise Invalid(f"收信人 {ref!r} 无效", f"{ref!r} is not a person or an account")
    found: Person | UserAccount | None = (
        session.get(Person, int(raw)) if kind == "person" else session.get(UserAccount, int(raw))
    )
    if found is None:
        raise NotFound()
    return found


# when and where ------------------------------------------------------------------------------


def when(community: Community, starts_at: datetime, ends_at: datetime) -> tuple[str, str]:
    """``3月5日（周四）18:30–20:30`` and ``Thu 5 Mar, 18:30–20:30``, in the community's time."""
    start = starts_at.astimezone(community.zone)
    end = ends_at.astimezone(community.zone)
    weekday = start.weekday()
    clock = f"{start:%H:%M}–{end:%H:%M}"
    return (
        f"{start.month}月{start.day}日（{WEEKDAYS_ZH[weekday]}）{clock}",
        f"{WEEKDAYS_EN[weekday][:3]} {start.day} {MONTHS_EN[start.month - 1]}, {clock}",
    )


def day_words(day: date) -> tuple[str, str]:
    """``3月6日`` and ``6 Mar``."""
    return f"{day.month}月{day.day}日", f"{day.day} {MONTHS_EN[day.month - 1]}"


def place_of(assignment: Assignment) -> tuple[str, str]:
    """Where the task is; for a wish only that it is at the resident's home."""
    if assignment.demand_kind == DemandKind.WISH:
        return (
            "服务对象家中（确认后在任务卡上可见地址）",
            "at the resident's home (the address shows on your task card once you confirm)",
        )
    place = ""
    if assignment.shift is not None:
        place = assignment.shift.post.place
    elif assignment.activity is not None:
        place = assignment.activity.place
    return (place or "见任务卡", place or "see the task card")


def team_mates(session: Session, assignment: Assignment) -> list[str]:
    """The others in the same run on the same task at the same time."""
    query = (
        sa.select(Person.name)
        .join(Assignment, Assignment.person_id == Person.id)
        .where(
            Assignment.run_id == assignment.run_id,
            Assignment.demand_kind == assignment.demand_kind,
            Assignment.starts_at == assignment.starts_at,
            Assignment.person_id != assignment.person_id,
            Assignment.status != AssignmentStatus.DECLINED,
        )
        .order_by(Person.name)
    )
    column = {
        DemandKind.WISH: Assignment.wish_id,
        DemandKind.SHIFT: Assignment.shift_id,
        DemandKind.ACTIVITY: Assignment.activity_id,
    }[assignment.demand_kind]
    return list(session.scalars(query.where(column == assignment.demand_id)))


# the member's own tasks ----------------------------------------------------------------------

TASK_WORDS: dict[str, tuple[str, str, str, str]] = {
    # kind: subject zh, subject en, first line zh, first line en
    "task_assigned": (
        "新的服务任务",
        "A new service task",
        "您有一项新的服务任务。",
        "You have a new service task.",
    ),
    "task_changed": (
        "服务任务有变动",
        "Your service task changed",
        "您的服务任务时间有变动，请以此为准。",
        "Your service task moved; this is the new time.",
    ),
    "task_cancelled": (
        "服务任务已取消",
        "A service task is cancelled",
        "这项服务任务已不再安排给您，不用前往。",
        "This task is no longer yours; you need not go.",
    ),
    "reminder": (
        "明天的服务提醒",
        "Tomorrow's service",
        "提醒您明天的服务任务。",
        "A reminder of your task tomorrow.",
    ),
    "unconfirmed": (
        "请确认服务任务",
        "Please confirm your task",
        "这项服务即将开始，您还没有确认能否前往。",
        "This task starts soon and you have not said whether you can go.",
    ),
}
TASK_ENDINGS = {
    "task_assigned": (
        "请在「我的任务」里确认，或说明不能去。",
        "Confirm it under My tasks, or decline.",
    ),
    "task_changed": (
        "请在「我的任务」里确认新的时间。",
        "Please confirm the new time under My tasks.",
    ),
    "task_cancelled": ("感谢您的参与。", "Thank you for serving."),
    "reminder": ("如不能前往，请尽早告知。", "If you cannot go, please say so early."),
    "unconfirmed": (
        "请在「我的任务」里确认，或说明不能去。",
        "Confirm it under My tasks, or decline.",
    ),
}


#: the first SMS parameter starts with these: a template variable is short
SMS_WORDS = {
    "task_assigned": "新任务",
    "task_changed": "任务时间变动",
    "task_cancelled": "任务取消",
    "reminder": "明日服务",
}


def _short(text: str) -> str:
    return text if len(text) <= SMS_PARAM_MAX else text[: SMS_PARAM_MAX - 1] + "…"


def task_name(assignment: Assignment) -> str:
    """The task's name without its time: the post, the activity or the wish."""
    if assignment.shift is not None:
        return assignment.shift.post.name
    if assignment.activity is not None:
        return assignment.activity.name
    return assignment.wish.title if assignment.wish is not None else ""


def task_text(
    session: Session,
    assignment: Assignment,
    kind: str,
    *,
    contact: tuple[str, str] | None = None,
    mates: list[str] | None = None,
) -> tuple[Text, list[str]]:
    """A member's message about one task, and its SMS parameters; ``contact`` and ``mates``
    when the caller already knows them."""
    community = assignment.run.community
    title = demand_title(assignment)
    when_zh, when_en = when(community, assignment.starts_at, assignment.ends_at)
    place_zh, place_en = place_of(assignment)
    if mates is None:
        mates = team_mates(session, assignment)
    call_zh, call_en = contact or whom_to_call(session, community.id)
    subject_zh, subject_en, first_zh, first_en = TASK_WORDS[kind]
    end_zh, end_en = TASK_ENDINGS[kind]
    person = assignment.person
    lines_zh = [
        f"{person.name}，您好：",
        first_zh,
        f"事项：{title}",
        f"时间：{when_zh}",
        f"地点：{place_zh}",
    ]
    lines_en = [
        f"Dear {person.name},",
        first_en,
        f"What: {title}",
        f"When: {when_en}",
        f"Where: {place_en}",
    ]
    if kind != "task_cancelled":
        lines_zh.append(f"同去：{'、'.join(mates)}" if mates else "同去：仅您一人")
        lines_en.append(f"With: {', '.join(mates)}" if mates else "With: you alone")
    lines_zh += [call_zh, end_zh]
    lines_en += [call_en, end_en]
    start = assignment.starts_at.astimezone(community.zone)
    text = Text(
        subject_zh=f"{subject_zh}：{title}",
        subject_en=f"{subject_en}: {title}",
        body_zh="\n".join(lines_zh),
        body_en="\n".join(lines_en),
    )
    sms = [
        _short(f"{SMS_WORDS.get(kind, subject_zh)}：{task_name(assignment)}"),
        f"{start.month}月{start.day}日{start:%H:%M}",
    ]
    return text, sms


def _assignment(session: Session, assignment_id: int) -> Assignment:
    found = session.get(Assignment, assignment_id)
    if found is None:
        raise NotFound()
    return found


def _task_draft(
    session: Session,
    assignment: Assignment,
    kind: str,
    key: str,
    *,
    contact: tuple[str, str] | None = None,
    mates: list[str] | None = None,
) -> Draft:
    text, sms = task_text(session, assignment, kind, contact=contact, mates=mates)
    return Draft(
        key=key,
        kind=kind,
        recipients=[assignment.person],
        text=text,
        community=assignment.run.community,
        link=TASKS_LINK,
        sms_params=sms if kind in SMS_KINDS else None,
    )


def task_key(assignment: Assignment) -> str:
    """The same task for the same person at the same time, whichever run holds it. The start is
    written in UTC: an assignment just made holds its community's local time, one read back
    from the database UTC, and both are the same task."""
    starts = assignment.starts_at.astimezone(UTC).isoformat()
    return f"{assignment.person_id}:{demand_ref_id(assignment)}:{starts}"


def task_event_key(session: Session, kind: str, assignment: Assignment) -> str:
    """The key of telling a member ``kind`` about one task: once, and once again after each time
    they were told it is gone. A member taken off a task and put back on it is told both times,
    so their last message is the one that holds; told the same thing twice in a row, they get
    it once (a cancellation after the n-th "you have a task" has the n-th key)."""
    task = task_key(assignment)
    rows = session.execute(
        sa.select(Message.kind, sa.func.count())
        .where(
            Message.person_id == assignment.person_id,
            Message.kind.in_(("task_assigned", "task_cancelled")),
            Message.dedupe_key.contains(task, autoescape=True),
        )
        .group_by(Message.kind)
    ).all()
    told = {str(kind): int(count) for kind, count in rows}
    if kind == "task_cancelled":
        again = max(0, told.get("task_assigned", 0) - 1)
    else:
        again = told.get("task_cancelled", 0)
    return f"{kind}:{task}" + (f"#{again}" if again else "")


#: the tasks a member is told of: planned, not declined or done
TOLD_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED)


@dataclass(frozen=True, slots=True)
class TaskChange:
    """What publishing a run means for one member's task: ``task_assigned`` (new),
    ``task_changed`` (same task, another time: ``earlier`` is the old one) or
    ``task_cancelled`` (gone)."""

    kind: str
    task: Assignment
    earlier: Assignment | None = None


def publish_changes(
    run: ScheduleRun, previous: ScheduleRun | None, now: datetime
) -> list[TaskChange]:
    """The tasks publishing ``run`` over ``previous`` tells their members of: a task is the
    seat (person, demand, role); tasks over by ``now`` are never told. New and moved ones first
    by start, then the ones gone."""

    def seats(of: ScheduleRun | None) -> dict[tuple[int, str, int], Assignment]:
        if of is None:
            return {}
        return {
            (a.person_id, demand_ref_id(a), a.role): a
            for a in of.assignments
            if a.status in TOLD_STATUSES and a.ends_at > now
        }

    before, after = seats(previous), seats(run)
    found: list[TaskChange] = []
    for pair, assignment in sorted(after.items(), key=lambda item: item[1].starts_at):
        earlier = before.get(pair)
        if earlier is None:
            found.append(TaskChange("task_assigned", assignment))
        elif (earlier.starts_at, earlier.ends_at) != (assignment.starts_at, assignment.ends_at):
            found.append(TaskChange("task_changed", assignment, earlier))
    for pair, assignment in sorted(before.items(), key=lambda item: item[1].starts_at):
        if pair not in after:
            found.append(TaskChange("task_cancelled", assignment))
    return found


def _tell_published(session: Session, event: WeekPublished, now: datetime) -> list[Message]:
    """New tasks, moved tasks and tasks gone, each told to its member once per published run
    (a task dropped, then given back by a later run, is told again).

    A week holds hundreds of tasks: what was already told is looked up at once and not written
    again, the coordinators' contact is read once and team-mates come from the run in memory.
    """
    run = session.get(ScheduleRun, event.run_id)
    if run is None or run.status != RunStatus.PUBLISHED:
        return []
    old = session.get(ScheduleRun, event.previous_run_id) if event.previous_run_id else None
    todo = [(change.kind, change.task) for change in publish_changes(run, old, now)]
    keyed = [(kind, f"{kind}:{run.id}:{task_key(a)}", a) for kind, a in todo]
    told = _existing(session, [f"{key}:person:{a.person_id}"[:255] for _, key, a in keyed])
    together: dict[tuple[str, datetime], list[Assignment]] = {}
    for a in run.assignments:
        if a.status != AssignmentStatus.DECLINED:
            together.setdefault((demand_ref_id(a), a.starts_at), []).append(a)
    contact = whom_to_call(session, run.community_id)
    written = list(told.values())
    for kind, key, assignment in keyed:
        if f"{key}:person:{assignment.person_id}"[:255] in told:
            continue
        mates = sorted(
            a.person.name
            for a in together.get((demand_ref_id(assignment), assignment.starts_at), [])
            if a.person_id != assignment.person_id
        )
        draft = _task_draft(session, assignment, kind, key, contact=contact, mates=mates)
        written += write(session=session, draft=draft, now=now)
    return written


def _existing(session: Session, keys: list[str]) -> dict[str, Message]:
    """The messages already written under these keys."""
    found: dict[str, Message] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for message in session.scalars(sa.select(Message).where(Message.dedupe_key.in_(chunk))):
            found[message.dedupe_key] = message
    return found


# the coordinators ----------------------------------------------------------------------------


def _run_words(run: ScheduleRun) -> tuple[str, str]:
    community = run.community
    zh, en = day_words(run.week_start)
    return f"{community.name} {zh}起的一周", f"the week of {en} at {community.name}"


def _draft(session: Session, event: Event, now: datetime) -> Draft | None:
    if isinstance(event, TaskAssigned | TaskCancelled | TaskReminder | TaskUnconfirmed):
        assignment = _assignment(session, event.assignment_id)
        kind = {
            TaskAssigned: "task_assigned",
            TaskCancelled: "task_cancelled",
            TaskReminder: "reminder",
            TaskUnconfirmed: "unconfirmed",
        }[type(event)]
        return _task_draft(session, assignment, kind, task_event_key(session, kind, assignment))
    if isinstance(event, TaskChanged):
        assignment = _assignment(session, event.assignment_id)
        return _task_draft(
            session,
            assignment,
            "task_changed",
            f"task_changed:{event.previous_id}:{task_key(assignment)}",
        )
    if isinstance(event, DraftReady | DraftFailed):
        return _run_draft(session, event)
    if isinstance(event, WishEscalated):
        return _escalation_draft(session, event)
    if isinstance(event, CoordinatorDigest):
        return digest(session=session, community_id=event.community_id, day=event.day, now=now)
    if isinstance(event, Notice):
        return Draft(
            key=f"{event.kind}:{event.key}",
            kind=event.kind,
            recipients=[_recipient(session, ref) for ref in event.recipients],
            text=Text(event.subject_zh, event.subject_en, event.body_zh, event.body_en),
            community=session.get(Community, event.community_id) if event.community_id else None,
            link=event.link,
            sms_params=[event.subject_zh] if event.sms else None,
        )
    raise TypeError(f"not an event: {event!r}")


def _run_draft(session: Session, event: DraftReady | DraftFailed) -> Draft | None:
    run = session.get(ScheduleRun, event.run_id)
    if run is None:
        raise NotFound()
    week_zh, week_en = _run_words(run)
    if isinstance(event, DraftReady):
        unfilled = len(run.unfilled or [])
        gap_zh = f"还有 {unfilled} 个岗位没有排满。" if unfilled else "所有岗位都已排满。"
        gap_en = f"{unfilled} places are still unfilled." if unfilled else "Every place is filled."
        text = Text(
            subject_zh=f"排班草稿待审核：{week_zh}",
            subject_en=f"Draft ready for review: {week_en}",
            body_zh=f"{week_zh}的排班草稿已生成，请审核后发布。{gap_zh}",
            body_en=f"The draft of {week_en} is ready; review and publish it. {gap_en}",
        )
        kind, key = "draft_ready", f"draft_ready:{run.community_id}:{run.week_start}"
    else:
        text = Text(
            subject_zh=f"排班草稿未能生成：{week_zh}",
            subject_en=f"The draft failed: {week_en}",
            body_zh=f"{week_zh}的排班草稿未能生成，请在排班页重新生成。原因：{run.failure_reason or '未知'}",
            body_en=(
                f"The draft of {week_en} could not be made; start it again on the week page. "
                f"Reason: {run.failure_reason or 'unknown'}"
            ),
        )
        kind, key = "draft_failed", f"draft_failed:{run.id}"
    return Draft(
        key=key,
        kind=kind,
        recipients=list(coordinators(session, run.community_id)),
        text=text,
        community=run.community,
        link="",
        robot=Text(
            text.subject_zh, text.subject_en, f"**{text.subject_zh}**\n\n{text.body_zh}", ""
        ),
    )


#: a level's Chinese name by its English one ("street" → 街道)
LEVEL_ZH = {escalation.LEVEL_NAMES[level]: zh for level, zh in escalation.LEVEL_ZH.items()}


def grid_leaders(session: Session, community_id: int, grid_id: int | None) -> list[UserAccount]:
    """The active leaders of a grid; without a grid or a leader, the community's coordinators."""
    leaders: list[UserAccount] = []
    if grid_id is not None:
        leaders = list(
            session.scalars(
                sa.select(UserAccount)
                .join(user_grid, user_grid.c.user_id == UserAccount.id)
                .where(
                    user_grid.c.grid_id == grid_id,
                    UserAccount.role == UserRole.GRID_LEADER,
                    UserAccount.active.is_(True),
                )
                .order_by(UserAccount.id)
            )
        )
    return leaders or coordinators(session, community_id)


def civil_affairs(session: Session, street_id: int) -> list[UserAccount]:
    """The street's active civil affairs (民政) accounts; without one, its admins."""
    found = list(
        session.scalars(
            sa.select(UserAccount)
            .where(
                UserAccount.street_id == street_id,
                UserAccount.role == UserRole.CIVIL_AFFAIRS,
                UserAccount.active.is_(True),
            )
            .order_by(UserAccount.id)
        )
    )
    return found or street_admins(session, street_id)


def _escalation_draft(session: Session, event: WishEscalated) -> Draft | None:
    """The grid's leaders, the street's admins and civil affairs are told at once, each at
    their level; the community's coordinators read it in their digest."""
    wish = session.get(Wish, event.wish_id)
    if wish is None:
        raise NotFound()
    if event.level == "community":
        return None
    community = wish.community
    deadline_zh, deadline_en = day_words(wish.deadline)
    level_zh = LEVEL_ZH.get(event.level, event.level)
    text = Text(
        subject_zh=f"微心愿上报{level_zh}：{wish.title}",
        subject_en=f"A wish went up to the {event.level.replace('_', ' ')}: {wish.title}",
        body_zh=(
            f"{community.name}的微心愿「{wish.title}」办结期限为{deadline_zh}，"
            f"目前尚未完成，已上报{level_zh}，请协调办理。"
        ),
        body_en=(
            f"The wish “{wish.title}” of {community.name} was due on {deadline_en} and is not "
            f"done; it went up to the {event.level.replace('_', ' ')}. Please help."
        ),
    )
    return Draft(
        key=f"wish_escalated:{wish.id}:{event.level}",
        kind="wish_escalated",
        recipients=_escalation_recipients(session, wish, event.level),
        text=text,
        community=community,
    )


def _escalation_recipients(session: Session, wish: Wish, level: str) -> list[Person | UserAccount]:
    community = wish.community
    if level == "grid":
        return [*grid_leaders(session, community.id, wish.grid_id)]
    if level == "civil_affairs":
        return [*civil_affairs(session, community.street_id)]
    return [*street_admins(session, community.street_id)]


@dataclass(slots=True)
class DigestItems:
    """What waits for a community's coordinators on one day."""

    unconfirmed: list[Assignment]
    at_risk: list[Wish]
    registrations: list[Person]

    def __bool__(self) -> bool:
        return bool(self.unconfirmed or self.at_risk or self.registrations)


def digest_items(
    *, session: Session, community: Community, day: date, now: datetime
) -> DigestItems:
    """Unconfirmed published tasks of the coming week, wishes at risk, registrations."""
    unconfirmed = list(
        session.scalars(
            sa.select(Assignment)
            .join(Assignment.run)
            .where(
                ScheduleRun.community_id == community.id,
                ScheduleRun.status == RunStatus.PUBLISHED,
                Assignment.status == AssignmentStatus.PROPOSED,
                Assignment.starts_at >= now,
                Assignment.starts_at < now + DIGEST_AHEAD,
            )
            .order_by(Assignment.starts_at, Assignment.id)
        )
    )
    at_risk = list(
        session.scalars(
            sa.select(Wish)
            .where(
                Wish.community_id == community.id,
                Wish.status.in_(AT_RISK_STATUSES),
                Wish.deadline <= day + timedelta(days=AT_RISK_DAYS),
            )
            .order_by(Wish.deadline, Wish.id)
        )
    )
    registrations = list(
        session.scalars(
            sa.select(Person)
            .where(
                Person.community_id == community.id,
                Person.pending.is_(True),
                Person.active.is_(True),
            )
            .order_by(Person.id)
        )
    )
    return DigestItems(unconfirmed, at_risk, registrations)


def _days_left(deadline: date, day: date) -> tuple[str, str]:
    left = (deadline - day).days
    if left < 0:
        return f"已逾期{-left}天", f"{-left} days late"
    if left == 0:
        return "今天到期", "due today"
    return f"还剩{left}天", f"{left} days left"


def _more(count: int, zh: list[str], en: list[str], md: list[str]) -> None:
    """ "……另有 N 项" under a list cut at ``DIGEST_MOST``."""
    if count > DIGEST_MOST:
        zh.append(f"……另有{count - DIGEST_MOST}项，请登录同心查看")
        en.append(f"… and {count - DIGEST_MOST} more in Tongxin")
        md.append(f"……另有{count - DIGEST_MOST}项，请登录同心查看")


def digest(*, session: Session, community_id: int, day: date, now: datetime) -> Draft | None:
    """The coordinators' message of ``day``: None when nothing waits."""
    community = session.get(Community, community_id)
    if community is None:
        raise NotFound()
    items = digest_items(session=session, community=community, day=day, now=now)
    if not items:
        return None
    day_zh, day_en = day_words(day)
    zh: list[str] = []
    en: list[str] = []
    md: list[str] = [f"### {community.name} {day_zh}待办"]
    if items.unconfirmed:
        zh.append(f"待确认的服务（{len(items.unconfirmed)}项）：")
        en.append(f"Tasks not yet confirmed ({len(items.unconfirmed)}):")
        md.append(f"**待确认的服务（{len(items.unconfirmed)}项）**")
        for a in items.unconfirmed[:DIGEST_MOST]:
            w_zh, w_en = when(community, a.starts_at, a.ends_at)
            title = demand_title(a)
            zh.append(f"· {w_zh} {title} — {a.person.name}")
            en.append(f"· {w_en} {title} — {a.person.name}")
            md.append(f"- {w_zh} {title} — {a.person.name}")
        _more(len(items.unconfirmed), zh, en, md)
    if items.at_risk:
        zh.append(f"临近或超过办结期限的微心愿（{len(items.at_risk)}件）：")
        en.append(f"Wishes near or past their deadline ({len(items.at_risk)}):")
        md.append(f"**临近或超过办结期限的微心愿（{len(items.at_risk)}件）**")
        for wish in items.at_risk[:DIGEST_MOST]:
            left_zh, left_en = _days_left(wish.deadline, day)
            d_zh, d_en = day_words(wish.deadline)
            assigned = wish.status == WishStatus.ASSIGNED
            state_zh = "已安排未完成" if assigned else "未安排"
            state_en = "assigned, not done" if assigned else "not assigned"
            zh.append(f"· {wish.title}：期限{d_zh}，{left_zh}，{state_zh}")
            en.append(f"· {wish.title}: due {d_en}, {left_en}, {state_en}")
            md.append(f"- {wish.title}：期限{d_zh}，**{left_zh}**")
        _more(len(items.at_risk), zh, en, md)
    if items.registrations:
        shown = items.registrations[:DIGEST_MOST]
        rest = len(items.registrations) - len(shown)
        names = "、".join(p.name for p in shown) + (
            f"等{len(items.registrations)}人" if rest else ""
        )
        zh.append(f"待审核的报到（{len(items.registrations)}人）：{names}")
        en.append(
            f"Registrations to review ({len(items.registrations)}): "
            + ", ".join(p.name for p in shown)
            + (f" and {rest} more" if rest else "")
        )
        md.append(f"**待审核的报到（{len(items.registrations)}人）**：{names}")
    zh.append("请登录同心处理。")
    en.append("Open Tongxin to deal with them.")
    md.append("请登录同心处理。")
    counts_zh = (
        f"待确认{len(items.unconfirmed)}项、风险心愿{len(items.at_risk)}件、"
        f"待审核报到{len(items.registrations)}人"
    )
    text = Text(
        subject_zh=f"今日待办 {day_zh}：{counts_zh}",
        subject_en=(
            f"Today {day_en}: {len(items.unconfirmed)} unconfirmed, {len(items.at_risk)} wishes "
            f"at risk, {len(items.registrations)} registrations"
        ),
        body_zh="\n".join(zh),
        body_en="\n".join(en),
    )
    return Draft(
        key=f"digest:{community.id}:{day.isoformat()}",
        kind="digest",
        recipients=list(coordinators(session, community.id)),
        text=text,
        community=community,
        link="",
        robot=Text(text.subject_zh, text.subject_en, "\n".join(md), ""),
        extra={"items": items},
    )


# the inbox -----------------------------------------------------------------------------------


def _inbox_filter(user: UserAccount) -> sa.ColumnElement[bool]:
    mine = Message.user_id == user.id
    if user.role == UserRole.MEMBER and user.person_id is not None:
        return sa.or_(mine, Message.person_id == user.person_id)
    return mine


def inbox(
    *, session: Session, user: UserAccount, limit: int, offset: int, unread_only: bool = False
) -> tuple[list[Message], int, int]:
    """The caller's messages, newest first, one page; the total, and how many are unread."""
    where = _inbox_filter(user)
    unread = session.scalar(
        sa.select(sa.func.count()).select_from(Message).where(where, Message.read_at.is_(None))
    )
    if unread_only:
        where = sa.and_(where, Message.read_at.is_(None))
    total = session.scalar(sa.select(sa.func.count()).select_from(Message).where(where))
    rows = session.scalars(
        sa.select(Message).where(where).order_by(Message.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total or 0, unread or 0


def own_message(*, session: Session, user: UserAccount, message_id: int) -> Message:
    """One of the caller's messages, else ``NotFound`` (as if it did not exist)."""
    found = session.scalars(
        sa.select(Message).where(Message.id == message_id, _inbox_filter(user))
    ).one_or_none()
    if found is None:
        raise NotFound()
    return found


def mark_read(*, session: Session, user: UserAccount, message_id: int, now: datetime) -> Message:
    """Mark one of the caller's messages read; reading it again keeps the first time."""
    message = own_message(session=session, user=user, message_id=message_id)
    if message.read_at is None:
        message.read_at = now
        session.flush()
    return message


def unread_count(*, session: Session, user: UserAccount) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Message)
            .where(_inbox_filter(user), Message.read_at.is_(None))
        )
        or 0
    )


def set_contact(
    *,
    session: Session,
    user: UserAccount,
    email: str | None,
    language: str | None,
    display_name: str | None = None,
    phone: str | None = None,
) -> None:
    """Where the caller's messages also go and in which language; a member's e-mail is kept
    on their person, an account's on the account. ``None`` leaves a field as it is, ``""``
    clears the e-mail."""
    target: Person | UserAccount = (
        user.person if user.role == UserRole.MEMBER and user.person is not None else user
    )
    if email is not None:
        target.email = email or None
    if language is not None:
        target.language = language
    if display_name is not None or phone is not None:
        if user.role == UserRole.MEMBER:
            raise Invalid(
                "成员的姓名和电话在个人资料里修改",
                "a member's name and phone are changed in their profile",
            )
        if display_name is not None:
            user.display_name = display_name
        if phone is not None:
            user.phone = phone or None
    session.flush()


def people_told(messages: Iterable[Message]) -> Sequence[str]:
    """The recipients of some messages, for logs and tests."""
    return sorted({m.recipient for m in messages})
