"""``/events/<id>/matches``: "People who can help you" and "People you can help" at an event,
by what attendees' cards say they are looking for and can help with."""

from __future__ import annotations

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.cards.cards import load_card
from server.events import events, joining
from server.events.events import load_event
from server.web.auth import signed_in_account, viewer
from server.web.templating import render


def highlight(text: str) -> Markup:
    """Escape the person's words, then turn PostgreSQL's markers into <mark>.

    The markers are control characters, which card fields never contain (forms.text
    strips them), so only PostgreSQL can have put them there.
    """
    marked = str(escape(text)).replace("\x01", "<mark>").replace("\x02", "</mark>")
    return Markup(marked)  # noqa: S704 - escaped above


async def event_matches(request: Request) -> Response:
    event = await load_event(request)
    if not event["is_attendee"]:
        raise HTTPException(404, "That event is not one of yours.")
    if not event["roster_open"]:
        raise events.roster_closed()
    rows = await request.app.state.sql.run(
        request.app.state.pool,
        "matches.for_me",
        event_id=event["id"],
        viewer_id=viewer(request).account_id,
    )
    people = [{**row, "highlighted": highlight(row["highlighted"])} for row in rows]
    card = await load_card(request, signed_in_account(request))
    return render(
        request,
        "event_matches.html",
        {
            "event": event,
            "card_says": {name: bool(card[name]) for name in ("looking_for", "can_help_with")},
            # Over or closed, the list is open a while yet, but nobody new will be on it.
            "joinable": joining.joinable(event),
            "helps_me": [p for p in people if p["direction"] == "helps_me"],
            "i_help": [p for p in people if p["direction"] == "i_help"],
        },
    )


routes = [
    Route("/events/{event_id:int}/matches", event_matches, name="event_matches"),
]
