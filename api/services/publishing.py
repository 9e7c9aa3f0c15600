"""Publishing as a decision: who a publish tells of what, said before it is done, and the
messages it leaves in the outbox for exactly those people.

A first publish tells everyone on the plan of their tasks. Publishing a corrected week (a new
draft over the published plan) tells only the people whose tasks changed: a task added, a task
taken away, or the same task at another time; everyone else's week stands and they hear
nothing. A change made by hand to a published plan tells the one person it concerns.

The messages themselves are ``api.services.messages``'s: a publish tells through
``WeekPublished``, a change by hand through ``TaskAssigned`` / ``TaskCancelled``, each in the
caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from api.services import messages
from api.services.problem import LIVE_STATUSES, demand_ref_id
from models.base import utcnow
from models.post import Shift
from models.schedule import Assignment, RunStatus, ScheduleRun

#: kinds of message a person gets about their tasks
ADDED = "task_added"
REMOVED = "task_removed"
#: the channel the worker's settings point at
DEFAULT_CHANNEL = "default"

#: a task as a person sees it: the demand and its start
TaskKey = tuple[str, datetime]


@dataclass(slots=True)
class PersonChange:
    """What one person is told when a run is published."""

    person_id: int
    person_name: str
    added: list[Assignment] = field(default_factory=list)
    removed: list[Assignment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PublishPreview:
    run: ScheduleRun
    #: the plan it replaces, or None for the week's first publish
    replaces: ScheduleRun | None
    told: list[PersonChange]
    #: people with tasks in both plans, none of them changed: not told
    unchanged: int


def _live(session: Session, run: ScheduleRun | None) -> list[Assignment]:
    if run is None:
        return []
    return list(
        session.scalars(
            sa.select(Assignment)
            .where(Assignment.run_id == run.id, Assignment.status.in_(LIVE_STATUSES))
            .options(
                selectinload(Assignment.person),
                selectinload(Assignment.wish),
                selectinload(Assignment.activity),
                selectinload(Assignment.shift).selectinload(Shift.post),
            )
            .order_by(Assignment.starts_at, Assignment.id)
        )
    )


def _published(session: Session, run: ScheduleRun) -> ScheduleRun | None:
    return session.scalars(
        sa.select(ScheduleRun).where(
            ScheduleRun.community_id == run.community_id,
            ScheduleRun.week_start == run.week_start,
            ScheduleRun.status == RunStatus.PUBLISHED,
            ScheduleRun.id != run.id,
        )
    ).one_or_none()


def changes(session: Session, new: ScheduleRun, old: ScheduleRun | None) -> PublishPreview:
    """Who publishing ``new`` over ``old`` tells of what, person by person."""

    def tasks(run: ScheduleRun | None) -> dict[int, dict[TaskKey, Assignment]]:
        out: dict[int, dict[TaskKey, Assignment]] = defaultdict(dict)
        for a in _live(session, run):
            out[a.person_id][(demand_ref_id(a), a.starts_at)] = a
        return out

    now, before = tasks(new), tasks(old)
    told: list[PersonChange] = []
    unchanged = 0
    for person_id in sorted(set(now) | set(before)):
        mine, had = now.get(person_id, {}), before.get(person_id, {})
        added = [a for key, a in mine.items() if key not in had]
        removed = [a for key, a in had.items() if key not in mine]
        if not added and not removed:
            unchanged += 1
            continue
        name = (added or removed)[0].person.name
        told.append(PersonChange(person_id, name, added, removed))
    told.sort(key=lambda change: (change.person_name, change.person_id))
    return PublishPreview(run=new, replaces=old, told=told, unchanged=unchanged)


def preview(session: Session, run: ScheduleRun) -> PublishPreview:
    """What publishing this run would tell whom, against the week's published plan."""
    return changes(session, run, _published(session, run))


def tell(session: Session, assignment: Assignment, kind: str) -> None:
    """Tell the assignment's person of a task added or taken away by hand
    (``api.services.messages``, in the caller's transaction)."""
    session.flush()
    event: messages.TaskAssigned | messages.TaskCancelled = (
        messages.TaskAssigned(assignment_id=assignment.id)
        if kind == ADDED
        else messages.TaskCancelled(assignment_id=assignment.id)
    )
    messages.tell(session=session, event=event, now=utcnow())
