"""A community's settings as the coordinator keeps them (社区设置): the weekly draft, the
walking radius, the visiting hours and the quarter's minimum. Times are HH:MM in the
community's own clock."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from api.schemas.common import Clock, Strict, Weekday

RadiusMetres = Annotated[float, Field(ge=100, le=5_000, allow_inf_nan=False)]
QuarterMinimum = Annotated[int, Field(ge=0, le=50)]


class CommunitySettings(BaseModel):
    community_id: int
    name: str
    timezone: str
    #: publish the weekly draft without a coordinator's review
    auto_publish: bool
    #: when the weekly draft is made: a weekday (Monday = 0) and a time
    draft_weekday: int
    draft_time: str
    radius_m: float
    visit_start: str
    visit_end: str
    quarter_minimum: int
    #: which channels reach the community in this deployment (``inbox``, ``email``, ``sms``,
    #: ``wecom``, ``dingtalk``): set up by whoever runs the server (``docs/messages.md``)
    channels: dict[str, bool]


class CommunitySettingsUpdate(Strict):
    """The settings to change; a field left out stays as it is."""

    auto_publish: bool | None = None
    draft_weekday: Weekday | None = None
    draft_time: Clock | None = None
    radius_m: RadiusMetres | None = None
    visit_start: Clock | None = None
    visit_end: Clock | None = None
    quarter_minimum: QuarterMinimum | None = None


class AuditEntry(BaseModel):
    """One change in the audit log, as a coordinator reads it: who, when, what and why. The
    rows' contents are not shown (they may hold private data); only the reason given."""

    id: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    reason: str
