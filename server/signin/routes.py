"""Signing in ("I already have a card": a code by email, choosing among the cards that carry
the address) and signing out (this browser, another one of mine, or every other one). A revoked
session stops working at once in every web process (each request looks its session up in
PostgreSQL). Passkeys: ``passkey_routes.py``; moving to another app or phone by a code:
``move_routes.py``; merging two cards after signing in: ``merge_routes.py``."""

from __future__ import annotations

import time
from base64 import urlsafe_b64decode, urlsafe_b64encode
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.cards.fields import Invalid, validate_email_address
from server.mail import addresses
from server.signin import codes, starting
from server.signin.starting import NOT_SIGNED_IN
from server.web import forms, limits, sessions
from server.web.auth import ANONYMOUS, signed_in, signed_in_account, viewer
from server.web.forms import read_form, text
from server.web.htmx import redirect
from server.web.notices import with_notice
from server.web.opened_for import refuse_if_opened_for_another
from server.web.templating import render
from server.web.urls import url_path


def _sign_in_page(
    request: Request,
    *,
    step: str = "email",
    address: str = "",
    error: str = "",
    again: bool = False,
    too_many: codes.TooMany | None = None,  # no new code was sent: why, and when one may be
    next_page: str | None = None,
    signed_in_as: str = "",
    status_code: int = 200,
    fragment: str | None = None,  # for htmx; the code step's form by default
) -> Response:
    context = {
        "step": step,
        "address": address,
        "error": error,
        "again": again,
        "signed_in_as": signed_in_as,
    }
    return render(
        request,
        "sign_in.html",
        {**context, "too_many": too_many, "next": next_page or starting.next_page(request)},
        status_code=status_code,
        fragment=fragment or ("_sign_in_code_form.html" if step == "code" else None),
    )


NO_EMAIL = "Type the email address on your card."


async def sign_in(request: Request) -> Response:
    """ "I already have a card": the email step, or (after a code was asked for) the code step.
    Opened where a card is signed in already, it says which: signing in switches this phone."""
    return _sign_in_page(request, signed_in_as=await starting.signed_in_as(request))


async def sign_in_ask(request: Request) -> Response:
    form = await read_form(request)
    typed = text(form, "email")
    try:
        if not typed:  # the form leaves it to us (novalidate): said by the field
            raise Invalid(NO_EMAIL)
        address = addresses.normalize(validate_email_address(typed))
    except Invalid as invalid:
        return _sign_in_page(
            request,
            address=typed,
            error=str(invalid),
            next_page=starting.next_page(request, form),
            status_code=422,
        )
    app = request.app
    secret_key = app.state.settings.secret_key
    asker = _asker(request) or codes.new_asker()
    try:
        async with app.state.pool.acquire() as conn:
            asked_id = await codes.ask(
                conn, app.state.sql, secret_key, address, limits.address_key(request), asker
            )
    except codes.TooMany as too_many:
        refused = _sign_in_page(
            request,
            step="code",
            address=address,
            too_many=too_many,
            next_page=starting.next_page(request, form),
            status_code=429,
        )
        refused.headers["retry-after"] = str(too_many.retry_after)
        return refused
    # To the code step by GET: Back from the account the code opens, or a reload of this
    # step, then shows the page again, not "Confirm Form Resubmission" (sending a new code).
    # Its URL names the asking, not the address. "Send a new code" says it sent one:
    # otherwise its page reads exactly as before.
    again = {"sent": "again"} if text(form, "again") else {}
    next_page = starting.next_page(request, form)
    going = {"next": next_page} if next_page else {}
    query = urlencode({"asked": codes.asked_reference(secret_key, asked_id), **again, **going})
    response = RedirectResponse(
        f"{url_path(request, 'sign_in_code_step')}?{query}", status_code=303
    )
    response.set_cookie(
        _asker_cookie(request),
        asker,
        max_age=ASKER_SECONDS,
        httponly=True,
        samesite="lax",
        secure=app.state.settings.secure_cookies,
        path="/",
    )
    return response


# The codes a browser asked for live ten minutes from the last; its cookie a while longer.
ASKER_SECONDS = 3600


def _asker_cookie(request: Request) -> str:
    # Over https only our own origin may set it, as the session's (server.web.sessions).
    secure = request.app.state.settings.secure_cookies
    return "__Host-ro_sign_in_asker" if secure else "ro_sign_in_asker"


def _asker(request: Request) -> str | None:
    """What this browser keeps while it waits for codes (codes.new_asker), if it asked."""
    kept = request.cookies.get(_asker_cookie(request), "")
    return kept if 0 < len(kept) <= 100 else None


async def sign_in_code_step(request: Request) -> Response:
    """The code step for the address a code was asked for (opening it sends nothing); for
    anything else, or an asking gone by now, the first step."""
    app = request.app
    address = await codes.asked_address(
        app.state.pool,
        app.state.sql,
        app.state.settings.secret_key,
        request.query_params.get("asked", "")[:100],
    )
    if address is None:
        return RedirectResponse(url_path(request, "sign_in"), status_code=303)
    return _sign_in_page(
        request,
        step="code",
        address=address,
        again=request.query_params.get("sent") == "again",
        # As the email step says it: typing the code switches this phone.
        signed_in_as=await starting.signed_in_as(request),
    )


async def sign_in_code(request: Request) -> Response:
    form = await read_form(request)
    address = addresses.normalize(text(form, "email"))
    app = request.app
    sql, secret_key = app.state.sql, app.state.settings.secret_key
    choices: list[Any] = []
    opens = True
    async with app.state.pool.acquire() as conn, conn.transaction():
        checked = await codes.check(
            conn, sql, secret_key, address, text(form, "code"), asker=_asker(request)
        )
        if checked.account_id is not None:
            choices = await sql.run(conn, "signin.cards_to_choose", address=address)
            opens = bool(choices) or await codes.opens(conn, sql, address, checked.account_id)
            if not choices and opens:
                await codes.proven(conn, sql, address, checked.account_id)
                session = await starting.start_session(
                    request,
                    conn,
                    checked.account_id,
                    "email_code",
                    proven_address=address,
                    proven=True,
                )
    if choices:
        return _to_choice(request, address, starting.next_page(request, form))
    if not opens:
        # The code reached the address, but the account has a way of proof and the address
        # is not confirmed for it: whoever held its owner's phone may have put theirs on the
        # card. Nothing signed in, nothing confirmed (the spent code is used up all the same).
        # The page's first step; to the code form (htmx, which swaps its answer in for
        # itself), the words alone in its place, not a whole page inside the form.
        return _sign_in_page(
            request,
            address=address,
            error=codes.NOT_CONFIRMED_HERE,
            next_page=starting.next_page(request, form),
            status_code=403,
            fragment="_sign_in_refused.html",
        )
    if checked.account_id is None:
        return _sign_in_page(
            request,
            step="code",
            address=address,
            error=checked.message,
            next_page=starting.next_page(request, form),
            status_code=422,
        )
    return starting.signed_in_to(request, session, starting.next_page(request, form))


CHOICE_SECONDS = 600  # to choose a card after the right code
CHOICE_TOO_OLD = "That choice is too old: ask for a new code, and choose within ten minutes."


def _choice_cookie(request: Request) -> str:
    # Over https only our own origin may set it, as the session's (server.web.sessions).
    secure = request.app.state.settings.secure_cookies
    return "__Host-ro_sign_in_choice" if secure else "ro_sign_in_choice"


def _to_choice(request: Request, address: str, next_page: str | None) -> Response:
    """The code proved the address is theirs, and several cards carry it: on to "Which card is
    yours?" by GET, so that a reload or Back shows the question again rather than sending the
    spent code. What stands in for the code, signed for the address and good for ten minutes,
    is kept in a cookie of this browser, never in the address that history keeps."""
    until = int(time.time()) + CHOICE_SECONDS
    token = codes.choice_token(request.app.state.settings.secret_key, address, until)
    going = f"?{urlencode({'next': next_page})}" if next_page else ""
    response = redirect(request, url_path(request, "sign_in_choose_page") + going)
    secure = request.app.state.settings.secure_cookies
    response.set_cookie(
        _choice_cookie(request),
        # Unpadded: "=" would have the value quoted.
        urlsafe_b64encode(f"{until}\n{token}\n{address}".encode()).decode().rstrip("="),
        max_age=CHOICE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    return response


def _choice_made(request: Request) -> tuple[str, str, str] | None:
    """The address, time and signature the cookie holds, when the choice is still ours to make."""
    try:
        kept = request.cookies.get(_choice_cookie(request), "")[:1000]
        until, token, address = urlsafe_b64decode(kept + "==").decode().split("\n")
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        return None
    if not codes.choice_ok(request.app.state.settings.secret_key, address, until, token):
        return None
    return address, until, token


async def sign_in_choose_page(request: Request) -> Response:
    """ "Which card is yours?", the cards carrying the address the code proved is theirs."""
    made = _choice_made(request)
    if made is None:
        if viewer(request).account_id is not None:
            # Back to the question after answering it.
            return RedirectResponse(url_path(request, "contacts"), status_code=303)
        raise HTTPException(403, CHOICE_TOO_OLD)
    address = made[0]
    app = request.app
    choices = await app.state.sql.run(app.state.pool, "signin.cards_to_choose", address=address)
    if not choices:
        raise HTTPException(404, "No card carries this address any more.")
    # Only the cards the code opens are shown: one it may not open is someone's with a way of
    # proof of its own, and whoever holds the address (perhaps a typo's owner) could make a
    # card with it and ask a code to see its name, headline and age.
    return render(
        request,
        "sign_in_choose.html",
        {
            "address": address,
            "choices": [choice for choice in choices if choice["opens"]],
            "unopenable": any(not choice["opens"] for choice in choices),
            "next": starting.next_page(request),
        },
    )


async def sign_in_choose(request: Request) -> Response:
    """The card chosen on "Which card is yours?": signed in to it, confirmed for it. Only in
    the browser the code was typed in, once: what stands in for the code is its cookie, never
    the form (a page saved, or sent back from history after signing out, would otherwise
    sign anyone in for ten minutes), and it goes with its answer."""
    form = await read_form(request)
    app = request.app
    made = _choice_made(request)
    if made is None:
        raise HTTPException(403, CHOICE_TOO_OLD)
    address = made[0]
    if addresses.normalize(text(form, "email")) != address:
        # A page left open on an earlier question; this browser has answered another since.
        raise HTTPException(403, CHOICE_TOO_OLD)
    account_id = forms.an_id(text(form, "account_id"))
    async with app.state.pool.acquire() as conn, conn.transaction():
        choices = await app.state.sql.run(conn, "signin.cards_to_choose", address=address)
        chosen = next((row for row in choices if row["account_id"] == account_id), None)
        if account_id is None or chosen is None:
            raise HTTPException(404, "That card no longer carries this address.")
        if not chosen["opens"]:
            # Listed to be signed in to another way (its passkey), never by this code.
            raise HTTPException(403, codes.NOT_CONFIRMED_HERE)
        await codes.proven(conn, app.state.sql, address, account_id)
        session = await starting.start_session(
            request, conn, account_id, "email_code", proven_address=address, proven=True
        )
    response = starting.signed_in_to(request, session, starting.next_page(request, form))
    response.delete_cookie(
        _choice_cookie(request),
        path="/",
        secure=app.state.settings.secure_cookies,
        httponly=True,
        samesite="lax",
    )
    return response


async def sign_out(request: Request) -> Response:
    """This browser: the session ends, its push subscription goes, and the browser is told to
    forget its cookie and everything the service worker kept of my pages. When it is the
    card's last way in (``accounts.ways_in``), only with ``anyway`` (Settings asks). Not
    guarded: a browser signed out already (from another device: a tab left open) or never
    signed in is signed out all the same, not told to sign in first so as to sign out."""
    seen = viewer(request)
    if seen.account_deleted:
        # The start page says the account was deleted and this phone has forgotten it (its
        # answer to a dead cookie clears the site's data: SessionCookieUpkeep); "Your account
        # is still yours" (signed_out.html) would be false.
        return RedirectResponse(url_path(request, "home"), status_code=303)
    stranded = False  # this was the card's last way in: nobody can open it again
    bounced = False  # but for a code to an address whose mail bounced, which may arrive
    if seen.account_id is not None:
        pool, sql = request.app.state.pool, request.app.state.sql
        ways = await sql.run(
            pool, "accounts.ways_in", account_id=seen.account_id, session_id=seen.session_id
        )
        stranded = ways is not None and not ways["any_way"]
        bounced = stranded and bool(ways["by_email_code"])
        if stranded and not text(await read_form(request), "anyway"):
            # Settings asks first, by the button (a page opened while another way was left
            # did not): back there, where it says what to add, still signed in.
            return RedirectResponse(
                with_notice(url_path(request, "settings"), "only_way_in") + "#sign-out",
                status_code=303,
            )
        revoked = await sql.run(
            pool,
            "sessions.revoke",
            id=seen.session_id,
            account_id=seen.account_id,
            end_offers=True,
        )
        # Signed out meanwhile (a merge took the card in): nothing was lost here.
        stranded = stranded and revoked is not None
    # The page itself as a signed-out browser sees it (no tabs, no service worker again).
    request.scope["user"] = ANONYMOUS
    response = render(request, "signed_out.html", {"stranded": stranded, "bounced": bounced})
    sessions.delete_cookie(response, secure=request.app.state.settings.secure_cookies)
    # The offline copies of my contacts (Cache Storage) and the service worker with its push
    # subscription: nothing of mine stays on a phone that was signed out.
    response.headers["clear-site-data"] = sessions.CLEAR_SITE_DATA
    return response


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def sign_out_session(request: Request) -> Response:
    """One of my other browsers, from Settings (a lost phone)."""
    account_id = signed_in_account(request)
    session_id = request.path_params["session_id"]
    if session_id == viewer(request).session_id:
        raise HTTPException(400, "To sign out this browser, use Sign out.")
    revoked = await request.app.state.sql.run(
        request.app.state.pool,
        "sessions.revoke",
        id=session_id,
        account_id=account_id,
        end_offers=True,
    )
    if revoked is None:
        raise HTTPException(404, "That browser is not signed in to your account.")
    return RedirectResponse(
        with_notice(url_path(request, "settings"), "signed_out_there"), status_code=303
    )


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def sign_out_others(request: Request) -> Response:
    account_id = signed_in_account(request)
    # Settings listed another card's browsers: this card's are not the ones meant.
    refuse_if_opened_for_another(request, await read_form(request), account_id, page="settings")
    await request.app.state.sql.run(
        request.app.state.pool,
        "sessions.revoke_others",
        id=viewer(request).session_id,
        account_id=account_id,
    )
    return RedirectResponse(
        with_notice(url_path(request, "settings"), "signed_out_elsewhere"), status_code=303
    )


routes = [
    Route("/sign-in", sign_in, name="sign_in"),
    Route("/sign-in", sign_in_ask, methods=["POST"], name="sign_in_ask"),
    Route("/sign-in/code", sign_in_code, methods=["POST"], name="sign_in_code"),
    Route("/sign-in/code", sign_in_code_step, name="sign_in_code_step"),
    Route("/sign-in/choose", sign_in_choose_page, name="sign_in_choose_page"),
    Route("/sign-in/choose", sign_in_choose, methods=["POST"], name="sign_in_choose"),
    Route("/sign-out", sign_out, methods=["POST"], name="sign_out"),
    Route(
        "/settings/sessions/{session_id:int}/sign-out",
        sign_out_session,
        methods=["POST"],
        name="sign_out_session",
    ),
    Route(
        "/settings/sessions/sign-out-others",
        sign_out_others,
        methods=["POST"],
        name="sign_out_others",
    ),
]
