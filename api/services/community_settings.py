"""A community's settings (社区设置): read, and changed with an audit record."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.schemas.common import clock, minutes
from api.schemas.settings import CommunitySettings, CommunitySettingsUpdate
from api.services.changes import apply_changes
from api.services.errors import Invalid
from api.settings import Settings
from models.community import Community
from models.user import UserAccount

MINUTES_PER_DAY = 24 * 60


def read(community: Community, settings: Settings) -> CommunitySettings:
    """The community's settings, times as HH:MM, and the channels that reach it."""
    return CommunitySettings(
        community_id=community.id,
        name=community.name,
        timezone=community.timezone,
        auto_publish=community.auto_publish,
        draft_weekday=community.weekly_run_weekday,
        draft_time=clock(community.weekly_run_minute),
        radius_m=community.radius_m,
        visit_start=clock(community.visit_start_minute),
        visit_end=clock(community.visit_end_minute),
        quarter_minimum=community.quarter_minimum,
        channels=settings.channels_of(community.id),
    )


def update(
    *,
    session: Session,
    community: Community,
    data: CommunitySettingsUpdate,
    actor: UserAccount,
    settings: Settings,
) -> CommunitySettings:
    """Change the settings given (422 for visiting hours that end before they start, or a
    drafting time of 24:00); the change is audited."""
    given = data.model_dump(exclude_unset=True)
    changes: dict[str, object] = {}
    for key, value in given.items():
        if value is None:
            raise Invalid("不能为空", "Cannot be null", key)
    if "auto_publish" in given:
        changes["auto_publish"] = given["auto_publish"]
    if "draft_weekday" in given:
        changes["weekly_run_weekday"] = given["draft_weekday"]
    if "draft_time" in given:
        minute = minutes(given["draft_time"])
        if minute >= MINUTES_PER_DAY:
            raise Invalid(
                "起草时间须在 00:00–23:59 之间",
                "the drafting time must be 00:00–23:59",
                "draft_time",
            )
        changes["weekly_run_minute"] = minute
    if "radius_m" in given:
        changes["radius_m"] = float(given["radius_m"])
    if "quarter_minimum" in given:
        changes["quarter_minimum"] = given["quarter_minimum"]
    start = (
        minutes(given["visit_start"]) if "visit_start" in given else community.visit_start_minute
    )
    end = minutes(given["visit_end"]) if "visit_end" in given else community.visit_end_minute
    if start >= end:
        raise Invalid(
            "上门时段的结束须晚于开始",
            "visiting hours must end after they start",
            "visit_end" if "visit_end" in given else "visit_start",
        )
    if "visit_start" in given:
        changes["visit_start_minute"] = start
    if "visit_end" in given:
        changes["visit_end_minute"] = end
    apply_changes(
        session=session,
        row=community,
        changes=changes,
        set_fields=frozenset(),
        action="community.settings",
        actor=actor,
        community_id=community.id,
    )
    return read(community, settings)
