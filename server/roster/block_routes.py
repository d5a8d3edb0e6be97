"""Blocking someone from an event's list of people (the block itself:
``server/contacts/blocks.py``)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.contacts import blocks
from server.events.events import load_event
from server.web.auth import signed_in_account, viewer
from server.web.notices import with_notice
from server.web.urls import url_path


async def event_block(request: Request) -> Response:
    """One tap: they no longer see me in rosters, and I no longer see them; if we were
    connected, we no longer are, and we cannot swap or ask to connect."""
    event = await load_event(request)
    other = request.path_params["account_id"]
    if other == viewer(request).account_id:
        raise HTTPException(400, "You cannot block yourself.")
    account_id = signed_in_account(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    # Only someone the list shows me (the rule a request to connect asks), or a second tap
    # of my own Block: the same answer for someone unlisted, someone who blocked me, or
    # nobody there, so the answer tells nobody who is at the event.
    shown = await sql.run(
        pool, "requests.can_ask", event_id=event["id"], other_id=other, viewer_id=account_id
    )
    if not shown and not await sql.run(
        pool, "blocks.made", blocker_id=account_id, blocked_id=other
    ):
        raise HTTPException(404, "That person is not on this event's list of people.")
    await blocks.block(pool, sql, account_id, other)
    return RedirectResponse(
        with_notice(url_path(request, "event_people", event_id=event["id"]), "blocked"),
        status_code=303,
    )


routes = [
    Route(
        "/events/{event_id:int}/people/{account_id:int}/block",
        event_block,
        methods=["POST"],
        name="event_block",
    ),
]
