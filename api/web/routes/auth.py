"""Login: the OAuth2 password flow (``POST /auth/token``) gives a short-lived bearer token."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.schemas.common import has_control_characters
from api.schemas.people import as_mobile
from api.services import people
from api.services.errors import Invalid, NotAuthenticated, TooManyRequests
from api.services.security import (
    LoginThrottle,
    create_access_token,
    hash_password,
    needs_rehash,
    verify_password,
)
from api.web.deps import SessionDep, SettingsDep
from models.base import utcnow
from models.crypto import blind_index
from models.user import UserAccount

router = APIRouter(tags=["auth 登录"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    #: seconds until the token expires
    expires_in: int


@router.post(
    "/auth/token",
    response_model=Token,
    responses={401: {"description": "wrong username or password"}, 429: {"description": ""}},
)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """Exchange a login and password for a bearer token (form fields, as OAuth2 says). The
    ``username`` field takes the mobile number a member registered with, or a username."""
    for field, value in (("username", form.username), ("password", form.password)):
        if has_control_characters(value):
            raise Invalid("不能包含控制字符", "Must not contain control characters", field)
    throttle: LoginThrottle = request.app.state.login_throttle
    phone = as_mobile(form.username)
    # a phone is counted by its blind index: the failures table never holds a phone
    username = f"tel:{blind_index(phone)[:40]}" if phone else form.username.strip().lower()[:64]
    address = request.client.host if request.client else ""
    now = utcnow()
    wait = throttle.retry_after(session, username=username, address=address, now=now)
    if wait:
        raise TooManyRequests(**{"Retry-After": str(wait)})

    user = None
    if phone:
        user = people.account_by_phone(session, phone)
    if user is None and 0 < len(username) <= 64:
        # an older account's username (which may be made of digits too)
        name = form.username.strip().lower()[:64]
        user = session.scalars(
            sa.select(UserAccount).where(UserAccount.username == name)
        ).one_or_none()
    # the hash is checked even for an unknown user, so timing does not reveal who exists
    ok = verify_password(form.password, user.password_hash if user else None)
    if user is None or not ok or not user.active:
        # kept although the request is refused: nothing else of it was written
        throttle.failed(session, username=username, address=address, now=now)
        session.commit()
        raise NotAuthenticated(
            "手机号（用户名）或密码错误",
            "Wrong mobile number (username) or password",
            **{"WWW-Authenticate": "Bearer"},
        )
    throttle.succeeded(session, username=username)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(form.password)
    user.last_login_at = utcnow()
    token = create_access_token(
        user.id, secret_key=settings.secret_key, minutes=settings.access_token_minutes
    )
    return Token(access_token=token, expires_in=settings.access_token_minutes * 60)
