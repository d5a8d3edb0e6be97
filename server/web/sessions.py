"""Server-side sessions: a random id in an HttpOnly cookie, stored hashed in PostgreSQL.

The viewer each request belongs to is resolved from it in ``server.web.auth``.
"""

from __future__ import annotations

import hashlib
import secrets

from starlette.responses import Response

COOKIE_NAME = "ro_session"
# Chrome caps cookie lifetimes at 400 days; there is no password to fall back on.
MAX_AGE_SECONDS = 400 * 24 * 3600


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> tuple[str, bytes]:
    """A fresh session id for the cookie, and the hash that the database keeps."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
