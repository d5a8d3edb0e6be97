"""Swapping by QR: a card opened from its link (``/c/<token>``), the Scan screen, and
``/sync/actions`` for swaps queued offline (and which accounts their phone names were merged
into the one signed in)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.cards import fields, photos, vcard
from server.cards.cards import load_card, phone_region
from server.cards.sharing import share_url
from server.contacts.contacts import new_contact_url, swap_said
from server.db import time_zones
from server.swaps import card_pages, rates, sync
from server.swaps.connect import SwapRefused, connect
from server.swaps.joining import attempt_hash, join_by_link
from server.swaps.visits import NO_LONGER, REPLACED, SELF, Visit, load_visit
from server.web import limits, sessions
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.errors import Titled
from server.web.forms import read_form, read_json, text
from server.web.htmx import redirect
from server.web.templating import render
from server.web.urls import url_path


def _card_page(
    request: Request,
    visit: Visit,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    response = render(
        request,
        "public_card.html",
        {
            "visit": visit,
            "card": visit.card,
            "token": request.path_params["token"],
            "values": values or dict.fromkeys(fields.QUICK_FIELDS, ""),
            "errors": errors or {},
        },
        status_code=status_code,
        fragment="_leave_details.html" if errors else None,
    )
    response.headers["x-robots-tag"] = "noindex, nofollow"
    return response


async def public_card(request: Request) -> Response:
    # Link previews and crawlers that open a shared link create nothing (a GET writes at most
    # the rendered page it keeps, which shows what the link shows anyone).
    who = viewer(request)
    # Only the page anyone with no account at all gets is kept (one signed out elsewhere is
    # told so on it).
    if who.account_id is not None or who.signed_out or request.scope["query_string"]:
        return _card_page(request, await load_visit(request))

    # Someone with no account (a crowd scanning one QR code): the page is the card and the
    # token, whoever asks, so it is kept rendered for each version of the card.
    async def render() -> Response:
        return _card_page(request, await load_visit(request))

    return await card_pages.respond(request, render)


async def public_card_vcard(request: Request) -> Response:
    visit = await load_visit(request)
    if visit.limited:
        raise HTTPException(403, "They share their details once you leave yours and they accept.")
    photo = await photos.load(request, visit.card["photo_key"])
    return vcard.response(visit.card, note="Added from Reachout.", photo_jpeg=photo)


async def public_card_preview(request: Request) -> Response:
    """Whose card a scanned code opens (name, headline, photo), for "Swap with Dana Lee?"
    on the Scan screen: a scan never swaps before the person confirms."""
    try:
        visit = await load_visit(request)
    except HTTPException as exc:
        return JSONResponse({"message": str(exc.detail)}, status_code=exc.status_code)
    card = visit.card
    photo = url_path(request, "photo", key=card["photo_key"]) if card["photo_key"] else ""
    return JSONResponse(
        {
            "name": card["name"],
            "headline": card["headline"],
            "photo": photo,
            "own": visit.own,
            # Said at once on the Scan screen, rather than "Swap with <my name>?".
            "message": SELF if visit.own else "",
        },
        headers={"cache-control": "no-store"},
    )


async def swap(request: Request) -> Response:
    """One tap for someone who already has a card: connect both ways."""
    return await _swap(request, await load_visit(request))


async def _swap(request: Request, visit: Visit) -> Response:
    if visit.viewer_id is None:
        raise HTTPException(403, "Leave your details below to swap.")
    if visit.own:
        raise HTTPException(400, SELF)
    pool = request.app.state.pool
    await rates.swap(pool, request, visit.viewer_id, visit.owner_id)
    contact_id = await connect(
        pool,
        request.app.state.sql,
        visit.viewer_id,
        visit.owner_id,
        pending=bool(visit.card["ask_details_first"]),
    )
    # Read back, not taken from the card: a swap made before they turned "ask first" on (or
    # off) stays as it was, and one of mine still waiting for me to accept them too.
    notice = await swap_said(pool, request.app.state.sql, visit.viewer_id, visit.owner_id)
    return redirect(request, new_contact_url(request, contact_id, notice))


async def leave_details(request: Request) -> Response:
    """The person with no app and no card: one form makes their account, card and the swap."""
    form = await read_form(request)
    if viewer(request).account_id is not None:
        visit = await load_visit(request)
        if visit.own:
            raise HTTPException(400, SELF)
        # Already has a card in this browser: the details form is just a swap.
        return await _swap(request, visit)
    values, errors = fields.validate_quick(form, phone_region(request))
    if errors:
        # A link that opens no card answers as the card page does (404, 410) before a 422.
        visit = await load_visit(request)
        return _card_page(request, visit, values=values, errors=errors, status_code=422)
    token, token_hash = sessions.new_token()
    time_zone = time_zones.choose(text(form, "time_zone"), request.app.state.time_zones)
    # The card, the limits (refused: nothing made, nothing counted), her account, card and
    # session, the swap, and "You met <sharer>" by email (she has no app: that is how she
    # hears from us), in one statement.
    joined = await join_by_link(
        request,
        values,
        token_hash=token_hash,
        time_zone=time_zone,
        attempt=attempt_hash(form),
    )
    if joined is None:
        await load_visit(request)  # raises the card page's 404 or 410
        # Generations only grow, so a link that opened no card a moment ago cannot open one
        # now; should the card have changed in between, it was replaced.
        raise Titled(410, REPLACED, title=NO_LONGER)
    if joined["newcomer_id"] is None:
        # Their address is on the card of someone blocked with the sharer, either way.
        raise SwapRefused
    contact_id = joined["newcomer_contact"]
    response = redirect(request, url_path(request, "welcome", contact_id=contact_id))
    sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
    return response


@signed_in(redirect="card")
async def scan(request: Request) -> Response:
    account_id = signed_in_account(request)
    card = await load_card(request, account_id)
    share_link, _expires_at, _event = await share_url(
        request, account_id, card["share_generation"], card["share_id"]
    )
    base_url = request.app.state.settings.base_url
    return render(
        request,
        "scan.html",
        {
            "card": card,
            "card_prefix": base_url + request.app.state.urls.prefix("public_card"),
            "share_link": share_link,
        },
    )


async def sync_action(request: Request) -> Response:
    try:
        body = await read_json(request)
    except HTTPException as exc:
        return _json(*sync.failed(exc.status_code, str(exc.detail)))
    seen = viewer(request)
    account_id = seen.account_id
    if account_id is None:
        return _json(*sync.no_account(signed_out=seen.signed_out, deleted=seen.account_deleted))
    sql = request.app.state.sql
    try:
        # "Which of these accounts were merged into the one signed in here?" (outbox.js, for
        # the swaps it keeps for other accounts): asked here, by the route the scripts know.
        asked = sync.merged_asked(body)
        if asked is not None:
            pool = request.app.state.pool
            await rates.merged_look_up(pool, request, account_id)
            return _json(200, await sync.merged_of(pool, sql, asked, account_id))
        key, kind, payload, made_at = sync.parse(body)
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            await sync.made_by(conn, sql, body, account_id)
            first = await sync.claim(conn, sql, account_id, key, kind, payload)
            if first is not None:
                return _json(*first)
            # After the claim: a key already answered is answered again, however many were
            # refused. Before the try: past the limit, a code is not guessed at all.
            await rates.sync_refusals_left(conn, request, account_id)
            status_code, answer = await sync.perform(
                request,
                conn,
                account_id,
                kind,
                payload,
                sync.made_at(made_at, datetime.now(UTC), kind),
            )
            await sync.answered(request, conn, account_id, key, kind, status_code, answer)
    except sync.Answer as exc:
        return _json(exc.status_code, exc.body)
    except limits.TooMany as exc:
        # Nothing was recorded for this key: the phone keeps it queued and sends it again.
        limited = _json(
            429, {"status": "retry", "message": exc.detail, "retry_after": exc.retry_after}
        )
        limited.headers["retry-after"] = str(exc.retry_after)
        return limited
    return _json(status_code, answer)


def _json(status_code: int, body: dict[str, Any]) -> Response:
    return JSONResponse(body, status_code=status_code, headers={"cache-control": "no-store"})


routes = [
    Route("/c/{token}", public_card, name="public_card"),
    Route("/c/{token}/vcard", public_card_vcard, name="public_card_vcard"),
    Route("/c/{token}/preview", public_card_preview, name="public_card_preview"),
    Route("/c/{token}/swap", swap, methods=["POST"], name="swap"),
    Route("/c/{token}/details", leave_details, methods=["POST"], name="leave_details"),
    Route("/scan", scan, name="scan"),
    Route("/sync/actions", sync_action, methods=["POST"], name="sync_action"),
]
