"""``/contacts``: my contacts, newest met first, searched as I type and filtered by where we
met, a page at a time ("Show more"), with the notice of a removal just made (Undo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.contacts.contacts import like_pattern
from server.contacts.removed import named_removal
from server.contacts.shown import KEPT_CHECK_HEADER
from server.web import pages
from server.web.auth import viewer
from server.web.forms import an_id, plain
from server.web.templating import render
from server.web.urls import url_path


async def contacts(request: Request) -> Response:
    account_id = viewer(request).account_id
    typed = request.query_params.get("q", "")[:100]
    # Read as every form field is (forms.plain): NUL, which no query can take, and the other
    # hidden characters left out. Only those typed: no words to look for, and nobody
    # listed, as the event's people search says it (rather than everyone, as if they matched).
    query = plain(typed)
    pattern = like_pattern(query)
    unsearchable = pattern is None and bool(typed.strip())
    event_id = an_id(request.query_params.get("event"))
    rows: list[Any] = []
    events: list[Any] = []
    removed = None
    more = None
    if account_id is not None:
        pool, sql = request.app.state.pool, request.app.state.sql
        searching = pattern is not None
        after = contacts_after(request, searching=searching)
        if not unsearchable:
            found = await sql.run(
                pool,
                "contacts.search",
                owner_id=account_id,
                pattern=pattern,
                event_id=event_id,
                after_tier=after.tier,
                after_at=after.at,
                after_id=after.id,
                limit=pages.PAGE_SIZE + 1,
            )
            rows, cursor = pages.page(found, lambda row: contacts_cursor(row, searching=searching))
            more = pages.more_url(request, "contacts", cursor, q=query, event=event_id)
        # The "where we met" filter offers my latest hundred events (a menu, not a list to
        # page), and always the one chosen; none over a list with nobody in it at all. Kept
        # when a search, a filter or a later page found nobody: it may be what to change.
        narrowed = typed.strip() or event_id is not None or pages.PARAM in request.query_params
        if rows or narrowed:
            events = await sql.run(
                pool, "events.mine", account_id=account_id, after_at=None, after_id=None, limit=100
            )
            events = await _with_filter_event(request, account_id, events, event_id)
        removed = await named_removal(request, account_id)
    response = render(
        request,
        "contacts.html",
        {
            "contacts": rows,
            "q": query,
            "unsearchable": unsearchable,
            "event_id": event_id,
            "events": events,
            "removed": removed,
            "more": more,
        },
        fragment="_contact_list.html",
    )
    if account_id is not None:
        response.headers[KEPT_CHECK_HEADER] = url_path(request, "contacts_kept")
    return response


BAD_CURSOR = (
    'That "Show more" link is not one this list made, so it cannot say where to go on.'
    " Open your contacts again to start from the top."
)


@dataclass(frozen=True)
class ContactsAfter:
    """Where the next page of contacts starts: after the row of group ``tier`` (1: names
    starting with the words typed, or everyone when nothing was typed; 2: the rest found) met
    at ``at`` with ``id``; all None: the first page. Without a search ``tier`` is None (one
    group, which the query takes as 1)."""

    tier: int | None = None
    at: datetime | None = None
    id: int | None = None


def contacts_cursor(row: Any, *, searching: bool) -> str:
    """``<microseconds since 1970>.<id>`` of the last contact shown, as every moment-ordered
    list's; a search puts its group first (``<group>.<microseconds>.<id>``), so the next page
    is placed by these values and never by that contact's name now (renamed since, it would
    be in the other group, and the next page would skip or repeat people)."""
    moment = pages.moment_cursor(row["met_at"], row["id"])
    return f"{row['tier']}.{moment}" if searching else moment


def contacts_after(request: Request, *, searching: bool) -> ContactsAfter:
    """``?after=`` read back as contacts_cursor() made it, for the first page when absent.
    Without a search, as every moment-ordered list: anything else starts from the top. A
    search's cursor that is not one is refused in words (400), not started over: starting
    over under "Show more" repeats the first contacts, which htmx would add again, and a
    cursor without its group (a link made before searches carried it) cannot say where the
    next page goes."""
    if not searching:
        plain = pages.after_moment(request)
        return ContactsAfter(None, plain.at, plain.id)
    after = request.query_params.get(pages.PARAM)
    if after is None:
        return ContactsAfter()
    tier, _, rest = after.partition(".")
    moment = pages.read_moment(rest) if tier in ("1", "2") else None
    if moment is None:
        raise HTTPException(400, BAD_CURSOR)
    return ContactsAfter(int(tier), moment.at, moment.id)


async def _with_filter_event(
    request: Request, account_id: int, events: list[Any], event_id: int | None
) -> list[Any]:
    """The menu's events with the one the list is filtered by, in its place by start: from a
    contact's "Met at" link it may be one I left or an older one, and a menu without it
    would show "Anywhere" over a filtered list, then drop the filter at the next search."""
    if event_id is None or any(event["id"] == event_id for event in events):
        return events
    chosen = await request.app.state.sql.run(
        request.app.state.pool, "contacts.filter_event", event_id=event_id, owner_id=account_id
    )
    if chosen is None:
        return events
    return sorted(
        [*events, chosen], key=lambda event: (event["starts_at"], event["id"]), reverse=True
    )


routes = [Route("/contacts", contacts, name="contacts")]
