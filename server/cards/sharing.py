"""My card's share link: a signed token that outlasts the day and my current event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request

from server.cards import share_tokens
from server.web.auth import viewer
from server.web.urls import url_path


async def share_url(
    request: Request, account_id: int, generation: int, share_id: int
) -> tuple[str, datetime, Any]:
    """My card's link: valid for at least SHARE_TOKEN_TTL, until the local midnight after,
    and at least until my current event is over; with that event (id, name), or None.

    A phone keeps the page it last saw for when the venue's network is gone, so the code
    on it must outlast the day or the event; and ending on a midnight keeps it the same
    code all day, so the QR someone photographed is the one my phone shows offline.
    """
    settings = request.app.state.settings
    now = datetime.now(UTC)
    local = (now + settings.share_token_ttl).astimezone(ZoneInfo(viewer(request).time_zone))
    expires_at = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    event = await request.app.state.sql.run(
        request.app.state.pool, "events.current", account_id=account_id
    )
    if event is not None:
        expires_at = max(expires_at, event["over_at"])
    # The card's opaque share id, never the account id: a token is read by whoever scans it.
    token = share_tokens.issue(settings.secret_key, share_id, generation, now, expires_at - now)
    # BASE_URL, not the request's host: the QR must open on another phone.
    path = url_path(request, "public_card", token=token)
    return f"{settings.base_url}{path}", expires_at, event


def tag_url(request: Request, share_id: int, generation: int) -> str:
    """The link an NFC tag holds: it lasts until I reset my code, not a day, since a tag is
    written once and stays on a badge or a phone case. It names the card by its opaque
    ``share_id``, like the share link."""
    settings = request.app.state.settings
    token = share_tokens.issue_for_tag(settings.secret_key, share_id, generation)
    return f"{settings.base_url}{url_path(request, 'public_card', token=token)}"


def until_words(expires_at: datetime) -> str:
    """When a shown code stops working, as a person reads it: "the end of Sun 6 Dec" for a
    local midnight (not "Mon 7 Dec, 00:00", a day that looks one too late), else the day and
    time ("Mon 7 Dec, 18:30", the end of an event)."""
    if (expires_at.hour, expires_at.minute, expires_at.second) == (0, 0, 0):
        return "the end of " + (expires_at - timedelta(days=1)).strftime("%a %-d %b")
    return expires_at.strftime("%a %-d %b, %H:%M")
