"""``/events/<id>/people``: who else is at an event, for its attendees while the list is open,
searched as they type, a page at a time ("Show more"). Showing myself there, leaving, blocking,
matches and requests to connect each have a ``<what>_routes.py`` beside this one."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.events import events
from server.events.events import load_event
from server.mail import links

# The limits on requests to connect (asking.py), named here too: tests/roster takes them from
# the area's routes, where they were before its pages had a module each.
from server.roster.asking import REQUESTS as REQUESTS
from server.roster.asking import REQUESTS_PER_ADDRESS as REQUESTS_PER_ADDRESS
from server.roster.asking import REQUESTS_TO_PERSON as REQUESTS_TO_PERSON
from server.roster.search import QUERY_MAX, search
from server.web import pages
from server.web.templating import render


async def event_people(request: Request) -> Response:
    """The roster: listed attendees, searchable as you type; only for attendees, for a while."""
    await links.check_meant_for(request)  # a digest's "See who was there"
    event = await load_event(request)
    if not event["is_attendee"]:
        raise HTTPException(404, "That event is not one of yours.")
    if not event["roster_open"]:
        raise events.roster_closed()
    query = request.query_params.get("q", "")[:QUERY_MAX]
    found = await search(request, event["id"], query)
    more = pages.more_url(request, "event_people", found.cursor, {"event_id": event["id"]}, q=query)
    return render(
        request,
        "event_people.html",
        {
            "event": event,
            "people": found.people,
            "q": query,
            "searched": found.searched,
            "more": more,
        },
        fragment="_event_people_list.html",
    )


routes = [
    Route("/events/{event_id:int}/people", event_people, name="event_people"),
]
