"""Requests I sent: "Sent by you" past its first page (``/requests/sent``), and withdrawing
one."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.web import pages
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.forms import read_form, text
from server.web.htmx import redirect
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path


async def requests_sent(request: Request) -> Response:
    """The rest of "Sent by you", after ?after=: a pending request never expires, so each one
    must be reachable, to see it and withdraw it. Its "Show more" is on the requests page."""
    account_id = viewer(request).account_id
    sent: list[Any] = []
    more = None
    if account_id is not None:
        sent, more = await pages.by_moment(
            request, "requests.sent", "created_at", "requests_sent", account_id=account_id
        )
    # Withdraw comes back to this page, not to the first fifty (``request_withdraw``).
    after = request.query_params.get("after")
    back = url_path(request, "requests_sent") + (f"?{urlencode({'after': after})}" if after else "")
    return render(request, "requests_sent.html", {"sent": sent, "sent_more": more, "back": back})


@signed_in(status_code=404, message="That request is not one of yours.")
async def request_withdraw(request: Request) -> Response:
    """Take back a request I sent: gone from their requests, and from "Sent by you"."""
    account_id = signed_in_account(request)
    withdrawn = await request.app.state.sql.run(
        request.app.state.pool,
        "requests.withdraw",
        id=request.path_params["request_id"],
        from_id=account_id,
    )
    if withdrawn is None:
        raise HTTPException(
            404,
            "That request is not waiting any more: if they accepted, they are in your contacts.",
        )
    # Withdrawn from a later page of "Sent by you" (clearing out old ones): back to that page,
    # not the first fifty. Only a page of /requests/sent is taken from the form.
    form = await read_form(request)
    back = text(form, "back")
    sent_page = len(back) <= 300 and back.isprintable()
    if not (sent_page and back.partition("?")[0] == url_path(request, "requests_sent")):
        back = url_path(request, "requests")
    return redirect(request, with_notice(back, "request_withdrawn"))


routes = [
    Route("/requests/sent", requests_sent, name="requests_sent"),
    Route(
        "/requests/sent/{request_id:int}/withdraw",
        request_withdraw,
        methods=["POST"],
        name="request_withdraw",
    ),
]
