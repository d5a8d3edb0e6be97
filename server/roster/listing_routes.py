"""My place on an event's list of people: shown there or not ("Show me in the list of people
here"), and leaving the event (not for its organizer)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.events.events import load_event
from server.web.auth import viewer
from server.web.errors import Titled
from server.web.forms import read_form, text
from server.web.htmx import htmx
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path


async def event_listing(request: Request) -> Response:
    form = await read_form(request)
    event = await load_event(request)
    listed = text(form, "listed") == "on"
    await request.app.state.sql.run(
        request.app.state.pool,
        "events.set_listed",
        event_id=event["id"],
        account_id=viewer(request).account_id,
        listed=listed,
    )
    if htmx(request):
        event = await load_event(request)
        return render(request, "_event_listing.html", {"event": event, "saved": True})
    return RedirectResponse(url_path(request, "event", event_id=event["id"]), status_code=303)


async def event_leave(request: Request) -> Response:
    event = await load_event(request)
    if event["is_organizer"]:
        raise Titled(
            409,
            "You organise this event, so you stay with it. To be off its list of people, untick"
            ' "Show me in the list of people here" on its page; to stop people joining, close'
            " the event.",
            title="You run this event",
        )
    await request.app.state.sql.run(
        request.app.state.pool,
        "events.leave",
        event_id=event["id"],
        account_id=viewer(request).account_id,
    )
    return RedirectResponse(with_notice(url_path(request, "events"), "left_event"), status_code=303)


routes = [
    Route("/events/{event_id:int}/listing", event_listing, methods=["POST"], name="event_listing"),
    Route("/events/{event_id:int}/leave", event_leave, methods=["POST"], name="event_leave"),
]
