"""Publishing as a decision: who a publish tells of what, said before it is done.

A first publish tells everyone on the plan of their tasks. Publishing a corrected week (a new
draft over the published plan) tells only the people whose tasks changed: a task added, a task
taken away, or the same task at another time; everyone else's week stands and they hear
nothing. Which tasks those are is ``messages.publish_changes``, the rule the messages are sent
by, so the preview says exactly what the publish will tell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.services import messages
from models.schedule import Assignment, RunStatus, ScheduleRun


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


def _published(session: Session, run: ScheduleRun) -> ScheduleRun | None:
    return session.scalars(
        sa.select(ScheduleRun).where(
            ScheduleRun.community_id == run.community_id,
            ScheduleRun.week_start == run.week_start,
            ScheduleRun.status == RunStatus.PUBLISHED,
            ScheduleRun.id != run.id,
        )
    ).one_or_none()


def changes(new: ScheduleRun, old: ScheduleRun | None, now: datetime) -> PublishPreview:
    """Who publishing ``new`` over ``old`` tells of what, person by person; a task moved to
    another time shows as its old time removed and its new time added."""
    found: dict[int, PersonChange] = {}
    for change in messages.publish_changes(new, old, now):
        person = change.task.person
        theirs = found.setdefault(person.id, PersonChange(person.id, person.name))
        if change.kind == "task_cancelled":
            theirs.removed.append(change.task)
        else:
            theirs.added.append(change.task)
            if change.earlier is not None:
                theirs.removed.append(change.earlier)
    people = {
        a.person_id
        for run in (new, old)
        if run is not None
        for a in run.assignments
        if a.status in messages.TOLD_STATUSES and a.ends_at > now
    }
    told = sorted(found.values(), key=lambda change: (change.person_name, change.person_id))
    return PublishPreview(run=new, replaces=old, told=told, unchanged=len(people - set(found)))


def preview(session: Session, run: ScheduleRun, now: datetime) -> PublishPreview:
    """What publishing this run at ``now`` would tell whom, against the week's published
    plan."""
    return changes(run, _published(session, run), now)
