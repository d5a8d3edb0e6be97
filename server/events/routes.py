"""Events: create and run one, join it by QR or code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.cards import fields
from server.cards.cards import load_card, phone_region
from server.contacts.contacts import like_pattern
from server.db import time_zones
from server.events import events, joining
from server.events.events import join_path, join_url, load_event
from server.mail import addresses
from server.swaps.joining import attempt_hash
from server.web import limits, pages, qr, sessions
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.errors import NoCard, Titled, signed_out_here
from server.web.forms import read_form, text
from server.web.htmx import htmx, redirect
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
# New join codes: a poster's photo posted online calls for one, a few more at most; each
# stops every printed poster and handed-out link of the event, so a day's worth is plenty.
NEW_CODES_PER_DAY = 10
NEW_CODES = limits.Rule(
    "event-new-codes",
    NEW_CODES_PER_DAY,
    timedelta(days=1),
    f"This event has had {NEW_CODES_PER_DAY} new codes today. Its code stays as it is: please"
    " try again {wait}.",
)
# Sent by the create form with its "Show me in the list of people" box, ticked or not.
LISTING_ASKED = "listing_asked"
# The hidden fields of "Get matched here" and of an event's Edit holding what the card or the
# event said when the page was shown.
WAS = "was_"
NO_CODE_TO_REPLACE = "Nobody can join this event any more, so it has no code to replace."


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
            "opens_before": _in_words(joining.OPENS_BEFORE),
        },
        status_code=status_code,
    )


def _was(form: FormData) -> dict[str, str] | None:
    """What an Edit form showed of the event, sent back with it; None from a form from before
    it did, which is saved as it always was."""
    if not all(isinstance(form.get(WAS + name), str) for name in events.EDITED):
        return None
    return {name: text(form, WAS + name) for name in events.EDITED}


def _in_words(period: timedelta) -> str:
    """A whole number of days or hours in words: "a day", "2 days", "12 hours"."""
    hours = round(period.total_seconds() / 3600)
    if hours % 24:
        return "an hour" if hours == 1 else f"{hours} hours"
    return "a day" if hours == 24 else f"{hours // 24} days"


def _joining_opens(event: Any) -> str | None:
    """When an event that cannot be joined yet opens to joining, as its refusal says it
    (``joining.NOT_YET``): a link handed out earlier lets nobody in, and the organizer is
    not the one it bounces. None once it is open."""
    opens = event["starts_at"] - joining.OPENS_BEFORE
    if datetime.now(UTC) >= opens:
        return None
    local = opens.astimezone(ZoneInfo(event["time_zone"]))
    zone = events.zone_said(event["time_zone"], local)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} ({zone})"


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
            "opens_before": _in_words(joining.OPENS_BEFORE),
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
    values = checked.values
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
                name=values["name"],
                venue=values["venue"],
                description=values["description"],
                starts_at=checked.starts_at,
                ends_at=checked.ends_at,
                time_zone=values["time_zone"],
                join_code=events.new_code(),
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
        return _not_saved(request, values, deleted=True, listed=listed)
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
    values = checked.values
    assert checked.ends_at is not None  # validated: no errors
    try:
        saved = await events.save_edit(
            request.app.state.pool,
            request.app.state.sql,
            id=event["id"],
            organizer_id=event["organizer_id"],
            was=was,
            name=values["name"],
            venue=values["venue"],
            description=values["description"],
            starts_at=checked.starts_at,
            ends_at=checked.ends_at,
            time_zone=values["time_zone"],
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


async def event_close(request: Request) -> Response:
    event = await load_event(request, organizer=True)
    await request.app.state.sql.run(
        request.app.state.pool, "events.close", id=event["id"], organizer_id=event["organizer_id"]
    )
    # Said, as Save and "New join code" are: the page looks much as before (its code gone).
    return RedirectResponse(
        with_notice(url_path(request, "event", event_id=event["id"]), "event_closed"),
        status_code=303,
    )


@signed_in(status_code=404, message="That event is not one of yours.")
async def event_new_code(request: Request) -> Response:
    """The organizer replaces the join code (a photo of the poster posted online): the old
    code then opens nothing, and the links signed for it (the poster's QR code, the join
    link) with it; the people already there stay. Drawn as ``event_create`` draws one."""
    await read_form(request)
    event = await load_event(request, organizer=True)
    if not joining.joinable(event):
        raise HTTPException(409, NO_CODE_TO_REPLACE)
    pool, sql = request.app.state.pool, request.app.state.sql
    await limits.take(pool, sql, (NEW_CODES, event["id"]))
    for _ in range(10):  # a clash among 887 million codes is rare; just draw again
        try:
            changed = await sql.run(
                pool,
                "events.new_join_code",
                id=event["id"],
                organizer_id=event["organizer_id"],
                join_code=events.new_code(),
            )
        except asyncpg.UniqueViolationError:
            continue
        break
    else:  # pragma: no cover - ten clashes in a row
        raise HTTPException(503, "Please try again.")
    if changed is None:
        # Deleted meanwhile (its organizer's account, from another browser).
        raise HTTPException(404, "That event is not one of yours.")
    return redirect(
        request, with_notice(url_path(request, "event", event_id=event["id"]), "join_code_new")
    )


async def event_remove_attendee(request: Request) -> Response:
    """The organizer takes someone off the event: off the roster, and the code won't let them
    back in (a stranger who found the code, or someone making trouble). Blocks do not shield
    anyone from it (a troublemaker could block the organizer to stay), and the answer is the
    same whoever the id is: removed now, removed by a tap before this one (twice, or on two
    devices), or never there. Someone "Who joined" leaves out for a block is there or not;
    an id from elsewhere (an earlier event's Remove) must not tell the organizer which."""
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


MATCHING = [fields.BY_NAME[name] for name in fields.MATCHING_FIELDS]

# "Who joined" on the organizer's page, newest first; past that, they search for the name.
ATTENDEES_SHOWN = 500


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
        # Counted but not listed: the page says so, lest the organizer think the list broken.
        context["unseen"] = await request.app.state.sql.run(
            request.app.state.pool,
            "events.unseen",
            event_id=event["id"],
            organizer_id=event["organizer_id"],
        )
        context["more_attendees"] = len(attendees) > ATTENDEES_SHOWN
        context["who"] = " ".join(who.split())[:100]
        context["join_link"] = join_url(request, event["join_code"])
        context["code"] = events.spoken(event["join_code"])
        context["joining_opens"] = _joining_opens(event)
        context["opens_before"] = _in_words(joining.OPENS_BEFORE)
    return context


async def show_event(request: Request) -> Response:
    event = await load_event(request)
    return render(request, "event.html", await _event_page(request, event))


async def event_poster(request: Request) -> Response:
    event = await load_event(request, organizer=True)
    link = join_url(request, event["join_code"])
    svg = await run_in_threadpool(qr.svg, link, title=f"QR code to join {event['name']}")
    return render(
        request,
        "event_poster.html",
        {
            "event": event,
            "qr_svg": svg,
            "join_link": link,
            "code": events.spoken(event["join_code"]),
            # "New join code…" leads to the event page's, shown only while it can be joined.
            "joinable": joining.joinable(event),
        },
    )


async def _by_code(request: Request, code: str | None = None) -> Any:
    """The event the code in the URL (or ``code``) opens; else the HTTP error to show."""
    return await joining.find(
        request.app.state.pool,
        request.app.state.sql,
        request.path_params["code"] if code is None else code,
        viewer(request).account_id,
        limits.address_key(request),  # IPv6 by its /64, as every limit counts addresses
        secret_key=request.app.state.settings.secret_key,
        signature=request.query_params.get("k", "")[:100],
    )


def _join_page(
    request: Request,
    event: Any,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    refused: str = "",
    signed_out_here: str = "",
) -> Response:
    response = render(
        request,
        "event_join.html",
        {
            "event": event,
            "join_action": join_path(request, event["join_code"]),
            "tz": event["time_zone"],
            "values": values or dict.fromkeys(fields.QUICK_FIELDS, ""),
            "errors": errors or {},
            "listed": True if values is None else values.get("listed") == "on",
            "refused": refused,
            "signed_out_here": signed_out_here,
        },
        status_code=status_code,
    )
    response.headers["x-robots-tag"] = "noindex, nofollow"
    return response


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


JOIN_SIGNED_OUT = (
    "You were signed out on this browser (from another device), so you have not joined."
    " Sign in to join as yourself."
)
JOIN_DELETED = (
    "Your account was deleted from another browser, so you have not joined. To join, make a"
    " new card below."
)


def _joined(event: Any) -> str:
    """The notice for someone who just joined: "swap with anyone here", or, once the event
    has ended (joining stays open two days after), that it has."""
    return "joined_after" if event["ends_at"] < datetime.now(UTC) else "joined"


async def join_event(request: Request) -> Response:
    # A GET only reads: a scanner's link preview joins nobody.
    event = await _by_code(request)
    if event["present"]:
        # The poster scanned again: the event, not a second "Join the event" (nor, once it
        # is closed or over, a refusal meant for newcomers).
        return RedirectResponse(url_path(request, "event", event_id=event["id"]), status_code=303)
    return _join_page(request, event)


async def join_event_submit(request: Request) -> Response:
    """Join by QR or code; someone with no account makes their card in the same form."""
    form = await read_form(request)
    event = await _by_code(request)
    listed = text(form, "listed") == "on"
    pool, sql = request.app.state.pool, request.app.state.sql
    account_id = viewer(request).account_id
    joined = with_notice(url_path(request, "event", event_id=event["id"]), _joined(event))
    if event["present"]:
        # A join page left open in a tab, sent once in: told they are in, and nothing changed
        # (its ticked box would list someone who hid since, on an event closed or not).
        return redirect(request, joined)
    if account_id is not None:
        await sql.run(
            pool, "events.join", event_id=event["id"], account_id=account_id, listed=listed
        )
        return redirect(request, joined)
    if viewer(request).signed_out and all(form.get(name) is None for name in fields.QUICK_FIELDS):
        # A join page shown while signed in (no card fields), sent after a sign-out from
        # another device: taken as a newcomer's, it would ask for a name the page never
        # showed and make a second account. Said inside the form, which htmx swaps in.
        return _join_page(
            request,
            event,
            values={**dict.fromkeys(fields.QUICK_FIELDS, ""), "listed": text(form, "listed")},
            status_code=403,
            signed_out_here=JOIN_DELETED if viewer(request).account_deleted else JOIN_SIGNED_OUT,
        )
    values, errors = fields.validate_quick(form, phone_region(request))
    if errors:
        return _join_page(
            request,
            event,
            values={**values, "listed": text(form, "listed")},
            errors=errors,
            status_code=422,
        )
    address = addresses.normalize(values.get("email", ""))
    if await sql.run(pool, "events.address_removed", event_id=event["id"], address=address):
        # Someone removed, back as someone new with the same address.
        raise Titled(403, joining.REMOVED, title="You can't join this event")
    token, token_hash = sessions.new_token()
    try:
        await joining.newcomer_joins(
            request,
            event["id"],
            values,
            listed=listed,
            token_hash=token_hash,
            time_zone=time_zones.choose(text(form, "time_zone"), request.app.state.time_zones),
            attempt=attempt_hash(form),
        )
    except limits.TooMany as too_many:
        # Said in the form, which keeps what was typed; nothing was made.
        refused = _join_page(
            request,
            event,
            values={**values, "listed": text(form, "listed")},
            status_code=429,
            refused=str(too_many.detail),
        )
        refused.headers.update(too_many.headers or {})
        return refused
    response = redirect(request, joined)
    sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
    return response


async def join_code(request: Request) -> Response:
    """``/join``: type the code the organizer reads out."""
    raw = request.query_params.get("code")
    if raw is None:
        return render(request, "event_code.html", {"code": "", "error": None})
    code = events.normalise_code(raw[:40])
    if code is None:
        mistake = events.code_mistake(raw[:40])
        return render(
            request, "event_code.html", {"code": raw[:40], "error": mistake}, status_code=422
        )
    try:
        event = await _by_code(request, code)
    except HTTPException as refused:
        # Said under the field, with what was typed: a code misheard is typed again here.
        page = render(
            request,
            "event_code.html",
            {"code": raw[:40], "error": refused.detail},
            status_code=refused.status_code,
        )
        page.headers.update(refused.headers or {})  # a 429's Retry-After
        return page
    if event["present"]:
        # Typed again by someone there (the organizer, an attendee): the event itself.
        return RedirectResponse(url_path(request, "event", event_id=event["id"]), status_code=303)
    # Found within the limits: the join page and its form go on by a signed link.
    return RedirectResponse(join_path(request, code), status_code=303)


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


routes = [
    Route("/events", events_index, name="events"),
    Route("/events/new", event_new, name="event_new"),
    Route("/events/new", event_create, methods=["POST"], name="event_create"),
    Route("/events/{event_id:int}", show_event, name="event"),
    Route("/events/{event_id:int}/edit", event_edit, name="event_edit"),
    Route("/events/{event_id:int}/edit", event_update, methods=["POST"], name="event_update"),
    Route("/events/{event_id:int}/close", event_close, methods=["POST"], name="event_close"),
    Route("/events/{event_id:int}/poster", event_poster, name="event_poster"),
    Route(
        "/events/{event_id:int}/new-code", event_new_code, methods=["POST"], name="event_new_code"
    ),
    Route(
        "/events/{event_id:int}/attendees/{account_id:int}/remove",
        event_remove_attendee,
        methods=["POST"],
        name="event_remove_attendee",
    ),
    Route("/join", join_code, name="join_code"),
    Route("/j/{code}", join_event, name="join_event"),
    Route("/j/{code}", join_event_submit, methods=["POST"], name="join_event_submit"),
    Route(
        "/events/{event_id:int}/matching",
        event_matching,
        methods=["POST"],
        name="event_matching",
    ),
]
