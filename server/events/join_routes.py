"""Joining an event: by the code the organizer reads out (``/join``), or by its link or poster's
QR code (``/j/<code>``), whose form also makes a card for someone with no account."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.cards import fields
from server.cards.cards import phone_region
from server.db import time_zones
from server.events import events, joining
from server.events.events import join_path
from server.mail import addresses
from server.swaps.joining import attempt_hash
from server.web import limits, sessions
from server.web.auth import viewer
from server.web.errors import Titled
from server.web.forms import read_form, text
from server.web.htmx import redirect
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

JOIN_SIGNED_OUT = (
    "You were signed out on this browser (from another device), so you have not joined."
    " Sign in to join as yourself."
)
JOIN_DELETED = (
    "Your account was deleted from another browser, so you have not joined. To join, make a"
    " new card below."
)


async def _by_code(request: Request, code: str | None = None) -> Any:
    """The event the code in the URL (or ``code``) opens; else the HTTP error to show."""
    return await joining.find(
        request.app.state.pool,
        request.app.state.sql,
        request.path_params["code"] if code is None else code,
        viewer(request).account_id,
        limits.address_key(request),  # IPv6 by its /64, as every limit counts addresses
        secret_key=request.app.state.settings.secret_key,
        signature=request.query_params.get("k", "")[:100],
    )


def _join_page(
    request: Request,
    event: Any,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    refused: str = "",
    signed_out_here: str = "",
) -> Response:
    response = render(
        request,
        "event_join.html",
        {
            "event": event,
            "join_action": join_path(request, event["join_code"]),
            "tz": event["time_zone"],
            "values": values or dict.fromkeys(fields.QUICK_FIELDS, ""),
            "errors": errors or {},
            "listed": True if values is None else values.get("listed") == "on",
            "refused": refused,
            "signed_out_here": signed_out_here,
        },
        status_code=status_code,
    )
    response.headers["x-robots-tag"] = "noindex, nofollow"
    return response


def _joined(event: Any) -> str:
    """The notice for someone who just joined: "swap with anyone here", or, once the event
    has ended (joining stays open two days after), that it has."""
    return "joined_after" if event["ends_at"] < datetime.now(UTC) else "joined"


async def join_event(request: Request) -> Response:
    # A GET only reads: a scanner's link preview joins nobody.
    event = await _by_code(request)
    if event["present"]:
        # The poster scanned again: the event, not a second "Join the event" (nor, once it
        # is closed or over, a refusal meant for newcomers).
        return RedirectResponse(url_path(request, "event", event_id=event["id"]), status_code=303)
    return _join_page(request, event)


async def join_event_submit(request: Request) -> Response:
    """Join by QR or code; someone with no account makes their card in the same form."""
    form = await read_form(request)
    event = await _by_code(request)
    listed = text(form, "listed") == "on"
    pool, sql = request.app.state.pool, request.app.state.sql
    account_id = viewer(request).account_id
    joined = with_notice(url_path(request, "event", event_id=event["id"]), _joined(event))
    if event["present"]:
        # A join page left open in a tab, sent once in: told they are in, and nothing changed
        # (its ticked box would list someone who hid since, on an event closed or not).
        return redirect(request, joined)
    if account_id is not None:
        await sql.run(
            pool, "events.join", event_id=event["id"], account_id=account_id, listed=listed
        )
        return redirect(request, joined)
    if viewer(request).signed_out and all(form.get(name) is None for name in fields.QUICK_FIELDS):
        # A join page shown while signed in (no card fields), sent after a sign-out from
        # another device: taken as a newcomer's, it would ask for a name the page never
        # showed and make a second account. Said inside the form, which htmx swaps in.
        return _join_page(
            request,
            event,
            values={**dict.fromkeys(fields.QUICK_FIELDS, ""), "listed": text(form, "listed")},
            status_code=403,
            signed_out_here=JOIN_DELETED if viewer(request).account_deleted else JOIN_SIGNED_OUT,
        )
    values, errors = fields.validate_quick(form, phone_region(request))
    if errors:
        return _join_page(
            request,
            event,
            values={**values, "listed": text(form, "listed")},
            errors=errors,
            status_code=422,
        )
    address = addresses.normalize(values.get("email", ""))
    if await sql.run(pool, "events.address_removed", event_id=event["id"], address=address):
        # Someone removed, back as someone new with the same address; or anyone typing it:
        # told as a card with it is (joining.BARRED), never that its owner was removed.
        raise Titled(403, joining.BARRED, title=joining.BARRED_TITLE)
    token, token_hash = sessions.new_token()
    try:
        await joining.newcomer_joins(
            request,
            event["id"],
            values,
            listed=listed,
            token_hash=token_hash,
            time_zone=time_zones.choose(text(form, "time_zone"), request.app.state.time_zones),
            attempt=attempt_hash(form),
        )
    except limits.TooMany as too_many:
        # Said in the form, which keeps what was typed; nothing was made.
        refused = _join_page(
            request,
            event,
            values={**values, "listed": text(form, "listed")},
            status_code=429,
            refused=str(too_many.detail),
        )
        refused.headers.update(too_many.headers or {})
        return refused
    response = redirect(request, joined)
    sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
    return response


async def join_code(request: Request) -> Response:
    """``/join``: type the code the organizer reads out."""
    raw = request.query_params.get("code")
    if raw is None:
        return render(request, "event_code.html", {"code": "", "error": None})
    # Read whole, shown cut: what was typed is counted as typed ("that was 5000", not 40).
    code = events.normalise_code(raw)
    if code is None:
        mistake = events.code_mistake(raw)
        return render(
            request, "event_code.html", {"code": raw[:40], "error": mistake}, status_code=422
        )
    try:
        event = await _by_code(request, code)
    except HTTPException as refused:
        # Said under the field, with what was typed: a code misheard is typed again here.
        page = render(
            request,
            "event_code.html",
            {"code": raw[:40], "error": refused.detail},
            status_code=refused.status_code,
        )
        page.headers.update(refused.headers or {})  # a 429's Retry-After
        return page
    if event["present"]:
        # Typed again by someone there (the organizer, an attendee): the event itself.
        return RedirectResponse(url_path(request, "event", event_id=event["id"]), status_code=303)
    # Found within the limits: the join page and its form go on by a signed link.
    return RedirectResponse(join_path(request, code), status_code=303)


routes = [
    Route("/join", join_code, name="join_code"),
    Route("/j/{code}", join_event, name="join_event"),
    Route("/j/{code}", join_event_submit, methods=["POST"], name="join_event_submit"),
]
