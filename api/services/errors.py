"""The one family of errors meant for a caller, each with its message in Chinese and English.

Service functions, the web app, the worker and the command line raise these and nothing else
for a refusal; ``api.web.errors`` turns them into HTTP answers (the status per class is kept
there), the command line prints them. An unknown id and an id outside the caller's scope raise
the same ``NotFound()`` (``api.services.scope``), so an answer never tells whether something
exists elsewhere.
"""

from __future__ import annotations

from typing import Literal

#: where a field at fault was sent: the body, the query string or the path
Location = Literal["body", "query", "path"]


class ServiceError(Exception):
    """A refusal with its message in both languages; ``headers`` are hints for the HTTP
    answer (``WWW-Authenticate``, ``Retry-After``)."""

    zh = "请求有误"
    en = "Bad request"

    def __init__(self, zh: str | None = None, en: str | None = None, **headers: str):
        self.zh = zh or type(self).zh
        self.en = en or type(self).en
        self.headers = headers
        super().__init__(f"{self.zh} ({self.en})")

    def message(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class NotAuthenticated(ServiceError):
    zh = "请先登录"
    en = "Not authenticated"


class Forbidden(ServiceError):
    """The caller's role may never do this, whatever the object."""

    zh = "当前账号无权进行此操作"
    en = "This account may not do that"


class NotFound(ServiceError):
    """Unknown, or outside the caller's scope: the two are never told apart."""

    zh = "未找到"
    en = "Not found"


class Conflict(ServiceError):
    """The request clashes with the state of the data (e.g. the week was published meanwhile)."""

    zh = "与现有数据冲突"
    en = "Conflicts with existing data"


class Unsupported(ServiceError):
    """The request sends a kind of content that is not accepted (a file of the wrong type)."""

    zh = "不支持此类内容"
    en = "Unsupported content"


class TooManyRequests(ServiceError):
    zh = "尝试次数过多，请稍后再试"
    en = "Too many attempts; try again later"


class Busy(ServiceError):
    """The server could not do it in time; nothing was written, and the same request may
    simply be sent again."""

    zh = "现在使用的人很多，请稍后再试"
    en = "Many people are using Tongxin right now; try again in a moment"


class Invalid(ServiceError):
    """A field holds something that does not fit (a grid of another community, a deadline
    before the earliest day …): ``field`` names it, ``location`` says where it was sent."""

    def __init__(self, zh: str, en: str, field: str = "", *, location: Location = "body"):
        self.field = field
        self.location = location
        super().__init__(zh, en)

    @property
    def loc(self) -> tuple[str, ...]:
        return (self.location, self.field or self.location)
