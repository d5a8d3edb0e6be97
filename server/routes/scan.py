"""``/scan``: the camera screen that reads another person's card QR (the decoding is in scan.js)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.routes.cards import my_card
from server.routes.share import share_url
from server.templating import render


async def show(request: Request) -> Response:
    mine = await my_card(request)
    if mine is None:
        return RedirectResponse(str(request.app.url_path_for("card")), status_code=303)
    account_id, card = mine
    share_link, _expires_at = await share_url(request, account_id, card["share_generation"])
    base_url = request.app.state.settings.base_url
    return render(
        request,
        "scan.html",
        {"card": card, "card_prefix": f"{base_url}/c/", "share_link": share_link},
    )
