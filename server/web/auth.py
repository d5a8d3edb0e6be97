"""Who is asking: the viewer, resolved once per request from the session cookie, and the guards
handlers declare (modelled on ``starlette.authentication.requires``)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from server.db.pool import DATABASE_AWAY
from server.web import errors, sessions
from server.web.client import client_ip
from server.web.sessions import hash_token
from server.web.urls import url_path

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Viewer(BaseUser):
    """The person behind this request: their account (None when they have none yet), the
    time zone their pages use, and how many follow-ups and requests wait for them."""

    account_id: int | None = None
    time_zone: str = "UTC"
    # Follow-ups due plus requests waiting: the number on the Follow-ups tab (Requests is
    # reached from it) and on the app icon. The tab says which is which: a request is not due.
    due_count: int = 0
    session_id: int | None = None  # this browser's session, as Settings lists it
    # Requests to connect, and people who left details on a card that asks first, to accept.
    requests_waiting: int = 0
    reminders_by: str = ""  # as Settings chose: "" (automatic), push, email, both, neither
    followups_due: int = 0  # open follow-ups due now
    # No account, but a session cookie that no longer opens one: this browser was signed out
    # elsewhere (Settings on another device), or its account deleted. Pages say so.
    signed_out: bool = False
    # Signed out because its account was deleted from another browser: pages say that, and
    # the browser is told to forget its copies (sessions.SessionCookieUpkeep).
    account_deleted: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.account_id is not None

    @property
    def display_name(self) -> str:
        return ""

    @property
    def identity(self) -> str:
        return "" if self.account_id is None else str(self.account_id)


ANONYMOUS = Viewer()
SIGNED_OUT = Viewer(signed_out=True)
ACCOUNT_DELETED = Viewer(signed_out=True, account_deleted=True)


class SessionBackend(AuthenticationBackend):
    """Looks the session cookie up in PostgreSQL, so every process sees every session."""

    def __init__(
        self, static_prefix: str, same_for_everyone: Iterable[str] = (), *, secure: bool = False
    ) -> None:
        # Static files, and the paths that answer the same whoever asks (the health check, the
        # service worker, the manifest, the Tap screen's clock), are spared the query: they are
        # asked for often, and the health check and the clock must answer while the database
        # is away.
        self.static_prefix = static_prefix
        self.same_for_everyone = frozenset(same_for_everyone)
        self.secure = secure  # https: the cookie is __Host-ro_session (web/sessions.py)

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        token = conn.cookies.get(sessions.cookie_name(self.secure))
        old_name = False
        if not token and self.secure:
            token = conn.cookies.get(sessions.COOKIE_NAME)
            old_name = token is not None
        if not token or len(token) >= 100:
            return AuthCredentials(), ANONYMOUS
        path = conn.url.path
        if path.startswith(self.static_prefix) or path in self.same_for_everyone:
            return AuthCredentials(), ANONYMOUS
        state = conn.app.state
        try:
            row = await state.sql.run(
                state.pool, "sessions.account_for", token_hash=hash_token(token)
            )
        except DATABASE_AWAY as away:
            # Answered by errors.authentication_error: 503 "Back in a moment", no traceback.
            raise errors.DatabaseAwayWhileAuthenticating(str(away)) from away
        if old_name:
            # Only a session from before the prefix may come under the old name: a newer one
            # was set as __Host-, so under the old name it was planted by someone else.
            try:
                kept = row is not None and await state.sql.run(
                    state.pool, "sessions.began_before_host_cookie", token_hash=hash_token(token)
                )
            except DATABASE_AWAY as away:
                raise errors.DatabaseAwayWhileAuthenticating(str(away)) from away
            conn.scope[sessions.RENAME_SCOPE_KEY] = token if kept else ""
            if not kept:
                return AuthCredentials(), ANONYMOUS
        if row is None:
            try:
                deleted = await state.sql.run(
                    state.pool, "sessions.of_deleted_account", token_hash=hash_token(token)
                )
            except DATABASE_AWAY as away:
                raise errors.DatabaseAwayWhileAuthenticating(str(away)) from away
            return AuthCredentials(), ACCOUNT_DELETED if deleted else SIGNED_OUT
        if row["stale"]:
            # What Settings shows of this browser, written at most hourly, not per request.
            with contextlib.suppress(*DATABASE_AWAY):
                await state.sql.run(
                    state.pool,
                    "sessions.touch",
                    session_id=row["session_id"],
                    user_agent=conn.headers.get("user-agent", "")[:300],
                    ip=client_ip(conn) or "",
                )
        viewer = Viewer(
            account_id=row["account_id"],
            time_zone=row["time_zone"],
            due_count=row["due_count"],
            session_id=row["session_id"],
            requests_waiting=row["requests_waiting"],
            reminders_by=row["reminders_by"],
            followups_due=row["followups_due"],
        )
        return AuthCredentials(["signed_in"]), viewer


def viewer(conn: HTTPConnection) -> Viewer:
    """This request's viewer; anonymous before the middleware ran (an early refusal)."""
    user = conn.scope.get("user")
    return user if isinstance(user, Viewer) else ANONYMOUS


def signed_in_account(conn: HTTPConnection) -> int:
    """The signed-in account, in a handler guarded by ``signed_in``."""
    found = viewer(conn).account_id
    if found is None:  # pragma: no cover - the guard answered first
        raise HTTPException(403, "Make your card first.")
    return found


def signed_in_session(conn: HTTPConnection) -> tuple[int, int]:
    """The signed-in account and this browser's session, in a handler guarded by
    ``signed_in`` (what a proof that it is them belongs to: ``server/signin/proving.py``)."""
    session_id = viewer(conn).session_id
    if session_id is None:  # pragma: no cover - the guard answered first
        raise HTTPException(403, "Make your card first.")
    return signed_in_account(conn), session_id


def signed_in(
    *,
    status_code: int = 403,
    message: str = "Make your card first.",
    redirect: str | None = None,
    then: str | None = None,
) -> Callable[[Handler], Handler]:
    """Guard a handler: without an account, a GET is redirected to the route named
    ``redirect`` (when given; with ``?then=<then>``, the page to go on to afterwards, which
    the card page knows: ``server.cards.continuing``); anything else gets ``status_code``
    with ``message``, or, from a browser signed out since (``Viewer.signed_out``), 403 saying
    so, with Sign in (``errors.SignedOutHere``)."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request) -> Response:
            seen = viewer(request)
            if seen.account_id is None:
                reading = request.method in ("GET", "HEAD")
                if redirect is not None and reading:
                    url = url_path(request, redirect) + (f"?then={then}" if then else "")
                    return RedirectResponse(url, status_code=303)
                if seen.signed_out:
                    raise errors.SignedOutHere(deleted=seen.account_deleted, changing=not reading)
                raise errors.NoCard(status_code, message)
            return await handler(request)

        return guarded

    return decorate


async def tab_count(request: Request) -> dict[str, int]:
    """The Follow-ups tab's number as it is now (``due_count``, with ``followups_due`` and
    ``requests_waiting``, as ``viewer_context`` names them), for an answer in place after what
    changed it: the viewer read it as the request began."""
    state = request.app.state
    row = await state.sql.run(
        state.pool, "sessions.tab_count", account_id=signed_in_account(request)
    )
    return dict(row)


def viewer_context(request: Request) -> dict[str, Any]:
    """What every template knows of the viewer (a Jinja2Templates context processor)."""
    seen = viewer(request)
    return {
        "viewer": seen,
        "account_id": seen.account_id,
        "due_count": seen.due_count,
        "followups_due": seen.followups_due,
        "requests_waiting": seen.requests_waiting,
        "signed_out": seen.signed_out,
        "account_deleted": seen.account_deleted,
    }
