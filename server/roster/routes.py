"""Who else is at an event: the roster (listing, leaving, blocking), "people who can help you",
and requests to connect sent from the roster."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.cards.cards import load_card
from server.contacts import blocks
from server.contacts.contacts import swap_said
from server.db.pool import Connection
from server.events import events, joining
from server.events.events import load_event
from server.mail import links
from server.swaps.connect import connect
from server.web import forms, limits, pages
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.errors import NoCard, Titled, from_our_email
from server.web.forms import read_form, text
from server.web.htmx import htmx, redirect, trigger_client_event
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

# Requests one person may send in an hour.
PER_HOUR = 30
# People waiting for me to accept them (my card asks first), listed on Requests; the rest
# are in Contacts, marked.
WAITING_SHOWN = 50
REQUESTS = limits.Rule(
    "requests",
    PER_HOUR,
    timedelta(hours=1),
    f"You have sent {PER_HOUR} requests in the last hour. Please try again {{wait}}.",
)
# Requests one person may be sent in an hour, from everyone: a flood of new accounts (each
# with its own 30) reaches nobody's phone past it. A speaker whose talk filled a room of a
# few hundred hears from a tenth of it, and a hundred is about what anyone reads through and
# answers in an hour; past it, the rest wait a while rather than bury the real ones.
TO_PERSON_PER_HOUR = 100
REQUESTS_TO_PERSON = limits.Rule(
    "requests-to-person",
    TO_PERSON_PER_HOUR,
    timedelta(hours=1),
    "Lots of people asked this person to connect in the last hour, so we are holding new"
    " requests to them for a while. Nothing was sent: please try again {wait}, or swap with"
    " them in person.",
)
# Requests from one network: a venue's Wi-Fi is one IPv4 address for hundreds of people,
# each sending a few, so as loose as swaps by link from one address (server/swaps/rates.py).
REQUESTS_PER_ADDRESS = limits.Rule(
    "address-requests",
    300,
    timedelta(minutes=10),
    "Many requests to connect were sent from your network just now. Nothing was sent: please"
    " try again {wait}.",
)


async def event_people(request: Request) -> Response:
    """The roster: listed attendees, searchable as you type; only for attendees, for a while."""
    await links.check_meant_for(request)  # a digest's "See who was there"
    event = await load_event(request)
    if not event["is_attendee"]:
        raise HTTPException(404, "That event is not one of yours.")
    if not event["roster_open"]:
        raise events.roster_closed()
    query = request.query_params.get("q", "")[:100]
    terms = events.prefix_query(query)
    found = []
    # Signs alone typed (an emoji, a "?"): no word to look for, and nobody matches, rather
    # than no search at all and everyone listed as if they did.
    if terms is not None or not query.strip():
        found = await request.app.state.sql.run(
            request.app.state.pool,
            "events.roster",
            event_id=event["id"],
            viewer_id=viewer(request).account_id,
            query=terms,
            after=roster_after(request, searching=terms is not None),
            limit=pages.PAGE_SIZE + 1,
        )
    rows, cursor = pages.page(found, roster_cursor)
    more = pages.more_url(request, "event_people", cursor, {"event_id": event["id"]}, q=query)
    return render(
        request,
        "event_people.html",
        {"event": event, "people": rows, "q": query, "searched": terms is not None, "more": more},
        fragment="_event_people_list.html",
    )


# A roster cursor's name key is the folded name of someone the page showed (at most 100
# characters, folded a little longer); anything far longer is no cursor of ours.
CURSOR_KEY_MAX = 1000
BAD_CURSOR = (
    'That "Show more" link is not one this list made, so it cannot say where to go on.'
    " Open the list of people again to start from the top."
)


def roster_cursor(row: Any) -> str:
    """``<tier>.<account id>.<name key>``: where the last person shown stands in the list, as
    the roster gave it, so the next page is placed by these values and no one's card."""
    return f"{row['tier']}.{row['account_id']}.{row['name_key']}"


def roster_after(request: Request, *, searching: bool) -> list[str] | None:
    """``?after=`` read back as roster_page() takes it (tier, name key, account id), None
    for the first page; anything else is refused in words (400), not started over: starting
    over under "Show more" repeats the first people, which htmx would add again."""
    after = request.query_params.get(pages.PARAM)
    if after is None:
        return None
    tier, _, rest = after.partition(".")
    account, dot, key = rest.partition(".")
    account_id = forms.an_id(account)
    if (
        tier not in (("1", "2", "3") if searching else ("1",))
        or account_id is None
        or not dot
        or len(key) > CURSOR_KEY_MAX
        or "\x00" in key
    ):
        raise HTTPException(400, BAD_CURSOR)
    return [tier, key, str(account_id)]


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
            # The sender, whom it reaches, then the address (limits.take says why in order).
            await limits.take(
                conn,
                sql,
                (REQUESTS, me),
                (REQUESTS_TO_PERSON, other),
                (REQUESTS_PER_ADDRESS, limits.address_key(request)),
            )
            made = await sql.run(
                conn, "requests.create", event_id=event["id"], from_id=me, to_id=other
            )
    if asked_me is not None:
        # Decided once the pair's lock is let go: _decide takes it on a connection of its own.
        return await _decide(request, me, asked_me, "accept")
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


async def requests(request: Request) -> Response:
    await links.check_meant_for(request)  # a request's notification, tapped after a switch
    account_id = viewer(request).account_id
    if account_id is None and from_our_email(request):
        # Tapped in a browser signed out since: "Sign in to open this", as Follow-ups says it,
        # not an empty list of requests.
        raise NoCard(404, "")
    rows: list[Any] = []
    waiting: list[Any] = []
    sent: list[Any] = []
    more = sent_more = None
    if account_id is not None:
        rows, more = await pages.by_moment(
            request, "requests.incoming", "created_at", "requests", account_id=account_id
        )
        waiting = await request.app.state.sql.run(
            request.app.state.pool,
            "contacts.waiting_to_be_accepted",
            owner_id=account_id,
            limit=WAITING_SHOWN,
        )
        # Its first page: ?after= here continues the incoming list, not this one.
        found = await request.app.state.sql.run(
            request.app.state.pool,
            "requests.sent",
            account_id=account_id,
            after_at=None,
            after_id=None,
            limit=pages.PAGE_SIZE + 1,
        )
        sent, cursor = pages.page(
            found, lambda row: pages.moment_cursor(row["created_at"], row["id"])
        )
        sent_more = pages.more_url(request, "requests_sent", cursor)
    return render(
        request,
        "requests.html",
        {
            "requests": rows,
            "more": more,
            "waiting": waiting,
            "sent": sent,
            "sent_more": sent_more,
        },
    )


async def requests_sent(request: Request) -> Response:
    """The rest of "Sent by you", after ?after=: a pending request never expires, so each one
    must be reachable, to see it and withdraw it. Its "Show more" is on the requests page."""
    account_id = viewer(request).account_id
    sent: list[Any] = []
    more = None
    if account_id is not None:
        sent, more = await pages.by_moment(
            request, "requests.sent", "created_at", "requests_sent", account_id=account_id
        )
    # Withdraw comes back to this page, not to the first fifty (``request_withdraw``).
    after = request.query_params.get("after")
    back = url_path(request, "requests_sent") + (f"?{urlencode({'after': after})}" if after else "")
    return render(request, "requests_sent.html", {"sent": sent, "sent_more": more, "back": back})


@signed_in(status_code=404, message="That request is not for you.")
async def request_decide(request: Request) -> Response:
    """Accept, decline, or decline and block the person who asked."""
    account_id = signed_in_account(request)
    decision = request.path_params["decision"]
    if decision not in ("accept", "decline", "block"):
        raise HTTPException(404, "That is not something you can do with a request.")
    return await _decide(request, account_id, request.path_params["request_id"], decision)


async def _decide(request: Request, account_id: int, request_id: int, decision: str) -> Response:
    accept = decision == "accept"
    pool, sql = request.app.state.pool, request.app.state.sql
    async with pool.acquire() as conn, conn.transaction():
        await sql.run(conn, "requests.lock_pair", id=request_id, to_id=account_id)
        decided = await sql.run(
            conn,
            "requests.decide",
            id=request_id,
            to_id=account_id,
            status="accepted" if accept else "declined",
        )
        if decided is None:
            # Answered already (tapped twice, or on another device): where that answer went,
            # not "not waiting" for what was just done.
            decided = await sql.run(conn, "requests.answered", id=request_id, to_id=account_id)
            if decided is None:
                raise HTTPException(404, "That request is not waiting for you.")
            if decided["status"] == "accepted":
                if decided["contact_id"] is None:  # connected, and deleted since
                    return redirect(request, url_path(request, "requests"))
                return redirect(
                    request,
                    await _accepted_url(
                        request, conn, account_id, decided["from_id"], decided["contact_id"]
                    ),
                )
            if decision != "block":
                return redirect(request, with_notice(url_path(request, "requests"), "declined"))
            # Declined, and now "Decline and block": the block is still wanted.
            accept = False
        accepted = None
        if accept:
            # The same two-way connection as a swap, with follow-ups, tagged with the event.
            contact_id = await connect(
                conn, sql, account_id, decided["from_id"], event_id=decided["event_id"]
            )
            accepted = await _accepted_url(
                request, conn, account_id, decided["from_id"], contact_id
            )
        if decision == "block":
            await blocks.block(conn, sql, account_id, decided["from_id"])
    if decision == "block":
        return redirect(request, with_notice(url_path(request, "requests"), "blocked"))
    if accepted is not None:
        return redirect(request, accepted)
    return redirect(request, with_notice(url_path(request, "requests"), "declined"))


async def _accepted_url(
    request: Request, conn: Connection, account_id: int, other_id: int, contact_id: int
) -> str:
    """Their contact page, saying what the accept made. It adds nothing to an earlier swap
    by a card that asks first and still waits to be accepted, either way: said as it is."""
    sql = request.app.state.sql
    notice = await swap_said(conn, sql, account_id, other_id)
    return with_notice(url_path(request, "contact", contact_id=contact_id), notice)


@signed_in(status_code=404, message="That request is not one of yours.")
async def request_withdraw(request: Request) -> Response:
    """Take back a request I sent: gone from their requests, and from "Sent by you"."""
    account_id = signed_in_account(request)
    withdrawn = await request.app.state.sql.run(
        request.app.state.pool,
        "requests.withdraw",
        id=request.path_params["request_id"],
        from_id=account_id,
    )
    if withdrawn is None:
        raise HTTPException(
            404,
            "That request is not waiting any more: if they accepted, they are in your contacts.",
        )
    # Withdrawn from a later page of "Sent by you" (clearing out old ones): back to that page,
    # not the first fifty. Only a page of /requests/sent is taken from the form.
    form = await read_form(request)
    back = text(form, "back")
    sent_page = len(back) <= 300 and back.isprintable()
    if not (sent_page and back.partition("?")[0] == url_path(request, "requests_sent")):
        back = url_path(request, "requests")
    return redirect(request, with_notice(back, "request_withdrawn"))


routes = [
    Route("/events/{event_id:int}/people", event_people, name="event_people"),
    Route("/events/{event_id:int}/listing", event_listing, methods=["POST"], name="event_listing"),
    Route("/events/{event_id:int}/leave", event_leave, methods=["POST"], name="event_leave"),
    Route(
        "/events/{event_id:int}/people/{account_id:int}/block",
        event_block,
        methods=["POST"],
        name="event_block",
    ),
    Route("/events/{event_id:int}/matches", event_matches, name="event_matches"),
    Route(
        "/events/{event_id:int}/people/{account_id:int}/request",
        request_connect,
        methods=["POST"],
        name="request_connect",
    ),
    Route("/requests", requests, name="requests"),
    Route("/requests/sent", requests_sent, name="requests_sent"),
    Route(
        "/requests/sent/{request_id:int}/withdraw",
        request_withdraw,
        methods=["POST"],
        name="request_withdraw",
    ),
    Route(
        "/requests/{request_id:int}/{decision:str}",
        request_decide,
        methods=["POST"],
        name="request_decide",
    ),
]
