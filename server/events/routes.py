"""My events and one event's page: the list of them, what the page asks an attendee ("Get
matched here", saved to their card), and what it shows its organizer (the figures, who joined,
the join link), who may take someone off the event there."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.cards import fields
from server.cards.cards import load_card, phone_region
from server.contacts.contacts import like_pattern
from server.events import events, joining
from server.events.events import WAS, join_url, load_event
from server.web import pages
from server.web.auth import signed_in_account, viewer
from server.web.forms import read_form, text
from server.web.htmx import htmx, redirect
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

MATCHING = [fields.BY_NAME[name] for name in fields.MATCHING_FIELDS]

# "Who joined" on the organizer's page, newest first; past that, they search for the name.
ATTENDEES_SHOWN = 500


async def events_index(request: Request) -> Response:
    account_id = viewer(request).account_id
    rows: list[Any] = []
    more = None
    if account_id is not None:
        rows, more = await pages.by_moment(
            request, "events.mine", "starts_at", "events", account_id=account_id
        )
    return render(
        request, "events.html", {"events": rows, "tz": viewer(request).time_zone, "more": more}
    )


async def _matching(request: Request, event: Any) -> dict[str, Any]:
    """What the event's page asks an attendee whose card lacks either matching field."""
    if not event["is_attendee"]:
        return {}
    card = await load_card(request, signed_in_account(request))
    shown = {name: card[name] for name in fields.MATCHING_FIELDS}
    return {"matching": shown, "was": shown, "matching_fields": MATCHING}


async def _event_page(request: Request, event: Any) -> dict[str, Any]:
    """What the event's page shows this viewer: to an attendee, what matches are made of; to
    its organizer, the figures, who joined and the join link."""
    context: dict[str, Any] = {
        "event": event,
        "tz": event["time_zone"],
        "joinable": joining.joinable(event),
        **await _matching(request, event),
    }
    if event["is_organizer"]:
        context["stats"] = await request.app.state.sql.run(
            request.app.state.pool, "events.stats", event_id=event["id"]
        )
        who = request.query_params.get("who", "")
        attendees = await request.app.state.sql.run(
            request.app.state.pool,
            "events.attendees",
            event_id=event["id"],
            organizer_id=event["organizer_id"],
            pattern=like_pattern(who),
            limit=ATTENDEES_SHOWN + 1,
        )
        context["attendees"] = attendees[:ATTENDEES_SHOWN]
        # Hidden from her by a block, either way: listed apart, by name, with Remove alone.
        hidden = await request.app.state.sql.run(
            request.app.state.pool,
            "events.hidden_attendees",
            event_id=event["id"],
            organizer_id=event["organizer_id"],
            pattern=like_pattern(who),
            limit=ATTENDEES_SHOWN + 1,
        )
        context["hidden"] = hidden[:ATTENDEES_SHOWN]
        context["more_attendees"] = max(len(attendees), len(hidden)) > ATTENDEES_SHOWN
        context["who"] = " ".join(who.split())[:100]
        context["join_link"] = join_url(request, event["join_code"])
        context["code"] = events.spoken(event["join_code"])
        # A link handed out earlier lets nobody in, and the organizer is not the one it
        # bounces: the page says when it starts to work.
        context["joining_opens"] = joining.opens_later(event)
        context["opens_before"] = joining.opens_before_said()
    return context


async def show_event(request: Request) -> Response:
    event = await load_event(request)
    return render(request, "event.html", await _event_page(request, event))


def _matching_form(
    request: Request, page: dict[str, Any], status_code: int, **context: Any
) -> Response:
    """ "Get matched here" refused, keeping what was typed: in the event's page, or the
    fragment htmx swaps in."""
    return render(
        request,
        "event.html",
        {**page, **context},
        status_code=status_code,
        fragment="_event_matching.html",
    )


async def event_matching(request: Request) -> Response:
    """Save what I am looking for and can help with, from the event's page, to my card."""
    form = await read_form(request)
    event = await load_event(request)
    if not event["is_attendee"]:
        raise HTTPException(404, "That event is not one of yours.")
    values, errors = fields.validate(form, phone_region(request), fields.MATCHING_FIELDS)
    # What the form showed, sent back with it (a page from before it did is not checked).
    checked = all(isinstance(form.get(WAS + name), str) for name in fields.MATCHING_FIELDS)
    was = {name: text(form, WAS + name) for name in fields.MATCHING_FIELDS}
    if errors:
        page = await _event_page(request, event)
        if checked:
            page["was"] = was
        return _matching_form(request, page, 422, matching=values, errors=errors)
    account_id = signed_in_account(request)
    saved = await request.app.state.sql.run(
        request.app.state.pool,
        "cards.set_matching",
        account_id=account_id,
        checked=checked,
        was_looking_for=was["looking_for"],
        was_can_help_with=was["can_help_with"],
        **values,
    )
    if saved is None:
        # Changed on another device since the page was shown: what the card says now, and
        # the form (now showing that as what it replaces) keeps what was typed.
        page = await _event_page(request, event)
        changed = [
            (field.label, page["was"][field.name])
            for field in MATCHING
            if page["was"][field.name] != values[field.name]
        ]
        return _matching_form(request, page, 409, matching=values, changed_elsewhere=changed)
    if htmx(request).wants_fragment:
        return render(
            request,
            "_event_matching.html",
            {
                "event": event,
                "matching": values,
                "was": values,
                "matching_fields": MATCHING,
                "saved": True,
            },
        )
    return redirect(
        request,
        with_notice(url_path(request, "event", event_id=event["id"]), "matching_saved"),
    )


async def event_remove_attendee(request: Request) -> Response:
    """The organizer takes someone off the event: off the roster, and the code won't let that
    account (or a new one with an address it confirmed) back in (a stranger who found the
    code, or someone making trouble). Blocks do not shield anyone from it (a troublemaker
    could block the organizer to stay): "Who joined" lists those hidden from her by one
    apart, with this Remove. The answer is the same whoever the id is: removed now, removed
    by a tap before this one (twice, or on two devices), or never there."""
    await read_form(request)
    event = await load_event(request, organizer=True)
    account_id: int = request.path_params["account_id"]
    await events.remove_attendee(
        request.app.state.pool,
        request.app.state.sql,
        event_id=event["id"],
        account_id=account_id,
        organizer_id=event["organizer_id"],
    )
    return redirect(
        request, with_notice(url_path(request, "event", event_id=event["id"]), "attendee_removed")
    )


routes = [
    Route("/events", events_index, name="events"),
    Route("/events/{event_id:int}", show_event, name="event"),
    Route(
        "/events/{event_id:int}/matching",
        event_matching,
        methods=["POST"],
        name="event_matching",
    ),
    Route(
        "/events/{event_id:int}/attendees/{account_id:int}/remove",
        event_remove_attendee,
        methods=["POST"],
        name="event_remove_attendee",
    ),
]
