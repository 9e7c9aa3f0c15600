"""``/me/messages``: the caller's inbox (every role), read one by one, and where it also goes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.schemas.messages import (
    Inbox,
    MessagePublic,
    MessageSettings,
    MessageSettingsUpdate,
    mask_email,
)
from api.services import messages
from api.web.clock import NowDep
from api.web.deps import CurrentUser, IdPath, PageDep, SessionDep
from models.user import UserRole

router = APIRouter(prefix="/me/messages", tags=["messages 消息"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "not the caller's message"}}


@router.get("", response_model=Inbox)
def list_messages(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    unread_only: Annotated[bool, Query(description="only the unread ones")] = False,
) -> Inbox:
    """The caller's messages, newest first, one page; ``unread`` counts all unread ones."""
    rows, total, unread = messages.inbox(
        session=session,
        user=user,
        limit=page.limit,
        offset=page.offset,
        unread_only=unread_only,
    )
    return Inbox(
        items=[MessagePublic.of(m) for m in rows],
        total=total,
        unread=unread,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/{message_id}/read", response_model=MessagePublic, responses=NOT_FOUND)
def read_message(
    session: SessionDep, user: CurrentUser, message_id: IdPath, now: NowDep
) -> MessagePublic:
    """Mark one of the caller's messages read (again: no change); another's answers 404."""
    message = messages.mark_read(session=session, user=user, message_id=message_id, now=now)
    return MessagePublic.of(message)


def _settings_of(session: SessionDep, user: CurrentUser) -> MessageSettings:
    target = user.person if user.role == UserRole.MEMBER and user.person else user
    return MessageSettings(
        email_masked=mask_email(target.email),
        language=target.language,
        unread=messages.unread_count(session=session, user=user),
    )


@router.get("/settings", response_model=MessageSettings)
def read_settings(session: SessionDep, user: CurrentUser) -> MessageSettings:
    """Where the caller's messages also go (the e-mail masked), their language, the unread
    count (the badge of the phone pages)."""
    return _settings_of(session, user)


@router.put("/settings", response_model=MessageSettings)
def update_settings(
    session: SessionDep, user: CurrentUser, data: MessageSettingsUpdate
) -> MessageSettings:
    """Set the e-mail messages also go to (empty: none), the language of messages, and for
    staff the name and work phone members are told to call."""
    messages.set_contact(
        session=session,
        user=user,
        email=data.email,
        language=data.language,
        display_name=data.display_name,
        phone=data.phone,
    )
    return _settings_of(session, user)
