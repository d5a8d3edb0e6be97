"""An event's join code in its organizer's hands: the printable poster that shows it (QR code,
code, and when joining opens), a new code when it got out, and closing the event, which ends
it."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.events import events, joining
from server.events.events import join_url, load_event
from server.web import limits, qr
from server.web.auth import signed_in
from server.web.forms import read_form
from server.web.htmx import redirect
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

# New join codes: a poster's photo posted online calls for one, a few more at most; each
# stops every printed poster and handed-out link of the event, so a day's worth is plenty.
NEW_CODES_PER_DAY = 10
NEW_CODES = limits.Rule(
    "event-new-codes",
    NEW_CODES_PER_DAY,
    timedelta(days=1),
    f"This event has had {NEW_CODES_PER_DAY} new codes today. Its code stays as it is: please"
    " try again {wait}.",
)
NO_CODE_TO_REPLACE = "Nobody can join this event any more, so it has no code to replace."


async def event_poster(request: Request) -> Response:
    event = await load_event(request, organizer=True)
    link = join_url(request, event["join_code"])
    svg = await run_in_threadpool(qr.svg, link, title=f"QR code to join {event['name']}")
    return render(
        request,
        "event_poster.html",
        {
            "event": event,
            "qr_svg": svg,
            "join_link": link,
            "code": events.spoken(event["join_code"]),
            # Printed days ahead, a poster scanned before then lets nobody in: it says when.
            "joining_opens": joining.opens_later(event),
            # "New join code…" leads to the event page's, shown only while it can be joined.
            "joinable": joining.joinable(event),
        },
    )


@signed_in(status_code=404, message="That event is not one of yours.")
async def event_new_code(request: Request) -> Response:
    """The organizer replaces the join code (a photo of the poster posted online): the old
    code then opens nothing, and the links signed for it (the poster's QR code, the join
    link) with it; the people already there stay. Drawn as ``form_routes.event_create`` draws
    one."""
    await read_form(request)
    event = await load_event(request, organizer=True)
    if not joining.joinable(event):
        raise HTTPException(409, NO_CODE_TO_REPLACE)
    pool, sql = request.app.state.pool, request.app.state.sql
    await limits.take(pool, sql, (NEW_CODES, event["id"]))
    for _ in range(10):  # a clash among 887 million codes is rare; just draw again
        try:
            changed = await sql.run(
                pool,
                "events.new_join_code",
                id=event["id"],
                organizer_id=event["organizer_id"],
                join_code=events.new_code(),
            )
        except asyncpg.UniqueViolationError:
            continue
        break
    else:  # pragma: no cover - ten clashes in a row
        raise HTTPException(503, "Please try again.")
    if changed is None:
        # Deleted meanwhile (its organizer's account, from another browser).
        raise HTTPException(404, "That event is not one of yours.")
    return redirect(
        request, with_notice(url_path(request, "event", event_id=event["id"]), "join_code_new")
    )


async def event_close(request: Request) -> Response:
    event = await load_event(request, organizer=True)
    await request.app.state.sql.run(
        request.app.state.pool, "events.close", id=event["id"], organizer_id=event["organizer_id"]
    )
    # Said, as Save and "New join code" are: the page looks much as before (its code gone).
    return RedirectResponse(
        with_notice(url_path(request, "event", event_id=event["id"]), "event_closed"),
        status_code=303,
    )


routes = [
    Route("/events/{event_id:int}/poster", event_poster, name="event_poster"),
    Route(
        "/events/{event_id:int}/new-code", event_new_code, methods=["POST"], name="event_new_code"
    ),
    Route("/events/{event_id:int}/close", event_close, methods=["POST"], name="event_close"),
]
