"""``/passkeys/…``: adding a passkey in Settings (after "Confirm it's you" when the account has
a way of proof), signing in with one, and removing one (``server/signin/passkeys.py``)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.privacy import deletion
from server.signin import browsers, passkeys, proving, starting
from server.signin.starting import NOT_SIGNED_IN
from server.web import limits, sessions
from server.web.auth import signed_in, signed_in_account, signed_in_session
from server.web.forms import read_json
from server.web.notices import with_notice
from server.web.urls import url_path


def _json_options(body: str) -> Response:
    return Response(body, media_type="application/json", headers={"cache-control": "no-store"})


NOT_PROVEN = (
    "Confirm it's you first, with a code by email or a passkey: then you can add a passkey"
    f" for {proving.FRESH_MINUTES} minutes."
)
NOT_ADDED_LAPSED = (
    f"Your passkey was not added: it took longer than the {proving.FRESH_MINUTES} minutes"
    f" a confirmation lasts. Confirm it's you again, then add it again. {passkeys.ON_THE_PHONE}"
)
# The account gained a way of proof while the phone's prompt was open (its address confirmed
# from another tab): it never proved it in this session.
NOT_ADDED_UNPROVEN = (
    "Confirm it's you first, with a code by email or a passkey: your passkey was not added."
    f" Then add it again. {passkeys.ON_THE_PHONE}"
)
# A proof older than this is not one that lapsed at the phone's prompt.
LAPSED_WITHIN = timedelta(hours=1)


async def _not_proven(request: Request, conn: object, *, made: bool = False) -> Response | None:
    """Adding a passkey to an account with a way of proof asks for a fresh proof in this
    session ("Confirm it's you"): else whoever holds the unlocked phone adds theirs, and signs
    in as its owner from anywhere. The refusal, with where to confirm (back to Settings'
    passkeys after), or None. Once the phone ``made`` its passkey, it says that one was not
    added."""
    account_id, session_id = signed_in_session(request)
    ways = await proving.ways(conn, request.app.state.sql, account_id, session_id)
    if ways.proven:
        return None
    error = await _not_added(request, conn, session_id) if made else NOT_PROVEN
    confirm = f"{url_path(request, 'settings_confirm')}?{urlencode({'then': 'passkey'})}"
    return JSONResponse({"error": error, "confirm": confirm}, status_code=403)


async def _not_added(request: Request, conn: object, session_id: int) -> str:
    """Why the passkey the phone made was not added: mostly a proof that ran out while the
    phone asked for a face or fingerprint (proven lately, not freshly)."""
    lately = await proving.ways(
        conn, request.app.state.sql, signed_in_account(request), session_id, LAPSED_WITHIN
    )
    return NOT_ADDED_LAPSED if lately.fresh else NOT_ADDED_UNPROVEN


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def passkey_register_options(request: Request) -> Response:
    """Settings → "Add a passkey": what the browser's passkey dialog needs."""
    app = request.app
    account_id = signed_in_account(request)
    refused = await _not_proven(request, app.state.pool)
    if refused is not None:
        return refused
    card = await app.state.sql.run(app.state.pool, "cards.get", account_id=account_id)
    body = await passkeys.registration_options(
        app.state.pool,
        app.state.sql,
        app.state.settings.base_url,
        account_id,
        card["name"] if card else "Reachout",
        card["email"] if card else "",
    )
    return _json_options(body)


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def passkey_register(request: Request) -> Response:
    credential = await read_json(request)
    app = request.app
    name = browsers.describe(request.headers.get("user-agent", ""))
    try:
        async with app.state.pool.acquire() as conn, conn.transaction():
            refused = await _not_proven(request, conn, made=True)
            if refused is not None:
                return refused
            await passkeys.register(
                conn,
                app.state.sql,
                app.state.settings.base_url,
                signed_in_account(request),
                credential,
                name,
            )
    except passkeys.Refused as refused:
        return JSONResponse({"error": str(refused)}, status_code=400)
    # Settings, saying it was added (passkeys.js goes there, focus on the notice): a reload
    # would say nothing, and keep "It's you: confirmed" as if adding were still to do.
    settings = with_notice(url_path(request, "settings"), "passkey_added")
    return JSONResponse({"added": name, "redirect": settings}, status_code=201)


# Each ask keeps a challenge row (five minutes): a venue's network signs in often, a script
# asking without end is held back.
PASSKEY_ASKS = limits.Rule(
    "address-passkey-asks",
    120,
    timedelta(minutes=10),
    "Too many passkey sign-ins from this network just now. Try again {wait}, or sign in by email.",
)


async def passkey_sign_in_options(request: Request) -> Response:
    """ "Sign in with a passkey": a challenge; the phone offers the passkeys it has for us."""
    app = request.app
    try:
        await limits.take(
            app.state.pool, app.state.sql, (PASSKEY_ASKS, limits.address_key(request))
        )
    except limits.TooMany as too_many:
        return JSONResponse({"error": too_many.detail}, status_code=429, headers=too_many.headers)
    body = await passkeys.authentication_options(
        app.state.pool, app.state.sql, app.state.settings.base_url
    )
    return _json_options(body)


async def passkey_sign_in(request: Request) -> Response:
    credential = await read_json(request)
    app = request.app
    try:
        async with app.state.pool.acquire() as conn, conn.transaction():
            account_id = await passkeys.authenticate(
                conn, app.state.sql, app.state.settings.base_url, credential
            )
            session = await starting.start_session(
                request, conn, account_id, "passkey", proven=passkeys.user_verified(credential)
            )
    except passkeys.Refused as refused:
        return JSONResponse({"error": str(refused)}, status_code=400)
    token, merge_from = session
    target = starting.after_sign_in(request, merge_from, starting.next_page(request))
    response = JSONResponse({"redirect": with_notice(target, starting.sign_in_notice(request))})
    sessions.set_cookie(response, token, secure=app.state.settings.secure_cookies)
    return response


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def passkey_remove(request: Request) -> Response:
    """Remove a passkey; not the last way to confirm it is me without a fresh sign-in, which
    would leave typing "delete" as all it takes to delete the account."""
    _, session_id = signed_in_session(request)
    app = request.app
    try:
        async with app.state.pool.acquire() as conn, conn.transaction():
            removed = await deletion.remove_passkey(
                conn,
                app.state.sql,
                signed_in_account(request),
                session_id,
                request.path_params["passkey_id"],
            )
    except deletion.LastWay as last:
        raise HTTPException(403, str(last)) from last
    if not removed:
        raise HTTPException(404, "That passkey is not in your list.")
    return RedirectResponse(
        with_notice(url_path(request, "settings"), "passkey_removed"), status_code=303
    )


routes = [
    Route(
        "/passkeys/register/options",
        passkey_register_options,
        methods=["POST"],
        name="passkey_register_options",
    ),
    Route("/passkeys/register", passkey_register, methods=["POST"], name="passkey_register"),
    Route(
        "/passkeys/sign-in/options",
        passkey_sign_in_options,
        methods=["POST"],
        name="passkey_sign_in_options",
    ),
    Route("/passkeys/sign-in", passkey_sign_in, methods=["POST"], name="passkey_sign_in"),
    Route(
        "/passkeys/{passkey_id:int}/remove",
        passkey_remove,
        methods=["POST"],
        name="passkey_remove",
    ),
]
