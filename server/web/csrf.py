"""CSRF protection: a signed double-submit token, checked on every state-changing request.

A pure ASGI middleware gives each browser a token cookie (no server state, so a
link preview that opens a page still creates nothing). Forms send the token in
a hidden field; htmx sends it in the ``X-CSRF-Token`` header via ``hx-headers``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "ro_csrf"
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"
MAX_AGE_SECONDS = 400 * 24 * 3600


class CSRFError(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            403, "This page was open too long or came from another site. Reload it and try again."
        )


def _signature(key: bytes, nonce: str) -> str:
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()[:32]


def _valid(key: bytes, token: str) -> bool:
    nonce, _, signature = token.partition(".")
    return bool(nonce) and hmac.compare_digest(signature, _signature(key, nonce))


class CSRFCookieMiddleware:
    """Makes ``request.state.csrf_token`` available, setting the cookie when it is new."""

    def __init__(self, app: ASGIApp, secret_key: str, *, secure: bool) -> None:
        self.app = app
        self.key = hmac.new(secret_key.encode(), b"csrf", hashlib.sha256).digest()
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = ""
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # noqa: S112 - a garbled cookie header just means no token
                    continue
                if COOKIE_NAME in cookie and _valid(self.key, cookie[COOKIE_NAME].value):
                    token = cookie[COOKIE_NAME].value
        is_new = not token
        if is_new:
            nonce = secrets.token_urlsafe(18)
            token = f"{nonce}.{_signature(self.key, nonce)}"
        scope.setdefault("state", {})["csrf_token"] = token
        scope["state"]["csrf_cookie_is_new"] = is_new

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and is_new:
                headers = MutableHeaders(scope=message)
                parts = [
                    f"{COOKIE_NAME}={token}",
                    "Path=/",
                    f"Max-Age={MAX_AGE_SECONDS}",
                    "HttpOnly",
                    "SameSite=Lax",
                ]
                if self.secure:
                    parts.append("Secure")
                headers.append("set-cookie", "; ".join(parts))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def verify(request: Request, submitted: str | None) -> None:
    """Raise ``CSRFError`` unless the submitted token matches this browser's cookie."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CSRFError()
    if request.state.csrf_cookie_is_new:
        # The browser sent no valid token cookie, so nothing it submits can match.
        raise CSRFError()
    expected: str = request.state.csrf_token
    if not submitted or not hmac.compare_digest(submitted.encode(), expected.encode()):
        raise CSRFError()
