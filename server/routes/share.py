"""``/share``: my QR code and link, resetting the code, and "ask for their details first"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server import qr, sessions, share_tokens
from server.forms import read_form, text
from server.htmx import htmx
from server.routes.cards import load_card, my_card
from server.templating import render


async def share_url(request: Request, account_id: int, generation: int) -> tuple[str, datetime]:
    """My card's link: valid for at least SHARE_TOKEN_TTL, until the local midnight after,
    and at least until my current event is over.

    A phone keeps the page it last saw for when the venue's network is gone, so the code
    on it must outlast the day or the event; and ending on a midnight keeps it the same
    code all day, so the QR someone photographed is the one my phone shows offline.
    """
    settings = request.app.state.settings
    now = datetime.now(UTC)
    local = (now + settings.share_token_ttl).astimezone(ZoneInfo(sessions.time_zone(request)))
    expires_at = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    event_over = await request.app.state.pool.fetchval(
        request.app.state.sql["events.current_end"], account_id
    )
    if event_over is not None:
        expires_at = max(expires_at, event_over)
    token = share_tokens.issue(settings.secret_key, account_id, generation, now, expires_at - now)
    # BASE_URL, not the request's host: the QR must open on another phone.
    path = request.app.url_path_for("public_card", token=token)
    return f"{settings.base_url}{path}", expires_at


async def show(request: Request) -> Response:
    mine = await my_card(request)
    if mine is None:
        return RedirectResponse(str(request.app.url_path_for("card")), status_code=303)
    account_id, card = mine
    url, expires_at = await share_url(request, account_id, card["share_generation"])
    return render(
        request,
        "share.html",
        {
            "card": card,
            "share_link": url,
            "expires_at": expires_at.astimezone(ZoneInfo(sessions.time_zone(request))),
            # segno is pure Python (~10 ms a code): keep it off the event loop.
            "qr_svg": await run_in_threadpool(
                qr.svg, url, title=f"QR code for {card['name']}'s card"
            ),
            "reset": request.query_params.get("reset") == "1",
        },
    )


async def reset(request: Request) -> Response:
    mine = await my_card(request)
    if mine is None:
        raise HTTPException(403, "Save your card first.")
    account_id, _card = mine
    await read_form(request)
    await request.app.state.pool.execute(request.app.state.sql["cards.reset_share"], account_id)
    return RedirectResponse(str(request.app.url_path_for("share")) + "?reset=1", status_code=303)


async def set_ask_first(request: Request) -> Response:
    mine = await my_card(request)
    if mine is None:
        raise HTTPException(403, "Save your card first.")
    account_id, card = mine
    form = await read_form(request)
    enabled = text(form, "ask_details_first") == "on"
    await request.app.state.pool.execute(
        request.app.state.sql["cards.set_ask_details_first"], account_id, enabled
    )
    if htmx(request):
        card = await load_card(request, account_id)
        return render(request, "_ask_first.html", {"card": card, "saved": True})
    return RedirectResponse(str(request.app.url_path_for("share")), status_code=303)
