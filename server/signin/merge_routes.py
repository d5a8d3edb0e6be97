"""``/sign-in/merge``, "Two cards, one person": after signing in where another card lived,
merge it in (once it is proven to be this person's own: ``server/signin/merging.py``, and,
when the account signed in has a way of proof, once this session proved it is its owner:
"Confirm it's you", ``server/signin/proving.py``), delete a guest card someone typed for them,
or keep them apart."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.db.queries import Queries
from server.signin import codes, merging, passkeys, proving
from server.signin.starting import NOT_SIGNED_IN
from server.web import limits
from server.web.auth import signed_in, signed_in_session
from server.web.forms import read_form, read_json, text
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

NOTHING_TO_MERGE = (
    "There is nothing to merge any more: an offer is open for an hour after signing in."
)
NOT_PROVEN = "Confirm that card is yours first. Nothing was merged."
NO_ADDRESS = "No email address is confirmed for that card to send a code to."
NOT_YOU = (
    "Confirm it's you first, with a code by email or a passkey: merging can bring an address"
    " confirmed for that card, or its passkeys, which would sign in to your account."
    " Nothing was merged."
)


async def _offer(request: Request) -> Any:
    account_id, session_id = signed_in_session(request)
    return await merging.offer(
        request.app.state.pool, request.app.state.sql, account_id, session_id
    )


async def _open_offer(request: Request) -> Any:
    offer = await _offer(request)
    if offer is None:
        raise HTTPException(404, NOTHING_TO_MERGE)
    return offer


async def _my_ways(request: Request, conn: Any) -> proving.Ways:
    """How the account signed in proves it is its owner's in this session. A merge brings the
    addresses confirmed for the card merged in, and its passkeys, each a way to sign in to
    this account from anywhere: whoever holds an unlocked phone signed in (a move code shown
    on it) must not add theirs that way, by merging in their own account. So, as adding a way
    of proof does, merging asks for a fresh proof when the account has a way of proof."""
    account_id, session_id = signed_in_session(request)
    return await proving.ways(conn, request.app.state.sql, account_id, session_id)


async def _page(
    request: Request,
    offer: Any,
    *,
    code_sent: bool = False,
    again: bool = False,
    too_many: str = "",  # when one more code may be asked for, in words
    code_error: str = "",
    merge_error: str = "",
    status_code: int = 200,
) -> Response:
    pool, sql = request.app.state.pool, request.app.state.sql
    response = render(
        request,
        "sign_in_merge.html",
        {
            "offer": offer,
            # Kept apart, can anyone open it again? (A guest card is deleted or left as typed.)
            "closed": await _left_if_kept_apart(pool, sql, offer),
            "me": await _my_ways(request, pool),
            "code_sent": code_sent,
            "again": again,
            "too_many": too_many,
            "code_error": code_error,
            "merge_error": merge_error,
        },
        status_code=status_code,
    )
    response.headers["cache-control"] = "no-store"  # an offer of someone's account: never kept
    return response


async def _left_if_kept_apart(conn: Any, sql: Queries, offer: Any) -> str:
    """How keeping them apart leaves the offered account, by what but this browser, signed in
    elsewhere now, opens it (``accounts.ways_in``): "" when something does (a code to an
    address whose mail reaches it, a passkey, another browser; or a guest card, deleted or
    left as typed), "bounced" when only a code to an address whose mail bounced might (sent
    all the same, it may arrive), "closed" when nothing does."""
    if offer["guest"]:
        return ""
    ways = await sql.run(conn, "accounts.ways_in", account_id=offer["account_id"], session_id=None)
    if ways is None or ways["any_way"]:
        return ""
    return "bounced" if ways["by_email_code"] else "closed"


@signed_in(redirect="card")
async def sign_in_merge(request: Request) -> Response:
    offer = await _offer(request)
    if offer is None:
        return RedirectResponse(url_path(request, "contacts"), status_code=303)
    # ?code=sent (or again): the step after "Email me a code", by GET, so that a reload shows
    # it again rather than sending another code.
    sent = request.query_params.get("code")
    return await _page(request, offer, code_sent=sent in ("sent", "again"), again=sent == "again")


async def _merge_refused(request: Request, conn: Any, source: int) -> str | None:
    """Why the merge may not go ahead, or None: read in the merge's own transaction, with the
    offered account held, so that nothing added to it since the page (a first passkey, from a
    browser still signed in to it) comes along unproven."""
    account_id, session_id = signed_in_session(request)
    await request.app.state.sql.run(
        conn, "sessions.lock_merge_source", source=source, account_id=account_id
    )
    offer = await merging.offer(conn, request.app.state.sql, account_id, session_id)
    if offer is None or offer["account_id"] != source or not offer["proven"]:
        return NOT_PROVEN
    if not (await _my_ways(request, conn)).proven:
        return NOT_YOU
    return None


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def sign_in_merge_choose(request: Request) -> Response:
    offer = await _open_offer(request)
    form = await read_form(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    account_id, session_id = signed_in_session(request)
    choice = text(form, "choice")
    if choice == "merge" or (choice == "delete" and offer["guest"]):
        refused = None
        async with pool.acquire() as conn, conn.transaction():
            if choice == "merge":
                refused = await _merge_refused(request, conn, offer["account_id"])
                if refused is None:
                    await sql.run(
                        conn,
                        "sessions.merge_into",
                        source=offer["account_id"],
                        account_id=account_id,
                    )
            else:  # a guest card someone typed: its owner deletes it (deletion.py's way)
                await sql.run(conn, "sessions.delete_guest", account_id=offer["account_id"])
            # Someone else typed the same address too: that card is offered next.
            following = refused is None and await sql.run(
                conn, "sessions.offer_next_guest", session_id=session_id, account_id=account_id
            )
        if refused is not None:
            # Read again: what stopped it (a passkey added meanwhile) shows with the refusal.
            shown = await _offer(request) or offer
            return await _page(request, shown, merge_error=refused, status_code=403)
        notice = "merged" if choice == "merge" else "guest_deleted"
        target = url_path(request, "sign_in_merge" if following else "contacts")
    else:
        # Read before it is declined: nothing of the offer is left to read after.
        left = await _left_if_kept_apart(pool, sql, offer)
        await sql.run(pool, "sessions.decline_merge", session_id=session_id)
        notice = "not_now" if offer["guest"] else f"kept_apart_{left}" if left else "kept_apart"
        target = url_path(request, "contacts")
    return RedirectResponse(with_notice(target, notice), status_code=303)


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def sign_in_merge_send_code(request: Request) -> Response:
    """ "Email me a code": to the address confirmed for the card offered, for it only."""
    offer = await _open_offer(request)
    # "Send a new code" says it sent one: otherwise the page reads exactly as before.
    again = bool(text(await read_form(request), "again"))
    if offer["proven"]:
        return RedirectResponse(url_path(request, "sign_in_merge"), status_code=303)
    if offer["proof_address"] is None:
        return await _page(request, offer, code_error=NO_ADDRESS, status_code=400)
    app = request.app
    try:
        async with app.state.pool.acquire() as conn:
            await merging.send_code(
                conn,
                app.state.sql,
                app.state.settings.secret_key,
                offer["account_id"],
                offer["proof_address"],
                limits.address_key(request),
            )
    except codes.TooMany as too_many:
        refused = await _page(
            request, offer, code_sent=True, too_many=too_many.wait, status_code=429
        )
        refused.headers["retry-after"] = str(too_many.retry_after)
        return refused
    step = url_path(request, "sign_in_merge") + ("?code=again" if again else "?code=sent")
    return RedirectResponse(step, status_code=303)


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def sign_in_merge_check_code(request: Request) -> Response:
    offer = await _open_offer(request)
    form = await read_form(request)
    refused: str | None = NO_ADDRESS
    if offer["proof_address"] is not None:
        app = request.app
        async with app.state.pool.acquire() as conn, conn.transaction():
            refused = await merging.check_code(
                conn,
                app.state.sql,
                app.state.settings.secret_key,
                offer,
                signed_in_session(request),
                text(form, "code"),
            )
    if refused is not None:
        return await _page(request, offer, code_sent=True, code_error=refused, status_code=422)
    return RedirectResponse(url_path(request, "sign_in_merge"), status_code=303)


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def sign_in_merge_passkey_options(request: Request) -> Response:
    offer = await _open_offer(request)
    app = request.app
    body = await passkeys.options_for_account(
        app.state.pool, app.state.sql, app.state.settings.base_url, offer["account_id"]
    )
    return Response(body, media_type="application/json", headers={"cache-control": "no-store"})


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def sign_in_merge_passkey(request: Request) -> Response:
    offer = await _offer(request)
    if offer is None:
        return JSONResponse({"error": NOTHING_TO_MERGE}, status_code=404)
    credential = await read_json(request)
    app = request.app
    try:
        async with app.state.pool.acquire() as conn, conn.transaction():
            await merging.check_passkey(
                conn,
                app.state.sql,
                app.state.settings.base_url,
                offer["account_id"],
                signed_in_session(request),
                credential,
            )
    except passkeys.Refused as refused:
        return JSONResponse({"error": str(refused)}, status_code=400)
    return JSONResponse({"redirect": url_path(request, "sign_in_merge")})


routes = [
    Route("/sign-in/merge", sign_in_merge, name="sign_in_merge"),
    Route("/sign-in/merge", sign_in_merge_choose, methods=["POST"], name="sign_in_merge_choose"),
    Route(
        "/sign-in/merge/code",
        sign_in_merge_send_code,
        methods=["POST"],
        name="sign_in_merge_send_code",
    ),
    Route(
        "/sign-in/merge/code/check",
        sign_in_merge_check_code,
        methods=["POST"],
        name="sign_in_merge_check_code",
    ),
    Route(
        "/sign-in/merge/passkey/options",
        sign_in_merge_passkey_options,
        methods=["POST"],
        name="sign_in_merge_passkey_options",
    ),
    Route(
        "/sign-in/merge/passkey",
        sign_in_merge_passkey,
        methods=["POST"],
        name="sign_in_merge_passkey",
    ),
]
