"""签到 / 签退: checking in and out of a shift, an activity or a wish visit with its code.

Each demand has a short check-in code, the same for everyone on it: the coordinator prints it
(as a QR code of the phone page's address) or reads it out at the place. The code is derived
from the demand and the deployment's secret, so nothing is stored and nobody can work it out
from another demand's code. Checking in records the time (and, when the phone gave its
location, the distance from the place); checking out records the time and the hours served,
and the task is done; a wish visit checked out is done and due for its follow-up visit (回访).
Hours logged without checking in wait for a coordinator (``assignments.log_hours``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from api.services import assignments
from api.services.errors import Conflict, Invalid, NotFound
from api.services.scope import own_assignments
from matcher.domain import DemandKind
from matcher.rules import haversine_m
from models import audit
from models.person import Person
from models.schedule import Assignment, AssignmentStatus
from models.user import UserAccount

#: letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
#: how early before the start a member may check in
EARLY = timedelta(hours=1)
#: how long after the end a member may still check out
LATE = timedelta(hours=3)
#: farther than this from the place, a check-in is marked for the coordinator to look at
NEAR_M = 300.0
#: hours are counted in quarters of an hour
QUARTER = 0.25


def code_for(*, demand_kind: DemandKind | str, demand_id: int, secret_key: str) -> str:
    """The check-in code of one demand: six letters and digits, the same every time."""
    digest = hmac.new(
        secret_key.encode(),
        f"tongxin check-in v1:{DemandKind(demand_kind).value}:{demand_id}".encode(),
        hashlib.sha256,
    ).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


def assignment_code(assignment: Assignment, secret_key: str) -> str:
    """The check-in code of the assignment's demand."""
    demand_id = assignment.demand_id
    assert demand_id is not None
    return code_for(demand_kind=assignment.demand_kind, demand_id=demand_id, secret_key=secret_key)


def _normal(code: str) -> str:
    return "".join(code.split()).upper()


def place_of(assignment: Assignment) -> tuple[float, float] | None:
    """Where the task happens: the wish's household, the post, the activity's place."""
    if assignment.wish is not None:
        return assignment.wish.lat, assignment.wish.lng
    if assignment.shift is not None:
        return assignment.shift.post.lat, assignment.shift.post.lng
    if assignment.activity is not None:
        return assignment.activity.lat, assignment.activity.lng
    return None


def distance_from_place(assignment: Assignment, lat: float, lng: float) -> float | None:
    place = place_of(assignment)
    if place is None:
        return None
    return round(float(haversine_m(lat, lng, place[0], place[1])), 1)


def _matching(
    session: Session, person: Person, code: str, secret_key: str, statuses: tuple[str, ...]
) -> list[Assignment]:
    wanted = _normal(code)
    rows = session.scalars(
        own_assignments(person.id)
        .where(Assignment.status.in_(statuses))
        .order_by(Assignment.starts_at, Assignment.id)
    )
    return [a for a in rows if hmac.compare_digest(assignment_code(a, secret_key), wanted)]


def _wrong_code() -> Invalid:
    return Invalid(
        "签到码不对，或这不是你的任务；请核对现场张贴的签到码",
        "The check-in code does not match any of your tasks; check the code posted at the place",
        "code",
    )


def check_in(
    *,
    session: Session,
    person: Person,
    code: str,
    secret_key: str,
    actor: UserAccount,
    now: datetime,
    lat: float | None = None,
    lng: float | None = None,
) -> Assignment:
    """Check in to the member's task with this code, from an hour before it starts to its end;
    arriving is saying yes, so a proposed task is confirmed."""
    found = _matching(
        session,
        person,
        code,
        secret_key,
        (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED),
    )
    if not found:
        raise _wrong_code()
    due = [a for a in found if a.starts_at - EARLY <= now <= a.ends_at]
    if not due:
        later = [a for a in found if a.starts_at - EARLY > now]
        if later:
            raise Conflict(
                "还没到签到时间：开始前一小时内可以签到",
                "Too early: check in within the hour before the start",
            )
        raise Conflict(
            "任务已结束，不能再签到；请登记服务时长，由协调人确认",
            "The task is over; log your hours and the coordinator will approve them",
        )
    assignment = next((a for a in due if a.checked_in_at is None), None)
    if assignment is None:
        raise Conflict("你已签到", "You have already checked in")
    before = audit.snapshot(assignment)
    if assignment.status == AssignmentStatus.PROPOSED:
        assignment.advance(AssignmentStatus.CONFIRMED)
    assignment.checked_in_at = now
    if lat is not None and lng is not None:
        assignment.check_in_distance_m = distance_from_place(assignment, lat, lng)
    audit.record(
        session,
        action="assignment.check_in",
        row=assignment,
        actor=actor,
        community_id=assignment.run.community_id,
        before=before,
    )
    return assignment


def served_hours(assignment: Assignment, until: datetime) -> float:
    """The hours from check-in to ``until`` in quarters of an hour (at least one quarter), at
    most the task's length plus the margin a member may log themselves."""
    assert assignment.checked_in_at is not None
    start = max(assignment.checked_in_at, assignment.starts_at)
    hours = max((until - start).total_seconds() / 3600, 0.0)
    quarters = max(math.floor(hours / QUARTER + 0.5) * QUARTER, QUARTER)
    return min(quarters, round(assignments.task_hours(assignment) + assignments.HOURS_MARGIN, 2))


def check_out(
    *,
    session: Session,
    person: Person,
    code: str,
    secret_key: str,
    actor: UserAccount,
    now: datetime,
    lat: float | None = None,
    lng: float | None = None,
) -> Assignment:
    """Check out of the task checked in with this code: the hours are recorded and the task is
    done (a wish visit: the wish is done, due for its follow-up visit)."""
    found = _matching(
        session,
        person,
        code,
        secret_key,
        (AssignmentStatus.PROPOSED, AssignmentStatus.CONFIRMED),
    )
    if not found:
        raise _wrong_code()
    assignment = next(
        (a for a in found if a.checked_in_at is not None and a.checked_out_at is None), None
    )
    if assignment is None:
        raise Conflict("请先签到，再签退", "Check in first, then check out")
    if now > assignment.ends_at + LATE:
        raise Conflict(
            "签退时间已过；请登记服务时长，由协调人确认",
            "Too late to check out; log your hours and the coordinator will approve them",
        )
    assignment.checked_out_at = now
    if lat is not None and lng is not None and assignment.check_in_distance_m is None:
        assignment.check_in_distance_m = distance_from_place(assignment, lat, lng)
    return assignments.record_hours(
        session=session, assignment=assignment, hours=served_hours(assignment, now), actor=actor
    )


def managed_code(assignment: Assignment, secret_key: str) -> str:
    """The code of an assignment's demand, for its coordinator's page."""
    if assignment.demand_id is None:
        raise NotFound()
    return assignment_code(assignment, secret_key)
