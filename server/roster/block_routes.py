"""Blocking someone from an event's list of people (the block itself:
``server/contacts/blocks.py``). Pressed in a search, or pages down a long list, it leaves the
person there: htmx swaps their row for a line saying so; a page answer leads back to the
same search, page and place. Someone in my contacts, or waiting for my answer, too: the
service worker forgets its copies of my contacts once an in-place Block worked (sw-cache.js),
and the answer brings the Follow-ups tab's number again."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.contacts import blocks
from server.events.events import load_event
from server.roster.cursor import CURSOR_KEY_MAX
from server.roster.search import QUERY_MAX, search
from server.web import forms, pages
from server.web.auth import signed_in_account, tab_count, viewer
from server.web.htmx import htmx
from server.web.notices import NOTICES, with_notice
from server.web.templating import render
from server.web.urls import url_path

# A roster cursor: its tier, an account id (at most 18 digits) and a name key.
CURSOR_MAX = CURSOR_KEY_MAX + 24


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
    form = await forms.read_form(request)
    await blocks.block(pool, sql, account_id, other)
    if htmx(request):
        return render(
            request,
            "_roster_blocked.html",
            {
                "blocked": NOTICES["blocked"],
                # Their follow-up dropped, their request declined: the tab's number again.
                "tab": await tab_count(request),
                **await _found_now(request, event, form),
            },
        )
    return RedirectResponse(back_to_list(request, event["id"], form), status_code=303)


def back_to_list(request: Request, event_id: int, form: FormData) -> str:
    """The list as the Block form was on it, with "Blocked.": its search (``q``), its page
    (``after``: a later page, followed without JavaScript) and the person it was next to
    (``near``: ``#person-<id>``, their row). What no page could have sent is left out:
    the list's first page, or its top."""
    query = {"q": _field(form, "q")[:QUERY_MAX], pages.PARAM: _field(form, pages.PARAM)}
    if len(query[pages.PARAM]) > CURSOR_MAX:
        query[pages.PARAM] = ""
    path = url_path(request, "event_people", event_id=event_id)
    kept = urlencode({name: value for name, value in query.items() if value})
    url = with_notice(f"{path}?{kept}" if kept else path, "blocked")
    near = forms.an_id(_field(form, "near"))
    return f"{url}#person-{near}" if near is not None else url


async def _found_now(request: Request, event: Any, form: FormData) -> dict[str, Any]:
    """What the search the row was in finds now, the person blocked gone: said again in the
    line above the list, which counted them ("2 people", or "More than 50 people" of 51).
    Nothing with no search, or on a page of its own down the list (``?after=`` in the
    page's own address, not a row "Show more" added): that line says nothing. Nor to anyone
    the list itself would not show (a second tap after leaving the event, or once it closed):
    a count is what the list says of who is there."""
    query = _field(form, "q")[:QUERY_MAX]
    page = urlsplit(htmx(request).current_url or "").query
    if not query or parse_qs(page).get(pages.PARAM):
        return {}
    if not (event["is_attendee"] and event["roster_open"]):
        return {}
    return {"q": query, "found": await search(request, event["id"], query, first_page=True)}


def _field(form: FormData, name: str) -> str:
    """A field as sent (a search is not trimmed: it is the list's own words back)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


routes = [
    Route(
        "/events/{event_id:int}/people/{account_id:int}/block",
        event_block,
        methods=["POST"],
        name="event_block",
    ),
]
