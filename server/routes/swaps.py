"""``/c/<token>``: a card opened from a QR code, and the swap, with or without an account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server import card_fields, photos, sessions, share_tokens, time_zones, vcard
from server.db import Connection, Queries
from server.forms import read_form, text
from server.htmx import redirect
from server.routes.cards import load_card, phone_region
from server.sessions import current_account
from server.templating import render

EXPIRED = "This code has expired. Ask them to show their QR code again."
REPLACED = "This code was replaced by a newer one. Ask them to show their QR code again."
UNKNOWN = "We don't recognise this code. Check the link, or ask them to show their QR code again."
SELF = "This is your own card. Show this QR code to someone else to swap details."


@dataclass(frozen=True)
class Visit:
    """Who is looking at whose card, and what they may see."""

    card: Any
    owner_id: int
    viewer_id: int | None
    contact_id: int | None  # the viewer's contact row for the owner, once connected

    @property
    def own(self) -> bool:
        return self.viewer_id == self.owner_id

    @property
    def limited(self) -> bool:
        return bool(self.card["ask_details_first"]) and self.contact_id is None and not self.own


async def card_for_token(request: Request, token: str, at: datetime) -> Any:
    """The card a share token opens, if it was valid ``at``; else the friendly 404/410."""
    decoded = share_tokens.decode(request.app.state.settings.secret_key, token, at)
    if decoded.status is share_tokens.Status.MALFORMED:
        raise HTTPException(404, UNKNOWN)
    card = await load_card(request, decoded.account_id)
    if card is None:
        raise HTTPException(404, UNKNOWN)
    if decoded.generation != card["share_generation"]:
        raise HTTPException(410, REPLACED)
    if decoded.status is share_tokens.Status.EXPIRED:
        raise HTTPException(410, EXPIRED)
    return card


async def load_visit(request: Request) -> Visit:
    """Resolve the token in the URL, or raise the friendly 404/410 for a bad one."""
    card = await card_for_token(request, request.path_params["token"], datetime.now(UTC))
    owner_id = card["account_id"]
    viewer_id = await current_account(request)
    contact_id = None
    if viewer_id is not None and viewer_id != owner_id:
        contact_id = await request.app.state.pool.fetchval(
            request.app.state.sql["contacts.id_for"], viewer_id, owner_id
        )
    return Visit(card, owner_id, viewer_id, contact_id)


def _page(
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
            "values": values or dict.fromkeys(card_fields.QUICK_FIELDS, ""),
            "errors": errors or {},
        },
        status_code=status_code,
        fragment="_leave_details.html" if errors else None,
    )
    response.headers["x-robots-tag"] = "noindex, nofollow"
    return response


async def show(request: Request) -> Response:
    # A GET only reads: link previews and crawlers that open a shared link create nothing.
    return _page(request, await load_visit(request))


async def download_vcard(request: Request) -> Response:
    visit = await load_visit(request)
    if visit.limited:
        raise HTTPException(403, "They share their details once you leave yours.")
    photo = await photos.load(request, visit.card["photo_key"])
    return vcard.response(visit.card, note="Added from Reachout.", photo_jpeg=photo)


async def connect(
    conn: asyncpg.Pool | Connection,
    sql: Queries,
    viewer_id: int,
    owner_id: int,
    met_at: datetime | None = None,
) -> int:
    """Connect both ways (idempotent); returns the viewer's contact row for the owner."""
    contact_id: int | None = await conn.fetchval(
        sql["contacts.connect"], viewer_id, owner_id, None, met_at
    )
    if contact_id is None:
        # A concurrent tap made the connection after our statement's snapshot.
        contact_id = await conn.fetchval(sql["contacts.id_for"], viewer_id, owner_id)
    assert contact_id is not None
    return contact_id


async def swap(request: Request) -> Response:
    """One tap for someone who already has a card: connect both ways."""
    await read_form(request)
    return await _swap(request, await load_visit(request))


async def _swap(request: Request, visit: Visit) -> Response:
    if visit.viewer_id is None:
        raise HTTPException(403, "Leave your details below to swap.")
    if visit.own:
        raise HTTPException(400, SELF)
    contact_id = await connect(
        request.app.state.pool, request.app.state.sql, visit.viewer_id, visit.owner_id
    )
    return redirect(
        request, str(request.app.url_path_for("contact", contact_id=contact_id)) + "?new=1"
    )


async def leave_details(request: Request) -> Response:
    """The person with no app and no card: one form makes their account, card and the swap."""
    form = await read_form(request)
    visit = await load_visit(request)
    if visit.own:
        raise HTTPException(400, SELF)
    if visit.viewer_id is not None:
        # Already has a card in this browser: the details form is just a swap.
        return await _swap(request, visit)
    values, errors = card_fields.validate_quick(form, phone_region(request))
    if errors:
        return _page(request, visit, values=values, errors=errors, status_code=422)
    sql = request.app.state.sql
    ordered = [values.get(name, "") for name in card_fields.FIELD_NAMES]
    token, token_hash = sessions.new_token()
    time_zone = time_zones.choose(text(form, "time_zone"), request.app.state.time_zones)
    contact_id = await request.app.state.pool.fetchval(
        sql["accounts.join_with_details"], token_hash, *ordered, visit.owner_id, time_zone
    )
    response = redirect(request, str(request.app.url_path_for("welcome", contact_id=contact_id)))
    sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
    return response
