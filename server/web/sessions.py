"""Server-side sessions: a random id in an HttpOnly cookie, stored hashed in PostgreSQL.

The viewer each request belongs to is resolved from it in ``server.web.auth``.

Over https the cookie is ``__Host-ro_session``: a browser takes a cookie of that name only
from our own origin over https, with ``Secure``, ``Path=/`` and no ``Domain``, so a sibling
subdomain or a plain-http page cannot plant a session of its choosing. Over http (``make
run``, tests on http://localhost) it keeps the plain name, which browsers would not accept
with the prefix. Sessions from before the prefix arrive once under the old name and leave
with the new one (``SessionCookieUpkeep``).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "ro_session"  # over http, and the name sessions had before the prefix
HOST_COOKIE_NAME = "__Host-ro_session"  # over https
# Set by auth's backend on a request that came with only the old name over https: the
# session's token to give the new name (empty when that session is not one to keep).
RENAME_SCOPE_KEY = "reachout.old_session_cookie"
# Chrome caps cookie lifetimes at 400 days; there is no password to fall back on. The server
# ends a session unused that long too: session_max_age() and session_in_use() in sql/logic.sql
# are the rule every query reads; tests/db/test_session_in_use.py holds the two equal.
MAX_AGE_SECONDS = 400 * 24 * 3600


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> tuple[str, bytes]:
    """A fresh session id for the cookie, and the hash that the database keeps."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def cookie_name(secure: bool) -> str:
    return HOST_COOKIE_NAME if secure else COOKIE_NAME


# The Set-Cookie header Starlette's ``Response.set_cookie`` writes for ``set_cookie``'s
# arguments (http.cookies sorts the attributes by name), around the token. Written straight,
# as building a SimpleCookie for it took some 8 µs of every swap; tests/web/test_fast_paths.py
# holds the two byte for byte.
_COOKIE_ATTRIBUTES = f"; HttpOnly; Max-Age={MAX_AGE_SECONDS}; Path=/; SameSite=lax"
_COOKIE_AROUND = {
    secure: (
        f"{cookie_name(secure)}=".encode(),
        (_COOKIE_ATTRIBUTES + ("; Secure" if secure else "")).encode(),
    )
    for secure in (False, True)
}
# Tokens http.cookies writes as they are, never quoted: ours (secrets.token_urlsafe) always.
# Any other (an old cookie's, as a browser sent it) is left to Starlette, which quotes it
# where http.cookies would.
_AS_IT_IS = re.compile(r"[A-Za-z0-9_-]+")


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    if _AS_IT_IS.fullmatch(token):
        name, attributes = _COOKIE_AROUND[secure]
        response.raw_headers.append((b"set-cookie", name + token.encode() + attributes))
        return
    response.set_cookie(
        cookie_name(secure),
        token,
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def delete_cookie(response: Response, *, secure: bool) -> None:
    """Forget the session cookie, under both names over https."""
    for name in {cookie_name(secure), COOKIE_NAME}:
        response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")


class SessionCookieUpkeep:
    """What the session cookie needs on a response's way out, unless the handler set or
    deleted it itself (signing in or out). Over https, a request that came with the old cookie
    name leaves with the new one (the same session) and the old one deleted. A page opened in
    a browser signed out from another (Settings, for a lost phone) or whose account was
    deleted from another (``Viewer.signed_out``) tells it to forget the cookie and its copies
    (the offline pages: my contacts, their notes), as a browser signing itself out is told;
    only a page opened (a navigation), which says why, not a request in the background."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_upkeep(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = scope.get(RENAME_SCOPE_KEY)
                if token is not None:
                    _rename(MutableHeaders(scope=message), token)
                if getattr(scope.get("user"), "signed_out", False):
                    _forget_signed_out(scope, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_upkeep)


def _rename(headers: MutableHeaders, token: str) -> None:
    cookies = Response()
    handled = any(
        value.startswith(f"{HOST_COOKIE_NAME}=") for value in headers.getlist("set-cookie")
    )
    if token and not handled:
        set_cookie(cookies, token, secure=True)
    cookies.delete_cookie(COOKIE_NAME, path="/", secure=True, httponly=True)
    for value in cookies.headers.getlist("set-cookie"):
        headers.append("set-cookie", value)


def _forget_signed_out(scope: Scope, headers: MutableHeaders) -> None:
    navigation = (b"sec-fetch-mode", b"navigate") in scope["headers"]
    if navigation and headers.get("content-type", "").startswith("text/html"):
        headers["clear-site-data"] = CLEAR_SITE_DATA


# Everything of ours in the browser: the cookie, the offline copies of my pages, the service
# worker and what it queued.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'
