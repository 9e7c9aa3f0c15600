"""What a password must be: at least 8 characters, not blank, no control characters, not the
username, and not one of the passwords people try first."""

from __future__ import annotations

from api.schemas.common import fail, has_control_characters

MIN_LENGTH = 8

#: the passwords tried first by anyone guessing (the most common in published leaks, and
#: their Chinese favourites); compared in lower case, spaces ignored
COMMON = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "87654321",
        "11111111",
        "00000000",
        "88888888",
        "66666666",
        "12341234",
        "11223344",
        "12344321",
        "123123123",
        "147258369",
        "123qweasd",
        "1qaz2wsx",
        "qwertyui",
        "qwertyuiop",
        "asdfghjk",
        "asdfasdf",
        "zxcvbnm1",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "iloveyou",
        "abc12345",
        "abcd1234",
        "a1234567",
        "a12345678",
        "aa123456",
        "qq123456",
        "woaini1314",
        "woaini520",
        "5201314520",
        "1314520520",
        "admin123",
        "administrator",
        "welcome1",
        "letmein1",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "monkey123",
        "dragon123",
        "superman",
        "trustno1",
        "changeme",
        "default1",
        "tongxin1",
        "tongxin123",
        "tongxin-demo",
        "11112222",
    ]
)


def check_password(password: str, username: str = "", *, phone: str = "") -> str:
    """The password if it may be used; else a validation error saying why, in both languages."""
    if has_control_characters(password):
        raise fail(
            "password", "密码不能包含控制字符", "The password must not contain control characters"
        )
    if len(password) < MIN_LENGTH:
        raise fail(
            "password",
            f"密码至少 {MIN_LENGTH} 个字符",
            f"At least {MIN_LENGTH} characters",
        )
    if not password.strip():
        raise fail("password", "密码不能全是空格", "The password cannot be only spaces")
    folded = "".join(password.lower().split())
    if username and folded == "".join(username.lower().split()):
        raise fail("password", "密码不能与用户名相同", "The password cannot be the username")
    if phone and folded == "".join(phone.split()):
        raise fail("password", "密码不能与手机号相同", "The password cannot be the mobile number")
    if folded in COMMON or len(set(folded)) <= 2:
        raise fail(
            "password",
            "这个密码太常见，很容易被猜到，请换一个",
            "This password is too common and easily guessed; choose another",
        )
    return password
