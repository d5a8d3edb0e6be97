"""Events: create and run one, join it by QR or code, and its roster of attendees."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server import card_fields, events, qr, sessions, time_zones
from server.forms import read_form, text
from server.htmx import htmx, redirect
from server.routes.cards import phone_region
from server.sessions import current_account, time_zone
from server.templating import render

CLOSED = "This event is closed. Ask the organizer if you think it should still be open."
UNKNOWN_CODE = "We don't recognise that code. Check it with the organizer and try again."


def _path(request: Request, name: str, **params: Any) -> str:
    return str(request.app.url_path_for(name, **params))


def join_url(request: Request, code: str) -> str:
    base_url: str = request.app.state.settings.base_url
    return base_url + _path(request, "join_event", code=code)


async def _event(request: Request, *, organizer: bool = False) -> Any:
    """The event in the URL, seen by the current account; 404 unless they may see it."""
    account_id = await current_account(request)
    event = await request.app.state.pool.fetchrow(
        request.app.state.sql["events.get"],
        request.path_params["event_id"],
        account_id or 0,
        request.app.state.settings.roster_days,
    )
    # Non-attendees get the same answer as for a missing event: ids reveal nothing.
    if event is None or account_id is None:
        raise HTTPException(404, "That event is not one of yours.")
    if organizer and not event["is_organizer"]:
        raise HTTPException(404, "That event is not one of yours.")
    if not (event["is_organizer"] or event["is_attendee"]):
        raise HTTPException(404, "That event is not one of yours.")
    return event


def _form_page(
    request: Request, form: events.EventForm | None, event: Any = None, status_code: int = 200
) -> Response:
    values = form.values if form else {"time_zone": time_zone(request)}
    return render(
        request,
        "event_form.html",
        {"values": values, "errors": form.errors if form else {}, "event": event},
        status_code=status_code,
    )


async def new(request: Request) -> Response:
    if await current_account(request) is None:
        return RedirectResponse(_path(request, "card"), status_code=303)
    return _form_page(request, None)


async def create(request: Request) -> Response:
    form = await read_form(request)
    account_id = await current_account(request)
    if account_id is None:
        raise HTTPException(403, "Make your card first; then you can create an event.")
    checked = events.validate(form, request.app.state.time_zones)
    if checked.errors:
        return _form_page(request, checked, status_code=422)
    values = checked.values
    for _ in range(10):  # a clash among 887 million codes is rare; just draw again
        event_id = await request.app.state.pool.fetchval(
            request.app.state.sql["events.create"],
            account_id,
            values["name"],
            values["venue"],
            values["description"],
            checked.starts_at,
            checked.ends_at,
            values["time_zone"],
            events.new_code(),
        )
        if event_id is not None:
            break
    else:  # pragma: no cover - ten clashes in a row
        raise HTTPException(503, "Please try again.")
    # The organizer attends too, so their own swaps there are tagged.
    await request.app.state.pool.execute(
        request.app.state.sql["events.join"], event_id, account_id, True
    )
    return RedirectResponse(_path(request, "event", event_id=event_id), status_code=303)


async def edit(request: Request) -> Response:
    event = await _event(request, organizer=True)
    values = {
        "name": event["name"],
        "venue": event["venue"],
        "description": event["description"],
        "starts_at": events.local_input(event["starts_at"], event["time_zone"]),
        "ends_at": events.local_input(event["ends_at"], event["time_zone"]),
        "time_zone": event["time_zone"],
    }
    return _form_page(request, events.EventForm(values, {}), event)


async def update(request: Request) -> Response:
    form = await read_form(request)
    event = await _event(request, organizer=True)
    checked = events.validate(form, request.app.state.time_zones)
    if checked.errors:
        return _form_page(request, checked, event, status_code=422)
    values = checked.values
    await request.app.state.pool.execute(
        request.app.state.sql["events.update"],
        event["id"],
        event["organizer_id"],
        values["name"],
        values["venue"],
        values["description"],
        checked.starts_at,
        checked.ends_at,
        values["time_zone"],
    )
    return RedirectResponse(_path(request, "event", event_id=event["id"]), status_code=303)


async def close(request: Request) -> Response:
    await read_form(request)
    event = await _event(request, organizer=True)
    await request.app.state.pool.execute(
        request.app.state.sql["events.close"], event["id"], event["organizer_id"]
    )
    return RedirectResponse(_path(request, "event", event_id=event["id"]), status_code=303)


async def show(request: Request) -> Response:
    event = await _event(request)
    context: dict[str, Any] = {"event": event, "tz": event["time_zone"]}
    if event["is_organizer"]:
        context["stats"] = await request.app.state.pool.fetchrow(
            request.app.state.sql["events.stats"], event["id"]
        )
        context["join_link"] = join_url(request, event["join_code"])
        context["code"] = events.spoken(event["join_code"])
    return render(request, "event.html", context)


async def poster(request: Request) -> Response:
    event = await _event(request, organizer=True)
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
        },
    )


async def _by_code(request: Request) -> Any:
    code = events.normalise_code(request.path_params["code"])
    event = None
    if code is not None:
        event = await request.app.state.pool.fetchrow(request.app.state.sql["events.by_code"], code)
    if event is None:
        raise HTTPException(404, UNKNOWN_CODE)
    if event["closed_at"] is not None:
        raise HTTPException(410, CLOSED)
    return event


def _join_page(
    request: Request,
    event: Any,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    response = render(
        request,
        "event_join.html",
        {
            "event": event,
            "tz": event["time_zone"],
            "values": values or dict.fromkeys(card_fields.QUICK_FIELDS, ""),
            "errors": errors or {},
            "listed": True if values is None else values.get("listed") == "on",
        },
        status_code=status_code,
    )
    response.headers["x-robots-tag"] = "noindex, nofollow"
    return response


async def join_page(request: Request) -> Response:
    # A GET only reads: a scanner's link preview joins nobody.
    event = await _by_code(request)
    await current_account(request)  # someone with a card is not asked for one again
    return _join_page(request, event)


async def join(request: Request) -> Response:
    """Join by QR or code; someone with no account makes their card in the same form."""
    form = await read_form(request)
    event = await _by_code(request)
    listed = text(form, "listed") == "on"
    pool, sql = request.app.state.pool, request.app.state.sql
    account_id = await current_account(request)
    if account_id is not None:
        await pool.execute(sql["events.join"], event["id"], account_id, listed)
        return redirect(request, _path(request, "event", event_id=event["id"]))
    values, errors = card_fields.validate_quick(form, phone_region(request))
    if errors:
        return _join_page(
            request,
            event,
            values={**values, "listed": text(form, "listed")},
            errors=errors,
            status_code=422,
        )
    token, token_hash = sessions.new_token()
    ordered = [values.get(name, "") for name in card_fields.FIELD_NAMES]
    zone = time_zones.choose(text(form, "time_zone"), request.app.state.time_zones)
    async with pool.acquire() as conn, conn.transaction():
        account_id = await conn.fetchval(
            sql["accounts.create_with_card"], token_hash, *ordered, zone
        )
        await conn.execute(sql["events.join"], event["id"], account_id, listed)
    response = redirect(request, _path(request, "event", event_id=event["id"]) + "?joined=1")
    sessions.set_cookie(response, token, secure=request.app.state.settings.secure_cookies)
    return response


async def enter_code(request: Request) -> Response:
    """``/join``: type the code the organizer reads out."""
    raw = request.query_params.get("code")
    if raw is None:
        return render(request, "event_code.html", {"code": "", "error": None})
    code = events.normalise_code(raw[:40])
    if code is None:
        return render(
            request, "event_code.html", {"code": raw[:40], "error": UNKNOWN_CODE}, status_code=422
        )
    return RedirectResponse(_path(request, "join_event", code=code), status_code=303)


async def people(request: Request) -> Response:
    """The roster: listed attendees, searchable as you type; only for attendees, for a while."""
    event = await _event(request)
    if not event["is_attendee"]:
        raise HTTPException(404, "That event is not one of yours.")
    if not event["roster_open"]:
        raise HTTPException(410, "This event's list of people has closed.")
    query = request.query_params.get("q", "")[:100]
    rows = await request.app.state.pool.fetch(
        request.app.state.sql["events.roster"],
        event["id"],
        request.state.account_id,
        events.prefix_query(query),
    )
    return render(
        request,
        "event_people.html",
        {"event": event, "people": rows, "q": query},
        fragment="_event_people_list.html",
    )


async def set_listed(request: Request) -> Response:
    form = await read_form(request)
    event = await _event(request)
    listed = text(form, "listed") == "on"
    await request.app.state.pool.execute(
        request.app.state.sql["events.set_listed"], event["id"], request.state.account_id, listed
    )
    if htmx(request):
        event = await _event(request)
        return render(request, "_event_listing.html", {"event": event, "saved": True})
    return RedirectResponse(_path(request, "event", event_id=event["id"]), status_code=303)


async def leave(request: Request) -> Response:
    await read_form(request)
    event = await _event(request)
    await request.app.state.pool.execute(
        request.app.state.sql["events.leave"], event["id"], request.state.account_id
    )
    return RedirectResponse(_path(request, "events"), status_code=303)


async def block(request: Request) -> Response:
    """One tap: they no longer see me in rosters, and I no longer see them."""
    await read_form(request)
    event = await _event(request)
    other = request.path_params["account_id"]
    if other == request.state.account_id:
        raise HTTPException(400, "You cannot block yourself.")
    present = await request.app.state.pool.fetchval(
        request.app.state.sql["events.attendee_ids"], event["id"], other
    )
    if present is None:
        raise HTTPException(404, "That person is not at this event.")
    await request.app.state.pool.execute(
        request.app.state.sql["events.block"], request.state.account_id, other
    )
    return RedirectResponse(_path(request, "event_people", event_id=event["id"]), status_code=303)


async def index(request: Request) -> Response:
    account_id = await current_account(request)
    rows: list[Any] = []
    if account_id is not None:
        rows = await request.app.state.pool.fetch(request.app.state.sql["events.mine"], account_id)
    return render(request, "events.html", {"events": rows, "tz": time_zone(request)})
