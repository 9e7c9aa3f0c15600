"""Error answers in Chinese or English, chosen by ``Accept-Language`` (Chinese by default):
the one place where a refusal (``api.services.errors``) becomes an HTTP answer.

Every error body has ``detail``: a message for 401/403/404/409/413/429, or for 422 a list with
one entry per bad field — ``loc`` (where), ``field`` (the field's dotted name), ``type`` and
``msg`` in the caller's language. An unknown id and an id outside the caller's scope get the
same 404 body, so a response never tells whether something exists elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.schemas.roster import RosterImportRejected, RosterRowError
from api.services import roster
from api.services.errors import (
    Busy,
    Conflict,
    Forbidden,
    Invalid,
    NotAuthenticated,
    NotFound,
    ServiceError,
    TooManyRequests,
    Unsupported,
)

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")


def language(accept_language: str | None) -> str:
    """``en`` when the caller prefers English to Chinese, else ``zh``."""
    best, best_q = "zh", 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # the earlier of two equal preferences wins
        q -= position * 1e-6
        if q > best_q:
            best, best_q = primary, q
    return best


def request_language(request: Request) -> str:
    return scope_language(request.scope)


def scope_language(scope: Scope) -> str:
    """The language a request asks for (``Accept-Language``), read from its ASGI scope: the
    middlewares have no ``Request``."""
    for name, value in scope["headers"]:
        if name == b"accept-language":
            return language(value.decode("latin-1"))
    return language(None)


# validation messages ----------------------------------------------------------------------

#: pydantic error type → (Chinese, English) message; ``{name}`` takes the error's ``ctx``
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必填", "Field required"),
    "string_too_short": ("至少 {min_length} 个字符", "At least {min_length} characters"),
    "string_too_long": ("最多 {max_length} 个字符", "At most {max_length} characters"),
    "string_pattern_mismatch": ("格式不正确", "Wrong format"),
    "string_type": ("应为文本", "Must be text"),
    "int_type": ("应为整数", "Must be a whole number"),
    "int_parsing": ("应为整数", "Must be a whole number"),
    "int_from_float": ("应为整数", "Must be a whole number"),
    "float_type": ("应为数字", "Must be a number"),
    "float_parsing": ("应为数字", "Must be a number"),
    "finite_number": ("应为有限的数字", "Must be a finite number"),
    "bool_type": ("应为 true 或 false", "Must be true or false"),
    "bool_parsing": ("应为 true 或 false", "Must be true or false"),
    "greater_than": ("应大于 {gt}", "Must be greater than {gt}"),
    "greater_than_equal": ("应不小于 {ge}", "Must be at least {ge}"),
    "less_than": ("应小于 {lt}", "Must be less than {lt}"),
    "less_than_equal": ("应不大于 {le}", "Must be at most {le}"),
    "date_type": ("应为日期，如 2025-03-01", "Must be a date like 2025-03-01"),
    "date_parsing": ("应为日期，如 2025-03-01", "Must be a date like 2025-03-01"),
    "date_from_datetime_parsing": ("应为日期，如 2025-03-01", "Must be a date like 2025-03-01"),
    "date_from_datetime_inexact": ("应为日期，如 2025-03-01", "Must be a date like 2025-03-01"),
    "literal_error": ("应为以下之一：{expected}", "Must be one of: {expected}"),
    "enum": ("应为以下之一：{expected}", "Must be one of: {expected}"),
    "list_type": ("应为列表", "Must be a list"),
    "too_long": ("最多 {max_length} 项", "At most {max_length} items"),
    "too_short": ("至少 {min_length} 项", "At least {min_length} items"),
    "model_type": ("应为对象", "Must be an object"),
    "model_attributes_type": ("应为对象", "Must be an object"),
    "dict_type": ("应为对象", "Must be an object"),
    "json_invalid": ("不是有效的 JSON", "Not valid JSON"),
    "json_type": ("不是有效的 JSON", "Not valid JSON"),
    "extra_forbidden": ("不接受此字段", "Unknown field"),
    "value_error": ("取值无效", "Invalid value"),
    "missing_body": ("缺少请求内容", "Request body required"),
    "page_too_large": ("每页最多 {le} 条", "At most {le} per page"),
}


def _field(loc: Sequence[Any]) -> str:
    """``("body", "consent", "accepted")`` → ``consent.accepted``; list positions kept."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or (str(loc[0]) if loc else "")


def translate(error: dict[str, Any], lang: str) -> dict[str, Any]:
    """One validation error as the API reports it."""
    kind = str(error.get("type", "value_error"))
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") or kind.startswith("tongxin_"):
        # our own validators word their messages as "中文 | English"
        text = str(ctx.get("error", "") or error.get("msg", ""))
        zh, _, en = text.partition(" | ")
        message = zh if lang == "zh" or not en else en
        if not zh:
            message = MESSAGES["value_error"][0 if lang == "zh" else 1]
        message = message.removeprefix("Value error, ")
    elif kind in MESSAGES:
        zh, en = MESSAGES[kind]
        try:
            message = (zh if lang == "zh" else en).format(**{k: str(v) for k, v in ctx.items()})
        except (KeyError, IndexError):
            message = zh if lang == "zh" else en
    else:
        message = (
            str(error.get("msg", "")) if lang == "en" else f"取值无效（{error.get('msg', '')}）"
        )
    loc = [p if isinstance(p, int | str) else str(p) for p in error.get("loc", ())]
    return {"loc": loc, "field": _field(loc), "type": kind, "msg": message}


# handlers ------------------------------------------------------------------------------------


def _json(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = request_language(request)
    errors = [translate(dict(e), lang) for e in exc.errors()]
    return _json(422, errors)


#: the HTTP status of each kind of refusal; a kind not listed (``ServiceError`` itself) is 400
STATUS: dict[type[ServiceError], int] = {
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unsupported: 415,
    Invalid: 422,
    TooManyRequests: 429,
    Busy: 503,
}


def status_of(error: ServiceError) -> int:
    return next((STATUS[kind] for kind in type(error).__mro__ if kind in STATUS), 400)


def invalid_detail(error: Invalid, lang: str) -> list[dict[str, Any]]:
    """A field at fault, in the shape of every other 422."""
    text = f"{error.zh} | {error.en}"
    entry = {"type": "value_error", "loc": error.loc, "msg": text, "ctx": {"error": text}}
    return [translate(entry, lang)]


def _roster_rejected(error: roster.RosterRejected, lang: str) -> JSONResponse:
    """422 in the project's shape (``detail``), with every bad cell under ``rows``."""
    listed = error.problems[: roster.MAX_REPORTED_PROBLEMS]
    summary = error.message(lang)
    if len(listed) < len(error.problems):
        summary += (
            f"（仅列出前 {len(listed)} 处）"
            if lang == "zh"
            else f" (the first {len(listed)} listed)"
        )
    body = RosterImportRejected(
        detail=[
            {"loc": ["body", "file"], "field": "file", "type": "tongxin_roster", "msg": summary}
        ],
        rows=[
            RosterRowError(row=p.row, column=p.column, value=p.value, msg=p.zh, msg_en=p.en)
            for p in listed
        ],
    )
    return JSONResponse(body.model_dump(), status_code=422)


async def _on_service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    lang = request_language(request)
    if isinstance(exc, roster.RosterRejected):
        return _roster_rejected(exc, lang)
    if isinstance(exc, Invalid):
        return _json(422, invalid_detail(exc, lang))
    return _json(status_of(exc), exc.message(lang), exc.headers or None)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    lang = request_language(request)
    if isinstance(exc.__cause__, BodyTooLarge):
        # FastAPI wraps a failed body read in a 400; the cause is the size limit
        return _json(413, BODY_TOO_LARGE[lang])
    known: dict[int, type[ServiceError]] = {
        401: NotAuthenticated,
        403: Forbidden,
        404: NotFound,
        409: Conflict,
        429: TooManyRequests,
    }
    if exc.status_code in known:
        detail: Any = known[exc.status_code]().message(lang)
    elif exc.status_code == 405:
        detail = "不支持此请求方法" if lang == "zh" else "Method not allowed"
    elif exc.status_code == 413:
        detail = BODY_TOO_LARGE[lang]
    else:
        detail = exc.detail
    return _json(exc.status_code, detail, dict(exc.headers) if exc.headers else None)


#: seconds a client is asked to wait when the server is busy
RETRY_AFTER_S = 2
#: what the databases say when a write waited too long for a lock (SQLite) or a
#: transaction lost a race it can retry (PostgreSQL)
BUSY_ERRORS = ("database is locked", "deadlock detected", "could not serialize", "lock timeout")


def busy(lang: str) -> JSONResponse:
    """503 with ``Retry-After``: nothing was written; the same request may simply be sent
    again."""
    return _json(503, Busy().message(lang), {"Retry-After": str(RETRY_AFTER_S)})


async def _on_pool_timeout(request: Request, exc: Exception) -> JSONResponse:
    log.warning("no database connection in time: %s", exc)
    return busy(request_language(request))


async def _on_operational_error(request: Request, exc: Exception) -> JSONResponse:
    if any(text in str(exc).lower() for text in BUSY_ERRORS):
        log.warning("database busy: %s", exc)
        return busy(request_language(request))
    raise exc


async def _on_integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # a constraint the validation did not foresee (or a race): refuse, never a 500
    log.info("integrity error answered with 409: %s", exc)
    return _json(409, Conflict().message(request_language(request)))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(ServiceError, _on_service_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(IntegrityError, _on_integrity_error)
    app.add_exception_handler(PoolTimeout, _on_pool_timeout)
    app.add_exception_handler(OperationalError, _on_operational_error)


# body size -----------------------------------------------------------------------------------

BODY_TOO_LARGE = {"zh": "请求内容过大", "en": "Request body too large"}


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse bodies above ``max_bytes`` with 413, by the header and by what actually arrives."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = None, False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await _json(413, BODY_TOO_LARGE[scope_language(scope)])(scope, receive, send)
                return
        if not chunked:
            # no body, or one of the declared length: the server reads no more than that
            await self.app(scope, receive, send)
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _json(413, BODY_TOO_LARGE[scope_language(scope)])(scope, receive, send)


#: the key in a request's ``state`` that holds its arrival (``time.monotonic()``)
ARRIVED = "arrived_at"


class Admission:
    """Let at most ``inside`` requests into the application at once; the rest wait their turn
    in arrival order, and are answered 503 with ``Retry-After`` after ``wait_seconds`` or at
    once while ``max_waiting`` are already waiting.

    An admitted request uses at most one request thread and one database connection at a
    time, so with ``inside`` no larger than the threads and the pool, no admitted request
    ever waits for either: a request holding a connection never waits for a thread held by
    one waiting for a connection. A refused request has not reached the application, so it
    wrote nothing and may simply be sent again.
    """

    def __init__(self, app: ASGIApp, inside: int, max_waiting: int, wait_seconds: float):
        self.app = app
        self.inside = inside
        self.max_waiting = max_waiting
        self.wait_seconds = wait_seconds
        self.admitted = 0
        self.waiting: deque[asyncio.Future[None]] = deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # when it arrived, for the deadline of its commit (``api.web.deps.get_session``)
        scope.setdefault("state", {})[ARRIVED] = time.monotonic()
        if self.admitted < self.inside and not self.waiting:
            self.admitted += 1  # a free place and nobody before it: in at once
        elif not await self._wait_turn():
            await busy(scope_language(scope))(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._leave()

    async def _wait_turn(self) -> bool:
        if len(self.waiting) >= self.max_waiting:
            return False
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            # the turn itself is awaited: ``wait_for`` around a ``shield`` costs every waiting
            # request another future and its callbacks, and under a burst most requests wait
            async with asyncio.timeout(self.wait_seconds):
                await turn
            return True
        except BaseException as error:  # the wait ran out, or the request was cancelled
            if turn.done() and not turn.cancelled():
                # the turn came as the wait ended: hand it on
                self._leave()
            else:  # cancelled with the wait
                turn.cancel()
                with contextlib.suppress(ValueError):
                    self.waiting.remove(turn)
            if isinstance(error, TimeoutError):
                return False
            raise

    def _leave(self) -> None:
        """Hand the slot to the first request still waiting, or give it back."""
        while self.waiting:
            turn = self.waiting.popleft()
            if turn.done():
                continue
            loop = turn.get_loop()
            if loop is _running_loop():
                turn.set_result(None)
            else:  # a waiter on another event loop (tests run apps on several)
                loop.call_soon_threadsafe(_give_turn, turn)
            return
        self.admitted -= 1


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _give_turn(turn: asyncio.Future[None]) -> None:
    if not turn.done():
        turn.set_result(None)
