"""Starting this browser's session once a way of signing in proved whose it is (an email code,
a passkey, a code from another phone), and the page it goes to next: shared by the sign-in
handlers (``routes.py``), the move-code ones (``move_routes.py``) and the passkey ones
(``passkey_routes.py``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.cards.cards import load_card
from server.web import sessions
from server.web.auth import viewer
from server.web.client import client_ip
from server.web.forms import text
from server.web.htmx import redirect
from server.web.notices import with_notice
from server.web.urls import Urls, url_path

NOT_SIGNED_IN = "This browser is not signed in."
# Set in the request's scope when signing in here ended a session that had reminders on.
REMINDERS_OFF_HERE = "reachout.reminders_off_here"


def next_page(request: Request, form: Any = None) -> str | None:
    """Where to go once signed in (``next``, in the form or the query): the page a link from
    one of our emails opened, when it is a page of the app; None for the usual."""
    value = text(form, "next") if form is not None else request.query_params.get("next")
    urls: Urls = request.app.state.urls
    return urls.app_page(value)


async def start_session(
    request: Request,
    conn: object,
    account_id: int,
    by: str,
    proven_address: str = "",
    *,
    proven: bool = False,
) -> tuple[str, int | None]:
    """This browser signs in to ``account_id``: the cookie's token, and the account it held
    before when that one has something to offer for merging (``_replace_session``); else,
    with ``proven_address`` (an email code just proved it is theirs), a guest card with that
    address, which someone typed on their phone: to merge in or delete."""
    token, token_hash = sessions.new_token()
    merge_from = await _replace_session(request, conn, account_id)
    if merge_from is None and proven_address:
        merge_from = await request.app.state.sql.run(
            conn, "sessions.guest_to_offer", address=proven_address, account_id=account_id
        )
    session_id = await request.app.state.sql.run(
        conn,
        "sessions.start",
        token_hash=token_hash,
        account_id=account_id,
        signed_in_by=by,
        user_agent=request.headers.get("user-agent", "")[:300],
        ip=client_ip(request) or "",
        merge_from=merge_from,
        # Kept: the guest cards offered after this one carry this address, proven, not
        # whatever the card says by then (sessions.offer_next_guest).
        proven_address=proven_address or None,
        # A proof that it is them, as "Confirm it's you" asks (server/signin/proving.py).
        proven=proven,
    )
    me = viewer(request)
    if me.account_id == account_id and me.session_id is not None:
        # Signed in again where it was already: a new token (never the one it came with),
        # the same device.
        await request.app.state.sql.run(
            conn,
            "sessions.hand_over",
            old_id=me.session_id,
            new_id=session_id,
            account_id=account_id,
        )
    return token, merge_from


async def _replace_session(request: Request, conn: object, account_id: int) -> int | None:
    """This browser held another account: its session ends; an account with nothing in use
    goes with it (a card made here by mistake before signing in: accounts.delete_if_empty
    says what counts, a contact removed a moment ago that Undo can still bring back too). Any
    other is returned, to be offered for merging."""
    me = viewer(request)
    if me.account_id is None or me.account_id == account_id:
        return None
    sql = request.app.state.sql
    if await sql.run(conn, "push.on_session", session_id=me.session_id):
        # This browser's push subscription goes with its session (an endpoint is never
        # moved to another account: push.subscribe): reminders stop here, and the notice
        # after signing in must say so (sign_in_notice), not that they are on this device.
        request.scope[REMINDERS_OFF_HERE] = True
    # Switching away is no sign-out by the card's owner: offers to merge it, open in its
    # other browsers, stay.
    await sql.run(
        conn, "sessions.revoke", id=me.session_id, account_id=me.account_id, end_offers=False
    )
    deleted = await sql.run(conn, "accounts.delete_if_empty", account_id=me.account_id)
    return None if deleted else me.account_id


def after_sign_in(request: Request, merge_from: int | None, next_page: str | None) -> str:
    """A browser that held another account still in use: first, merge or keep apart. Else
    the page a link from our email opened, or the contacts."""
    if merge_from:
        return url_path(request, "sign_in_merge")
    return next_page or url_path(request, "contacts")


def sign_in_notice(request: Request) -> str:
    """The notice once signed in: "Signed in.", saying reminders are off on this phone when
    signing in here ended the session they came to (``_replace_session``)."""
    return "signed_in_reminders_off" if request.scope.get(REMINDERS_OFF_HERE) else "signed_in"


def signed_in_to(
    request: Request, session: tuple[str, int | None], next_page: str | None = None
) -> Response:
    """The answer once a session started (``start_session``): its cookie, and on to the page
    that comes next, saying "Signed in."."""
    token, merge_from = session
    target = after_sign_in(request, merge_from, next_page)
    response = redirect(request, with_notice(target, sign_in_notice(request)))
    sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
    return response


async def signed_in_as(request: Request) -> str:
    """The name on the card this browser is signed in to, if any: a page that signs in says
    so, as signing in switches it."""
    account_id = viewer(request).account_id
    card = await load_card(request, account_id) if account_id is not None else None
    return str(card["name"]) if card else ""
