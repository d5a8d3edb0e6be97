"""Asking someone on an event's list of people (or its matches) to connect, within the limits
of ``asking.py``; asking back someone who asked me first accepts theirs."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.events import events
from server.events.events import load_event
from server.roster import asking
from server.roster.answering import decide
from server.web.auth import signed_in, signed_in_account
from server.web.htmx import htmx, trigger_client_event
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path


@signed_in(status_code=404, message="That event is not one of yours.")
async def request_connect(request: Request) -> Response:
    event = await load_event(request)
    me, other = signed_in_account(request), request.path_params["account_id"]
    pool, sql = request.app.state.pool, request.app.state.sql
    if other == me:
        raise HTTPException(400, "That is you. Show your QR code to someone else instead.")
    if not event["is_attendee"]:
        raise HTTPException(404, "That event is not one of yours.")
    if not event["roster_open"]:
        # Said as the list of people says it: a page open since is told why, not "not yours".
        raise events.roster_closed()
    # Only someone I can see on the roster can be asked: listed, present, no block.
    visible = await sql.run(
        pool, "requests.can_ask", event_id=event["id"], viewer_id=me, other_id=other
    )
    if not visible:
        raise HTTPException(404, "That person is not on this event's list.")
    if await sql.run(pool, "contacts.id_for", owner_id=me, contact_id=other) is not None:
        raise HTTPException(400, "You are already connected: they are in your contacts.")
    async with pool.acquire() as conn, conn.transaction():
        # Held until the request is made: the other asking me at the same moment waits, then
        # finds mine (and accepts it), rather than both asking and the one-pending-per-pair
        # index refusing the second (a 500, with a revived request, which ON CONFLICT misses).
        await sql.run(conn, "requests.lock_between", from_id=me, to_id=other)
        # They asked me first (the page was older than their request): both want it, so
        # asking back accepts theirs rather than refusing mine.
        asked_me = await sql.run(conn, "requests.waiting_from", from_id=other, to_id=me)
        # Asked already (a second tap, another device): the same request, and no second
        # one counted against the hour's. A declined one too: to me it reads as waiting.
        asked = asked_me is None and await sql.run(
            conn, "requests.sent_to", from_id=me, to_id=other
        )
        made = None
        if not asked and asked_me is None:
            # Counted and checked in one locked step: thirty requests at once send thirty.
            # The sender, whom it reaches (once: not again for one withdrawn and asked
            # again), the address, then a new card's few (asking.take).
            again = await sql.run(conn, "requests.withdrawn_to", from_id=me, to_id=other)
            await asking.take(conn, request, me, other, again=again)
            made = await sql.run(
                conn, "requests.create", event_id=event["id"], from_id=me, to_id=other
            )
    if asked_me is not None:
        # Decided once the pair's lock is let go: decide() takes it on a connection of its own.
        return await decide(request, me, asked_me, "accept")
    if not asked and made is None:
        # The lock leaves no request between the two to refuse this: one of them is out of the
        # event since the checks above (left, or removed by its organizer at that moment).
        if not (await load_event(request))["is_attendee"]:
            raise HTTPException(404, "That event is not one of yours.")
        raise HTTPException(404, "That person is not on this event's list.")
    if htmx(request):
        # The same person may be in both lists of matches: their other button says so too.
        return trigger_client_event(
            render(request, "_request_sent.html", {}),
            "reachout:requested",
            {"person": other},
            after="swap",
        )
    people = url_path(request, "event_people", event_id=event["id"])
    return RedirectResponse(with_notice(people, "requested"), status_code=303)


routes = [
    Route(
        "/events/{event_id:int}/people/{account_id:int}/request",
        request_connect,
        methods=["POST"],
        name="request_connect",
    ),
]
