"""``/requests``: requests to connect waiting for me, people waiting for me to accept them, and
the first page of "Sent by you" (the rest: ``sent_routes.py``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.mail import links
from server.web import pages
from server.web.auth import viewer
from server.web.errors import NoCard, from_our_message
from server.web.templating import render

# People waiting for me to accept them (my card asks first), listed on Requests; the rest
# are in Contacts, marked.
WAITING_SHOWN = 50


async def requests(request: Request) -> Response:
    await links.check_meant_for(request)  # a request's notification, tapped after a switch
    account_id = viewer(request).account_id
    if account_id is None and from_our_message(request):
        # Tapped in a browser signed out since: "Sign in to open this", as Follow-ups says it,
        # not an empty list of requests.
        raise NoCard(404, "")
    rows: list[Any] = []
    waiting: list[Any] = []
    sent: list[Any] = []
    more = sent_more = None
    if account_id is not None:
        rows, more = await pages.by_moment(
            request, "requests.incoming", "created_at", "requests", account_id=account_id
        )
        waiting = await request.app.state.sql.run(
            request.app.state.pool,
            "contacts.waiting_to_be_accepted",
            owner_id=account_id,
            limit=WAITING_SHOWN,
        )
        # Its first page: ?after= here continues the incoming list, not this one.
        found = await request.app.state.sql.run(
            request.app.state.pool,
            "requests.sent",
            account_id=account_id,
            after_at=None,
            after_id=None,
            limit=pages.PAGE_SIZE + 1,
        )
        sent, cursor = pages.page(
            found, lambda row: pages.moment_cursor(row["created_at"], row["id"])
        )
        sent_more = pages.more_url(request, "requests_sent", cursor)
    return render(
        request,
        "requests.html",
        {
            "requests": rows,
            "more": more,
            "waiting": waiting,
            "sent": sent,
            "sent_more": sent_more,
        },
    )


routes = [
    Route("/requests", requests, name="requests"),
]
