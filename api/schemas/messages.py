"""The inbox: a caller's messages, and where and in which language they also go."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, StringConstraints

from api.schemas.common import Name, Strict, fail
from api.schemas.people import Phone
from models.notification import Message

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    value = value.strip()
    if value and (not value.isprintable() or not _EMAIL.match(value)):
        raise fail("email", "电子邮箱格式不对，如 wang@example.com", "Not an e-mail address")
    return value


#: an e-mail address; empty clears it
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]


class MessagePublic(BaseModel):
    """One message of the caller's inbox, in the language it was written in."""

    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
    unread: bool

    @classmethod
    def of(cls, message: Message) -> MessagePublic:
        return cls(
            id=message.id,
            kind=message.kind,
            subject=message.subject,
            body=message.body,
            link=message.link,
            created_at=message.created_at,
            read_at=message.read_at,
            unread=message.read_at is None,
        )


class Inbox(BaseModel):
    """A page of the inbox, newest first, and how many of all are unread."""

    items: list[MessagePublic]
    total: int
    unread: int
    limit: int
    offset: int


def mask_email(email: str | None) -> str:
    """``wangfang@example.com`` → ``w*******@example.com``."""
    if not email:
        return ""
    name, _, domain = email.partition("@")
    return f"{name[:1]}{'*' * max(len(name) - 1, 1)}@{domain}"


class MessageSettings(BaseModel):
    """Where the caller's messages also go: the e-mail masked, the language."""

    email_masked: str
    language: str
    unread: int


class MessageSettingsUpdate(Strict):
    """Change where messages also go; a field left out stays as it is.

    ``display_name`` and ``phone`` are for coordinators and other staff: the name and work
    phone members are told to call. A member's own name and phone are in their profile.
    """

    email: Email | None = None
    language: Literal["zh", "en"] | None = None
    display_name: Name | None = None
    phone: Phone | Literal[""] | None = None
