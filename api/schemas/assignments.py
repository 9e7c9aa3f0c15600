"""A member's own assignments, and the beneficiary contact shown only on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, Field

from api.schemas.common import Strict, UTCTime
from matcher.domain import DemandKind
from models.calendar import Activity
from models.post import Post
from models.schedule import Assignment, AssignmentStatus
from models.wish import Wish

#: the only status in which the assignee sees the household's address and phone: they said
#: they will come, and have not yet served (a proposal may still be declined)
SEES_CONTACT = AssignmentStatus.CONFIRMED


class BeneficiaryContact(BaseModel):
    """Private: the household's name, address and phone. Only for the assignee of its wish
    once they confirmed and until the service is done, and for the coordinators of its
    community."""

    name: str
    address: str | None
    phone: str | None


class Contact(BaseModel):
    """Whom a member calls about a task: a coordinator's name and work phone."""

    name: str
    phone: str | None


class MyAssignment(BaseModel):
    id: int
    run_id: int
    week_start: date
    status: AssignmentStatus
    demand_kind: DemandKind
    demand_id: int
    role: int
    title: str
    #: where: the post's or the activity's place; for a wish the household's address, only
    #: while the assignee sees the contact (``SEES_CONTACT``), otherwise empty
    place: str
    #: 说明 and 需携带, as the coordinator wrote them on the post, activity or wish
    instructions: str = ""
    what_to_bring: str = ""
    #: the names of the others on the same shift, activity or wish
    teammates: list[str] = Field(default_factory=list)
    #: the community's coordinators to call (on the list and the calendar feed)
    coordinators: list[Contact] = Field(default_factory=list)
    starts_at: UTCTime
    ends_at: UTCTime
    hours_served: float | None
    #: taken by the member (认领, or accepting a seat offered after a decline)
    claimed: bool = False
    #: 签到 / 签退 times; hours logged without check-in wait for the coordinator's approval
    checked_in_at: UTCTime | None = None
    checked_out_at: UTCTime | None = None
    hours_requested: float | None = None
    #: metres between the phone and the place at check-in, when the phone gave its location
    check_in_distance_m: float | None = None
    #: the household to visit, on a confirmed wish assignment not yet done
    beneficiary: BeneficiaryContact | None

    @classmethod
    def of(
        cls,
        assignment: Assignment,
        *,
        teammates: Sequence[str] = (),
        coordinators: Sequence[Contact] = (),
    ) -> MyAssignment:
        title, place, contact = "", "", None
        told: Post | Activity | Wish | None = None
        if assignment.wish is not None:
            wish = told = assignment.wish
            title = wish.title
            if assignment.status == SEES_CONTACT:
                household = wish.household
                contact = BeneficiaryContact(
                    name=household.name, address=household.address, phone=household.phone
                )
                place = household.address or ""
        elif assignment.shift is not None:
            told = assignment.shift.post
            title, place = told.name, told.place
        elif assignment.activity is not None:
            told = assignment.activity
            title, place = told.name, told.place
        return cls(
            id=assignment.id,
            run_id=assignment.run_id,
            week_start=assignment.run.week_start,
            status=assignment.status,
            demand_kind=assignment.demand_kind,
            demand_id=assignment.demand_id or 0,
            role=assignment.role,
            title=title,
            place=place,
            instructions=told.instructions if told else "",
            what_to_bring=told.what_to_bring if told else "",
            teammates=list(teammates),
            coordinators=list(coordinators),
            starts_at=assignment.starts_at,
            ends_at=assignment.ends_at,
            hours_served=assignment.hours_served,
            claimed=assignment.claimed,
            checked_in_at=assignment.checked_in_at,
            checked_out_at=assignment.checked_out_at,
            hours_requested=assignment.hours_requested,
            check_in_distance_m=assignment.check_in_distance_m,
            beneficiary=contact,
        )


class CalendarFeed(BaseModel):
    """The address of a member's private calendar feed; None until they turn it on."""

    #: https://…/api/v1/calendar/<secret>.ics, for apps that take an address
    url: str | None
    #: the same as webcal://…, which phones open in their calendar app to subscribe
    webcal_url: str | None


class HoursCreate(Strict):
    """Hours served on an assignment, more than 0 and at most 24."""

    hours: float = Field(gt=0, le=24, allow_inf_nan=False)


class HoursRejection(Strict):
    """Hours a coordinator does not vouch for; the reason is told to the member."""

    reason: str = Field("", max_length=500)


class HoursWaiting(BaseModel):
    """Hours a member logged without check-in, waiting for a coordinator: who, which task,
    how long they say, how long the task was."""

    assignment_id: int
    person_id: int
    person_name: str
    title: str
    starts_at: UTCTime
    ends_at: UTCTime
    task_hours: float
    hours_requested: float

    @classmethod
    def of(cls, assignment: Assignment, title: str) -> HoursWaiting:
        return cls(
            assignment_id=assignment.id,
            person_id=assignment.person_id,
            person_name=assignment.person.name,
            title=title,
            starts_at=assignment.starts_at,
            ends_at=assignment.ends_at,
            task_hours=round((assignment.ends_at - assignment.starts_at).total_seconds() / 3600, 2),
            hours_requested=assignment.hours_requested or 0.0,
        )


class DeclineCreate(Strict):
    reason: str = Field("", max_length=500)
