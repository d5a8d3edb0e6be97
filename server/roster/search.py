"""Searching an event's list of people, a page at a time: for the list (``routes.py``), and for
what a Block in place says the search finds once that person is gone (``block_routes.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from server.events import events
from server.roster.cursor import roster_after, roster_cursor
from server.web import pages
from server.web.auth import viewer

# What the list reads of a search: no more is looked for, or carried back by a Block.
QUERY_MAX = 100


@dataclass(frozen=True)
class Found:
    """A page of an event's people for a search: who, the cursor after them (None: no more),
    and whether the search had words to look for."""

    people: list[Any]
    cursor: str | None
    searched: bool


async def search(request: Request, event_id: int, query: str, *, first_page: bool = False) -> Found:
    """The people ``query`` finds on the event's list, for me: the page ``?after=`` asks for,
    or the first. The first is also what a Block in place says the search finds now
    (block_routes), in the words the list says it with."""
    terms = events.prefix_query(query)
    found = []
    # Signs alone typed (an emoji, a "?"): no word to look for, and nobody matches, rather
    # than no search at all and everyone listed as if they did.
    if terms is not None or not query.strip():
        found = await request.app.state.sql.run(
            request.app.state.pool,
            "events.roster",
            event_id=event_id,
            viewer_id=viewer(request).account_id,
            query=terms,
            after=None if first_page else roster_after(request, searching=terms is not None),
            limit=pages.PAGE_SIZE + 1,
        )
    rows, cursor = pages.page(found, roster_cursor)
    return Found(rows, cursor, terms is not None)
