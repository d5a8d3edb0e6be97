"""Creating and editing an event: the organizer's form, saved within a daily limit, and an edit
that would undo one made elsewhere since the form was shown refused with what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.events import events, joining
from server.events.events import WAS, load_event
from server.web import limits
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.errors import NoCard, signed_out_here
from server.web.forms import read_form, text
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

# Making events: an organizer makes a few a day; a script making thousands would make every
# bump of its account lock and write that many scopes (bump_scopes_of() takes eight at most).
EVENTS_PER_DAY = 20
NEW_EVENTS = limits.Rule(
    "new-events",
    EVENTS_PER_DAY,
    timedelta(days=1),
    f"You have created {EVENTS_PER_DAY} events today. Nothing was saved: please try again"
    " {wait}.",
)
# Sent by the create form with its "Show me in the list of people" box, ticked or not.
LISTING_ASKED = "listing_asked"


def _form_page(
    request: Request,
    form: events.EventForm | None,
    event: Any = None,
    status_code: int = 200,
    refused: str = "",
    listed: bool = True,
    was: dict[str, str] | None = None,
    changed_elsewhere: list[tuple[str, str]] | None = None,
) -> Response:
    """The event form: to create one, or to edit ``event``, whose form also holds what it
    showed (``was``: the event as loaded, unless the form sent what it showed before)."""
    values = form.values if form else {"time_zone": viewer(request).time_zone}
    return render(
        request,
        "event_form.html",
        {
            "values": values,
            "errors": form.errors if form else {},
            "event": event,
            "refused": refused,
            "listed": listed,
            "listing_asked": LISTING_ASKED,
            "was": was or (events.shown(event) if event else None),
            "changed_elsewhere": changed_elsewhere,
            "opens_before": joining.opens_before_said(),
        },
        status_code=status_code,
    )


def _was(form: FormData) -> dict[str, str] | None:
    """What an Edit form showed of the event, sent back with it; None from a form from before
    it did, which is saved as it always was."""
    if not all(isinstance(form.get(WAS + name), str) for name in events.EDITED):
        return None
    return {name: text(form, WAS + name) for name in events.EDITED}


def _said(name: str, value: str) -> str:
    """A field of the event as the "changed elsewhere" notice says it: times as a day and
    hour, not a ``datetime-local`` value."""
    if name in ("starts_at", "ends_at"):
        moment = datetime.fromisoformat(value)
        return f"{moment:%a} {moment.day} {moment:%b %Y}, {moment:%H:%M}"
    if name == "time_zone":
        return events.zone_said(value, datetime.now(UTC))
    return value


def _not_saved(
    request: Request,
    values: dict[str, str],
    event: Any = None,
    *,
    deleted: bool,
    listed: bool = True,
    was: dict[str, str] | None = None,
) -> Response:
    """The form sent from a browser signed out since it was shown (Settings on another
    device), or by an account deleted meanwhile: again, with what was typed, and why nothing
    was saved. Its Sign in link leads back to the events (or this event), whose page has the
    form again."""
    back = (
        url_path(request, "event", event_id=event["id"]) if event else url_path(request, "events")
    )
    return render(
        request,
        "event_form.html",
        {
            "values": values,
            "errors": {},
            "event": event,
            "refused": "",
            "listed": listed,
            "listing_asked": LISTING_ASKED,
            "was": was,
            "opens_before": joining.opens_before_said(),
            "signed_out_here": signed_out_here(
                "this event" if event else "your event", deleted=deleted
            ),
            "sign_in_next": None if deleted else back,
        },
        status_code=403,
    )


@signed_in(redirect="card", then="event_new")
async def event_new(request: Request) -> Response:
    return _form_page(request, None)


async def event_create(request: Request) -> Response:
    form = await read_form(request)
    # Listed on their own event's list of people only if they left the box ticked, as an
    # attendee is. A form without the box (a page open from before it) keeps the rule of
    # its time: listed. An unticked box sends nothing, hence the marker saying it was there.
    listed = text(form, "listed") == "on" or form.get(LISTING_ASKED) is None
    if viewer(request).signed_out:
        typed = events.validate(form, request.app.state.time_zones).values
        return _not_saved(request, typed, deleted=viewer(request).account_deleted, listed=listed)
    if viewer(request).account_id is None:
        raise NoCard(403, "Make your card first; then you can create an event.")
    account_id = signed_in_account(request)
    checked = events.validate(
        form, request.app.state.time_zones, shown_zone=viewer(request).time_zone
    )
    if checked.errors:
        return _form_page(request, checked, status_code=422, listed=listed)
    try:
        await limits.take(request.app.state.pool, request.app.state.sql, (NEW_EVENTS, account_id))
    except limits.TooMany as too_many:
        refused = _form_page(
            request, checked, status_code=429, refused=str(too_many.detail), listed=listed
        )
        refused.headers.update(too_many.headers or {})
        return refused
    sql = request.app.state.sql
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        for _ in range(10):  # a clash among 887 million codes is rare; just draw again
            made = await sql.run(
                conn,
                "events.create",
                organizer_id=account_id,
                join_code=events.new_code(),
                **checked.saved(),
            )
            if made["id"] is not None or not made["organizer_found"]:
                break
        else:  # pragma: no cover - ten clashes in a row
            raise HTTPException(503, "Please try again.")
        event_id = made["id"]
        if event_id is not None:
            # The organizer attends too, so their own swaps there are tagged.
            await sql.run(
                conn, "events.join", event_id=event_id, account_id=account_id, listed=listed
            )
    if event_id is None:
        # The account was deleted from another browser while the form was on its way.
        return _not_saved(request, checked.values, deleted=True, listed=listed)
    return RedirectResponse(url_path(request, "event", event_id=event_id), status_code=303)


async def event_edit(request: Request) -> Response:
    event = await load_event(request, organizer=True)
    return _form_page(request, events.EventForm(events.shown(event), {}), event)


async def event_update(request: Request) -> Response:
    form = await read_form(request)
    if viewer(request).signed_out:
        # Not "not one of yours": their event, asked for from a browser signed out since.
        # Only its id (in the URL) and what was typed are shown: nothing of it is looked up.
        typed = events.validate(form, request.app.state.time_zones).values
        shown = {"id": request.path_params["event_id"], "name": typed["name"] or "event"}
        return _not_saved(
            request, typed, shown, deleted=viewer(request).account_deleted, was=_was(form)
        )
    event = await load_event(request, organizer=True)
    checked = events.validate(form, request.app.state.time_zones, shown_zone=event["time_zone"])
    was = _was(form)
    if checked.errors:
        return _form_page(request, checked, event, status_code=422, was=was)
    try:
        saved = await events.save_edit(
            request.app.state.pool,
            request.app.state.sql,
            id=event["id"],
            organizer_id=event["organizer_id"],
            was=was,
            **checked.saved(),
        )
    except events.ChangedElsewhere as changed:
        # Saved from another tab or device since this form was shown: what it says now, and
        # the form keeps what was typed, now showing that as what it replaces.
        assert was is not None  # only raised when the form said what it showed
        return _form_page(
            request,
            checked,
            event,
            status_code=409,
            was=changed.now,
            changed_elsewhere=[
                (label, _said(name, changed.now[name]))
                for name, label in events.EDITED.items()
                if changed.now[name] != was[name]
            ],
        )
    if not saved:
        # Deleted meanwhile (its organizer's account, from another browser).
        raise HTTPException(404, "That event is not one of yours.")
    return RedirectResponse(
        with_notice(url_path(request, "event", event_id=event["id"]), "event_saved"),
        status_code=303,
    )


routes = [
    Route("/events/new", event_new, name="event_new"),
    Route("/events/new", event_create, methods=["POST"], name="event_create"),
    Route("/events/{event_id:int}/edit", event_edit, name="event_edit"),
    Route("/events/{event_id:int}/edit", event_update, methods=["POST"], name="event_update"),
]
