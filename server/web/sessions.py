"""Server-side sessions: a random id in an HttpOnly cookie, stored hashed in PostgreSQL."""

from __future__ import annotations

import hashlib
import secrets

from starlette.requests import Request
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


async def current_account(request: Request) -> int | None:
    """The signed-in account, looked up once per request."""
    if hasattr(request.state, "account_id"):
        return request.state.account_id  # type: ignore[no-any-return]
    account_id: int | None = None
    time_zone = "UTC"
    token = request.cookies.get(COOKIE_NAME)
    if token and len(token) < 100:
        row = await request.app.state.sql.run(
            request.app.state.pool, "sessions.account_for", token_hash=hash_token(token)
        )
        if row is not None:
            account_id, time_zone = row["account_id"], row["time_zone"]
            request.state.due_count = row["due_count"]
    request.state.account_id = account_id
    request.state.time_zone = time_zone
    return account_id


def time_zone(request: Request) -> str:
    """The signed-in person's time zone (after ``current_account``), else UTC."""
    return getattr(request.state, "time_zone", "UTC")
