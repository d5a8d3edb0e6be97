"""Requests to connect, sent from an event's roster: ask, accept, or decline (silently)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.forms import read_form
from server.htmx import htmx
from server.routes.events import _event
from server.sessions import current_account
from server.templating import render

PER_HOUR = 30


async def ask(request: Request) -> Response:
    await read_form(request)
    event = await _event(request)
    me, other = request.state.account_id, request.path_params["account_id"]
    pool, sql = request.app.state.pool, request.app.state.sql
    if other == me:
        raise HTTPException(400, "That is you. Show your QR code to someone else instead.")
    if not event["is_attendee"] or not event["roster_open"]:
        raise HTTPException(404, "That event is not one of yours.")
    # Only someone I can see on the roster can be asked: listed, present, no block.
    visible = await pool.fetchval(sql["requests.can_ask"], event["id"], me, other)
    if not visible:
        raise HTTPException(404, "That person is not on this event's list.")
    if await pool.fetchval(sql["contacts.id_for"], me, other) is not None:
        raise HTTPException(400, "You are already connected: they are in your contacts.")
    if await pool.fetchval(sql["requests.sent_last_hour"], me) >= PER_HOUR:
        raise HTTPException(
            429,
            f"You have sent {PER_HOUR} requests in the last hour. "
            "Please wait a while before sending more.",
        )
    made = await pool.fetchval(sql["requests.create"], event["id"], me, other)
    if made is None:
        raise HTTPException(409, "There is already a request waiting between you two.")
    if htmx(request):
        return render(request, "_request_sent.html", {})
    people = str(request.app.url_path_for("event_people", event_id=event["id"]))
    return RedirectResponse(people + "?requested=1", status_code=303)


async def incoming(request: Request) -> Response:
    account_id = await current_account(request)
    rows = []
    if account_id is not None:
        rows = await request.app.state.pool.fetch(
            request.app.state.sql["requests.incoming"], account_id
        )
    return render(request, "requests.html", {"requests": rows})


async def decide(request: Request) -> Response:
    await read_form(request)
    account_id = await current_account(request)
    if account_id is None:
        raise HTTPException(404, "That request is not for you.")
    if request.path_params["decision"] not in ("accept", "decline"):
        raise HTTPException(404, "That is not something you can do with a request.")
    accept = request.path_params["decision"] == "accept"
    pool, sql = request.app.state.pool, request.app.state.sql
    async with pool.acquire() as conn, conn.transaction():
        decided = await conn.fetchrow(
            sql["requests.decide"],
            request.path_params["request_id"],
            account_id,
            "accepted" if accept else "declined",
        )
        if decided is None:
            raise HTTPException(404, "That request is not waiting for you.")
        contact_id = None
        if accept:
            # The same two-way connection as a swap, with follow-ups, tagged with the event.
            contact_id = await conn.fetchval(
                sql["contacts.connect"], account_id, decided["from_id"], decided["event_id"], None
            )
            if contact_id is None:
                contact_id = await conn.fetchval(
                    sql["contacts.id_for"], account_id, decided["from_id"]
                )
    if accept:
        return RedirectResponse(
            str(request.app.url_path_for("contact", contact_id=contact_id)) + "?new=1",
            status_code=303,
        )
    return RedirectResponse(str(request.app.url_path_for("requests")), status_code=303)
