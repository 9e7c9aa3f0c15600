"""Service functions between the routes and the data: rows to matcher objects and back, runs,
overrides, publishing, replacements and reports.

Each function takes keyword-only arguments, starting with ``session``. Errors a client should
see are ``ServiceError`` subclasses carrying a message in Chinese and English.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An error meant for the client: a message in Chinese and one in English."""

    def __init__(self, zh: str, en: str):
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} ({en})")


class NotFound(ServiceError):
    """The object does not exist (or, to the caller, might as well not)."""


class Conflict(ServiceError):
    """The request clashes with the state of the data (e.g. the week was published meanwhile)."""


class Invalid(ServiceError):
    """The request names things that do not fit together (a person of another community…).

    ``field`` names the request field at fault, when there is one.
    """

    def __init__(self, zh: str, en: str, field: str = ""):
        self.field = field
        super().__init__(zh, en)
