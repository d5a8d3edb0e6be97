"""``/move/…``, "Move to another app or phone": the signed-in browser shows a move code and its
QR, the installed app or the other phone types or scans it and is signed in
(``server/signin/moving.py``)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.signin import moving, starting
from server.signin.starting import NOT_SIGNED_IN
from server.web import limits, qr
from server.web.auth import signed_in, signed_in_session, viewer
from server.web.forms import read_form, text
from server.web.htmx import htmx
from server.web.templating import poll_again, poll_done, render
from server.web.urls import url_path


@signed_in(redirect="card")
async def move(request: Request) -> Response:
    """ "Move to another app or phone": what to do, and a button that shows a code."""
    return render(request, "move.html", {"code": None})


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def move_code(request: Request) -> Response:
    app = request.app
    account_id, session_id = signed_in_session(request)
    code, code_id = await moving.new_code(
        app.state.pool, app.state.sql, app.state.settings.secret_key, account_id, session_id
    )
    link = app.state.settings.base_url + url_path(request, "move_scanned", code=code)
    svg = await run_in_threadpool(qr.svg, link, title="QR code to move to another app or phone")
    response = render(
        request,
        "move.html",
        {
            "code": moving.shown(code),
            "code_id": code_id,
            "qr_svg": svg,
            "minutes": moving.MINUTES,
        },
        fragment="_move_panel.html" if htmx(request) else None,
    )
    response.headers["cache-control"] = "no-store"  # a live code is never kept
    return response


async def move_code_state(request: Request) -> Response:
    """What became of the code on the page (htmx polls it): nothing while it waits; once
    used, replaced, expired or gone, what to say in its place (``poll_done``). Gone
    (forgotten after a day, the browser that showed it signed out, here or from elsewhere,
    so that it signs nobody in; the account deleted) and someone else's code read the same."""
    account_id = viewer(request).account_id
    state = "gone"
    if account_id is not None:
        state = (
            await request.app.state.sql.run(
                request.app.state.pool,
                "signin.move_code_state",
                id=request.path_params["code_id"],
                account_id=account_id,
            )
            or "gone"
        )
    if state == "waiting":
        return poll_again()
    return poll_done(request, "_move_code_state.html", {"state": state})


async def move_enter(request: Request) -> Response:
    """In the other browser or the installed app: type the code (a QR fills it in). Opened
    where a card is signed in already, it says which: the code switches this phone."""
    typed = request.path_params.get("code", "")
    context = {"typed": typed, "error": "", "signed_in_as": await starting.signed_in_as(request)}
    return render(request, "move_enter.html", context)


async def move_enter_submit(request: Request) -> Response:
    form = await read_form(request)
    typed = text(form, "code")
    if not moving.normalize(typed):
        context = {"typed": typed, "error": moving.NOTHING_TYPED}
        return render(request, "move_enter.html", context, status_code=422)
    app = request.app
    try:
        async with app.state.pool.acquire() as conn, conn.transaction():
            account_id = await moving.use_code(
                conn,
                app.state.sql,
                app.state.settings.secret_key,
                typed,
                limits.address_key(request),
            )
            if account_id is not None:
                session = await starting.start_session(request, conn, account_id, "move")
    except limits.TooMany as too_many:
        # On the form, with what was typed: the rule's words say when to try again.
        context = {"typed": typed, "error": too_many.detail}
        refused = render(request, "move_enter.html", context, status_code=429)
        refused.headers.update(too_many.headers or {})
        return refused
    if account_id is None:
        error = (
            "That code does not work: it may be mistyped, used, or older than five minutes."
            " Show a new one on the other phone."
        )
        return render(request, "move_enter.html", {"typed": typed, "error": error}, status_code=422)
    return starting.signed_in_to(request, session)


routes = [
    Route("/move", move, name="move"),
    Route("/move", move_code, methods=["POST"], name="move_code"),
    Route("/move/enter", move_enter, name="move_enter"),
    Route("/move/enter", move_enter_submit, methods=["POST"], name="move_enter_submit"),
    Route("/move/enter/{code}", move_enter, name="move_scanned"),
    Route("/move/codes/{code_id:int}", move_code_state, name="move_code_state"),
]
