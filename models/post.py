"""Service posts (服务岗位), their weekly shift templates, and the shifts made from them.

A post says what the duty is and how many people it needs; a template says when it recurs
("Saturday 08:30–11:30"); a shift is one occurrence on a real date, and is what people are
assigned to. ``generate_shifts`` turns a community's templates into a week's shifts and can be
run any number of times: the unique (post, start) pair keeps a second run from adding rows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, Timestamped, UTCDateTime, check, enum_type
from models.community import Community
from models.db import insert_ignoring_duplicates

if TYPE_CHECKING:
    from models.community import Grid


class TakeMode(StrEnum):
    """Who fills a post's shifts: the weekly plan, members claiming them (认领), or both."""

    BOTH = "both"
    OPTIMIZER = "optimizer"  # only the weekly plan: members cannot claim its shifts
    CLAIM = "claim"  # only members' claims: the weekly plan leaves its shifts to them


TAKE_MODE_ZH: dict[TakeMode, str] = {
    TakeMode.BOTH: "排班与认领",
    TakeMode.OPTIMIZER: "仅由排班安排",
    TakeMode.CLAIM: "仅由党员认领",
}


class Post(Timestamped, Base):
    __tablename__ = "post"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "external_id"),
        check("min_staff >= 0 AND max_staff >= 1 AND max_staff >= min_staff", "staff"),
        check("priority >= 0 AND priority <= 5", "priority"),
        check("radius_m IS NULL OR radius_m > 0", "radius_m"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("community.id", ondelete="RESTRICT"), index=True
    )
    grid_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("grid.id", ondelete="SET NULL"), index=True
    )
    #: 党员先锋岗, 治安巡逻, 垃圾分类督导 …
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(32), default="")
    #: where, in words: "红光社区党群服务中心"
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    #: 说明 and 需携带: what the people on shift are told on their task card and calendar
    instructions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    what_to_bring: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: the place of the directory it is at, if named
    place_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("place.id", ondelete="SET NULL"), index=True
    )
    lat: Mapped[float]
    lng: Mapped[float]
    party_members_only: Mapped[bool] = mapped_column(default=False)
    #: 定点定时定人: the same people on the same weekly shift, week after week (a soft goal)
    regular_crew: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: only this team's members staff it (a team-only post)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="SET NULL"))
    #: essential staff per shift
    min_staff: Mapped[int] = mapped_column(default=1)
    #: most staff per shift
    max_staff: Mapped[int] = mapped_column(default=1)
    priority: Mapped[float] = mapped_column(default=1.0)
    radius_m: Mapped[float | None]
    #: inactive posts keep their history but get no new shifts
    active: Mapped[bool] = mapped_column(default=True)
    #: who fills its shifts (``TakeMode``)
    take_mode: Mapped[TakeMode] = mapped_column(
        enum_type(TakeMode, "take_mode"), default=TakeMode.BOTH, server_default=TakeMode.BOTH.value
    )
    external_id: Mapped[str | None] = mapped_column(sa.String(64))

    community: Mapped[Community] = relationship()
    grid: Mapped[Grid | None] = relationship()
    templates: Mapped[list[ShiftTemplate]] = relationship(
        back_populates="post",
        order_by="(ShiftTemplate.weekday, ShiftTemplate.start_minute)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    skill_rows: Mapped[set[PostSkill]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    #: skills every person on shift needs
    required_skills: AssociationProxy[set[str]] = association_proxy(
        "skill_rows", "skill", creator=lambda skill: PostSkill(skill=skill)
    )

    def __repr__(self) -> str:
        return f"Post(id={self.id!r}, name={self.name!r})"


class PostSkill(Base):
    __tablename__ = "post_skill"

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("post.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(sa.String(32), primary_key=True)


class ShiftTemplate(Base):
    """A weekly recurrence of a post: weekday (Monday = 0), wall-clock minutes, end exclusive."""

    __tablename__ = "shift_template"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "weekday", "start_minute"),
        check("weekday BETWEEN 0 AND 6", "weekday"),
        check("start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440", "window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]

    post: Mapped[Post] = relationship(back_populates="templates")


class Shift(Timestamped, Base):
    """One occurrence of a post: a date and an aware start and end."""

    __tablename__ = "shift"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "starts_at"),
        check("ends_at > starts_at", "ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("post.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("shift_template.id", ondelete="SET NULL")
    )
    #: the local date of the shift in its community
    day: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    post: Mapped[Post] = relationship()
    template: Mapped[ShiftTemplate | None] = relationship()

    def __repr__(self) -> str:
        return f"Shift(id={self.id!r}, post_id={self.post_id!r}, starts_at={self.starts_at!r})"


def check_monday(week_start: date) -> date:
    if week_start.weekday() != 0:
        raise ValueError(
            f"一周须从周一开始，{week_start} 不是周一 (a week starts on a Monday; "
            f"{week_start} is not one)"
        )
    return week_start


def week_shifts(session: Session, community_id: int, week_start: date) -> list[Shift]:
    """The shifts of a community's posts in the week from Monday ``week_start``."""
    check_monday(week_start)
    return list(
        session.scalars(
            sa.select(Shift)
            .join(Shift.post)
            .where(
                Post.community_id == community_id,
                Shift.day >= week_start,
                Shift.day <= week_start + timedelta(days=6),
            )
            .order_by(Shift.starts_at, Shift.post_id)
        )
    )


def generate_shifts(session: Session, community_id: int, week_start: date) -> list[Shift]:
    """Make the week's shifts from the templates of the community's active posts.

    Idempotent, also when two callers race: rows whose (post, start) already exists are
    skipped by the database (``ON CONFLICT DO NOTHING``). Returns all the week's shifts.
    """
    check_monday(week_start)
    community = session.get(Community, community_id)
    if community is None:
        raise LookupError(f"没有编号为 {community_id} 的社区 (no community {community_id})")
    session.flush()
    templates = session.scalars(
        sa.select(ShiftTemplate)
        .join(ShiftTemplate.post)
        .where(Post.community_id == community_id, Post.active.is_(True))
    )
    rows: list[dict[str, Any]] = []
    for template in templates:
        day = week_start + timedelta(days=template.weekday)
        rows.append(
            {
                "post_id": template.post_id,
                "template_id": template.id,
                "day": day,
                "starts_at": community.local_datetime(day, template.start_minute),
                "ends_at": community.local_datetime(day, template.end_minute),
            }
        )
    # only what is missing: reading a week that has its shifts writes nothing
    have = {(s.post_id, s.starts_at) for s in week_shifts(session, community_id, week_start)}
    missing = [row for row in rows if (row["post_id"], row["starts_at"]) not in have]
    if missing:
        insert_ignoring_duplicates(session, Shift, missing, ["post_id", "starts_at"])
        session.flush()
    return week_shifts(session, community_id, week_start)
