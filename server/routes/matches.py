""" "People who can help you": attendees whose offers meet my needs, and the reverse."""

from __future__ import annotations

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.routes.events import _event
from server.templating import render


def highlight(text: str) -> Markup:
    """Escape the person's words, then turn PostgreSQL's markers into <mark>.

    The markers are control characters, which card fields never contain (forms.text
    strips them), so only PostgreSQL can have put them there.
    """
    marked = str(escape(text)).replace("\x01", "<mark>").replace("\x02", "</mark>")
    return Markup(marked)  # noqa: S704 - escaped above


async def show(request: Request) -> Response:
    event = await _event(request)
    if not event["is_attendee"]:
        raise HTTPException(404, "That event is not one of yours.")
    if not event["roster_open"]:
        raise HTTPException(410, "This event's list of people has closed.")
    rows = await request.app.state.pool.fetch(
        request.app.state.sql["matches.for_me"], event["id"], request.state.account_id
    )
    people = [{**row, "highlighted": highlight(row["highlighted"])} for row in rows]
    return render(
        request,
        "event_matches.html",
        {
            "event": event,
            "helps_me": [p for p in people if p["direction"] == "helps_me"],
            "i_help": [p for p in people if p["direction"] == "i_help"],
        },
    )
