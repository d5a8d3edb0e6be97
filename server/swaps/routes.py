"""Swapping: a card opened from its QR (``/c/<token>``), the Tap screen (code, bump, guest),
the Scan screen, and ``/sync/actions`` for swaps queued offline."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.cards import fields, photos, vcard
from server.cards.cards import load_card, phone_region
from server.cards.sharing import share_url
from server.contacts.contacts import new_contact_url
from server.db import time_zones
from server.swaps import bumps, codes, sync
from server.swaps.bump_pairing import FUTURE_MS, MAX_AGE_MS, SETTLE_MS, WAIT_MS
from server.swaps.connect import connect, create_guest
from server.swaps.visits import SELF, Visit, load_visit
from server.web import sessions
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.client import client_ip
from server.web.forms import read_form, read_json, text
from server.web.htmx import htmx, redirect
from server.web.templating import render
from server.web.urls import url_path

NO_CARD = "Make your card first, then you can swap."
# How long a page that waits for the other person's answer holds one request open.
LONG_POLL_MS = 20_000
BUMP_CLOCK = (
    "That bump's time is too far from ours. Check that the phone sets its clock"
    " automatically, then bump again."
)


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
    # A GET only reads: link previews and crawlers that open a shared link create nothing.
    return _card_page(request, await load_visit(request))


async def public_card_vcard(request: Request) -> Response:
    visit = await load_visit(request)
    if visit.limited:
        raise HTTPException(403, "They share their details once you leave yours.")
    photo = await photos.load(request, visit.card["photo_key"])
    return vcard.response(visit.card, note="Added from Reachout.", photo_jpeg=photo)


async def swap(request: Request) -> Response:
    """One tap for someone who already has a card: connect both ways."""
    return await _swap(request, await load_visit(request))


async def _swap(request: Request, visit: Visit) -> Response:
    if visit.viewer_id is None:
        raise HTTPException(403, "Leave your details below to swap.")
    if visit.own:
        raise HTTPException(400, SELF)
    contact_id = await connect(
        request.app.state.pool, request.app.state.sql, visit.viewer_id, visit.owner_id
    )
    return redirect(request, new_contact_url(request, contact_id))


async def leave_details(request: Request) -> Response:
    """The person with no app and no card: one form makes their account, card and the swap."""
    form = await read_form(request)
    visit = await load_visit(request)
    if visit.own:
        raise HTTPException(400, SELF)
    if visit.viewer_id is not None:
        # Already has a card in this browser: the details form is just a swap.
        return await _swap(request, visit)
    values, errors = fields.validate_quick(form, phone_region(request))
    if errors:
        return _card_page(request, visit, values=values, errors=errors, status_code=422)
    sql = request.app.state.sql
    token, token_hash = sessions.new_token()
    time_zone = time_zones.choose(text(form, "time_zone"), request.app.state.time_zones)
    joined = await sql.run(
        request.app.state.pool,
        "accounts.join_with_details",
        token_hash=token_hash,
        sharer_id=visit.owner_id,
        time_zone=time_zone,
        **fields.card_values(values),
    )
    contact_id = joined["newcomer_contact"]
    response = redirect(request, url_path(request, "welcome", contact_id=contact_id))
    sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
    return response


def _tap_page(request: Request, status_code: int = 200, **context: Any) -> Response:
    """The Tap screen, with the code form or the guest form as last submitted."""
    blank = {"typed": "", "error": "", "values": dict.fromkeys(fields.QUICK_FIELDS, "")}
    return render(request, "tap.html", {**blank, **context}, status_code=status_code)


@signed_in(redirect="card")
async def tap(request: Request) -> Response:
    return _tap_page(request)


@signed_in(message=NO_CARD)
async def tap_code(request: Request) -> Response:
    """Issue (or keep) my code; ``fresh`` retires the current one first."""
    account_id = signed_in_account(request)
    form = await read_form(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    if text(form, "fresh"):
        await sql.run(pool, "codes.retire", account_id=account_id)
    issued = await codes.issue(pool, sql, account_id)
    return render(request, "_my_code.html", {"code": issued})


def _code_form(request: Request, typed: str, error: str, status_code: int) -> Response:
    if htmx(request):
        return render(
            request, "_code_form.html", {"typed": typed, "error": error}, status_code=status_code
        )
    return _tap_page(request, status_code, typed=typed, error=error)


@signed_in(message=NO_CARD)
async def tap_code_enter(request: Request) -> Response:
    """They showed me their code and I typed it: connect us both ways."""
    account_id = signed_in_account(request)
    form = await read_form(request)
    typed = text(form, "code")[:20]
    pool, sql = request.app.state.pool, request.app.state.sql
    async with pool.acquire() as conn, conn.transaction():
        outcome = await codes.redeem(
            conn, sql, account_id, client_ip(request), typed, datetime.now(UTC)
        )
        if outcome.owner_id is not None:
            contact_id = await connect(conn, sql, account_id, outcome.owner_id)
    if outcome.owner_id is None:
        return _code_form(request, typed, outcome.message, outcome.status)
    return redirect(request, new_contact_url(request, contact_id))


@signed_in(message=NO_CARD)
async def tap_guest(request: Request) -> Response:
    """Someone with no phone to hand typed their details on mine."""
    account_id = signed_in_account(request)
    form = await read_form(request)
    values, errors = fields.validate_quick(form, phone_region(request))
    if errors:
        return render(
            request,
            "tap.html",
            {"typed": "", "error": "", "values": values, "errors": errors, "guest_open": True},
            status_code=422,
            fragment="_guest_form.html",
        )
    contact_id = await create_guest(request, account_id, values)
    return redirect(request, new_contact_url(request, contact_id))


async def tap_clock(request: Request) -> Response:
    """Server time, for the phone's clock offset (NTP-style, lowest round trip wins)."""
    return JSONResponse({"now": bumps.now_ms()}, headers={"cache-control": "no-store"})


def _number(form: FormData, name: str) -> float | None:
    try:
        value = float(text(form, name))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _answer(request: Request, account_id: int, outcome: bumps.Outcome) -> Response:
    """The bump as the page shows it; once swapped, the way to the new contact."""
    url = None
    if outcome.state == "swapped":
        contact_id = await request.app.state.sql.run(
            request.app.state.pool,
            "contacts.id_for",
            owner_id=account_id,
            contact_id=outcome.partner_account,
        )
        url = new_contact_url(request, contact_id)
    choices = await bumps.crowd(request.app.state.pool, request.app.state.sql, outcome)
    if _wants_json(request):
        return JSONResponse(
            {
                "bump_id": outcome.id,
                "state": outcome.state,
                "partner_name": outcome.partner_name,
                "seen": outcome.seen,
                "url": url,
                "choices": [{"bump_id": c.bump_id, "name": c.name} for c in choices],
                "chosen": outcome.row["chosen_id"],
            }
        )
    if url is not None:
        return redirect(request, url)
    chosen = next((c for c in choices if c.bump_id == outcome.row["chosen_id"]), None)
    return render(request, "_bump.html", {"bump": outcome, "choices": choices, "chosen": chosen})


@signed_in(message=NO_CARD)
async def bump_create(request: Request) -> Response:
    """A bump: record it, pair it, and answer once it is paired, ambiguous or alone."""
    account_id = signed_in_account(request)
    form = await read_form(request)
    bumped_at = _number(form, "bumped_at")
    force = _number(form, "force")
    now = bumps.now_ms()
    if bumped_at is None or not now - MAX_AGE_MS <= bumped_at <= now + FUTURE_MS:
        if _wants_json(request):
            return JSONResponse({"state": "rejected", "message": BUMP_CLOCK}, status_code=422)
        return render(request, "_bump.html", {"bump": None, "error": BUMP_CLOCK}, status_code=422)
    if force is not None and not 0 < force < 1000:
        force = None
    pool, sql = request.app.state.pool, request.app.state.sql
    listener = request.app.state.listener
    bump_id = await bumps.record(pool, sql, account_id, bumped_at, force)
    outcome = await bumps.get(pool, sql, bump_id, account_id)
    assert outcome is not None
    if outcome.state == "waiting":
        outcome = await bumps.wait_for_change(
            pool, sql, listener, bump_id, account_id, outcome.seen, bumped_at + WAIT_MS
        )
        assert outcome is not None
    if outcome.state == "waiting":
        await bumps.give_up(pool, sql, outcome)
    elif outcome.state in ("paired", "ambiguous"):
        # Hold the answer a moment: a third bump still on its way retracts a pair before
        # anyone sees a name, and a crowd's list of names is fuller. Counted from now as
        # well, since time spent before the bump was recorded (the pool, the event's
        # lock) must not eat into that moment.
        await bumps.wait_for_change(
            pool,
            sql,
            listener,
            bump_id,
            account_id,
            outcome.seen,
            max(outcome.row["later_ms"], bumps.now_ms()) + SETTLE_MS,
        )
    outcome = await bumps.get(pool, sql, bump_id, account_id)
    assert outcome is not None
    return await _answer(request, account_id, outcome)


async def _my_bump(request: Request, account_id: int) -> bumps.Outcome:
    outcome = await bumps.get(
        request.app.state.pool, request.app.state.sql, request.path_params["bump_id"], account_id
    )
    if outcome is None:
        raise HTTPException(404, "That bump is not yours, or it is gone. Bump again.")
    return outcome


@signed_in(message=NO_CARD)
async def bump_status(request: Request) -> Response:
    """Long-poll: answer when the bump differs from what the page shows (``seen``)."""
    account_id = signed_in_account(request)
    outcome = await _my_bump(request, account_id)
    seen = request.query_params.get("seen")
    if seen is not None:
        changed = await bumps.wait_for_change(
            request.app.state.pool,
            request.app.state.sql,
            request.app.state.listener,
            outcome.id,
            account_id,
            seen,
            bumps.now_ms() + LONG_POLL_MS,
        )
        assert changed is not None
        outcome = changed
    return await _answer(request, account_id, outcome)


@signed_in(message=NO_CARD)
async def bump_confirm(request: Request) -> Response:
    account_id = signed_in_account(request)
    outcome = await _my_bump(request, account_id)
    if outcome.state not in ("paired", "confirmed", "swapped"):
        return await _answer(request, account_id, outcome)
    await bumps.confirm(request.app.state.pool, request.app.state.sql, outcome, account_id)
    return await _answer(request, account_id, await _my_bump(request, account_id))


@signed_in(message=NO_CARD)
async def bump_decline(request: Request) -> Response:
    account_id = signed_in_account(request)
    outcome = await _my_bump(request, account_id)
    await bumps.decline(request.app.state.pool, request.app.state.sql, outcome)
    return await _answer(request, account_id, await _my_bump(request, account_id))


@signed_in(message=NO_CARD)
async def bump_choose(request: Request) -> Response:
    """In a crowd of bumps: "it was Dana". Two who pick each other are swapped."""
    account_id = signed_in_account(request)
    form = await read_form(request)
    outcome = await _my_bump(request, account_id)
    try:
        choice = int(text(form, "choice"))
    except ValueError:
        choice = 0
    pool, sql = request.app.state.pool, request.app.state.sql
    if not await bumps.choose(pool, sql, outcome, account_id, choice):
        raise HTTPException(409, "That person is no longer in the list. Bump again.")
    return await _answer(request, account_id, await _my_bump(request, account_id))


@signed_in(redirect="card")
async def scan(request: Request) -> Response:
    account_id = signed_in_account(request)
    card = await load_card(request, account_id)
    share_link, _expires_at = await share_url(request, account_id, card["share_generation"])
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
    account_id = viewer(request).account_id
    if account_id is None:
        return _json(*sync.failed(403, "Make your card on this phone first, then swaps can sync."))
    try:
        key, kind, payload, made_at = sync.parse(body)
        canonical = json.dumps([kind, payload], sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).digest()
        sql = request.app.state.sql
        async with request.app.state.pool.acquire() as conn, conn.transaction():
            claimed = await sql.run(
                conn, "sync.claim", account_id=account_id, key=key, payload_hash=digest
            )
            if not claimed:
                first = await sql.run(conn, "sync.get", account_id=account_id, key=key)
                if first["payload_hash"] != digest:
                    return _json(*sync.failed(409, sync.KEY_REUSED))
                return _json(first["status_code"], json.loads(first["answer"]))
            status_code, answer = await sync.perform(
                request,
                conn,
                account_id,
                kind,
                payload,
                sync.made_at(made_at, datetime.now(UTC)),
            )
            await sql.run(
                conn,
                "sync.record",
                account_id=account_id,
                key=key,
                status_code=status_code,
                answer=json.dumps(answer),
            )
    except sync.Answer as exc:
        return _json(exc.status_code, exc.body)
    return _json(status_code, answer)


def _json(status_code: int, body: dict[str, Any]) -> Response:
    return JSONResponse(body, status_code=status_code, headers={"cache-control": "no-store"})


routes = [
    Route("/c/{token}", public_card, name="public_card"),
    Route("/c/{token}/vcard", public_card_vcard, name="public_card_vcard"),
    Route("/c/{token}/swap", swap, methods=["POST"], name="swap"),
    Route("/c/{token}/details", leave_details, methods=["POST"], name="leave_details"),
    Route("/scan", scan, name="scan"),
    Route("/tap", tap, name="tap"),
    Route("/tap/clock", tap_clock, name="tap_clock"),
    Route("/tap/code", tap_code, methods=["POST"], name="tap_code"),
    Route("/tap/code/enter", tap_code_enter, methods=["POST"], name="tap_code_enter"),
    Route("/tap/guest", tap_guest, methods=["POST"], name="tap_guest"),
    Route("/tap/bumps", bump_create, methods=["POST"], name="bump_create"),
    Route("/tap/bumps/{bump_id:int}", bump_status, name="bump_status"),
    Route("/tap/bumps/{bump_id:int}/confirm", bump_confirm, methods=["POST"], name="bump_confirm"),
    Route("/tap/bumps/{bump_id:int}/decline", bump_decline, methods=["POST"], name="bump_decline"),
    Route("/tap/bumps/{bump_id:int}/choose", bump_choose, methods=["POST"], name="bump_choose"),
    Route("/sync/actions", sync_action, methods=["POST"], name="sync_action"),
]
