"""``/settings/confirm``, "Confirm it's you": a fresh proof in this session (a code by email or
a passkey) before a way of proof is added to an account that has one
(``server/signin/proving.py``), or another account merged into it (which brings the addresses
confirmed for that one); Settings, or the merge page, sends people here and takes them back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.signin import codes, passkey_proof, proving
from server.web import limits
from server.web.auth import signed_in, signed_in_session
from server.web.forms import read_form, text
from server.web.templating import render
from server.web.urls import url_path

# As Settings says it (server/settings/routes.py): these pages are part of it.
NO_CARD = "Save your card first; then you can choose your reminders."

# "Confirm it's you", before adding a passkey, confirming a new address or merging another
# account in: the code's purpose (its own email), and the page (and place on it) the person
# goes back to, by what they were about to do. Adding a passkey: that step, focused there
# (no #part: going to one takes focus away from what is not a control).
PURPOSE = "prove"
THEN = {
    "passkey": ("settings", f"?{urlencode([proving.PASSKEY_NEXT])}"),
    "email": ("settings", "#email-title"),
    "merge": ("sign_in_merge", ""),
}


async def _proof(request: Request) -> proving.Ways:
    account_id, session_id = signed_in_session(request)
    return await proving.ways(request.app.state.pool, request.app.state.sql, account_id, session_id)


def _then(request: Request, form: Any = None) -> str:
    value = text(form, "then") if form is not None else request.query_params.get("then", "")
    return value if value in THEN else "passkey"


def _back(request: Request, then: str) -> str:
    """The page, at what the person was about to do (that works now)."""
    page, place = THEN[then]
    return url_path(request, page) + place


async def _confirm_page(
    request: Request,
    then: str,
    *,
    code_sent: bool = False,
    again: bool = False,
    too_many: str = "",  # when one more code may be asked for, in words
    code_error: str = "",
    status_code: int = 200,
) -> Response:
    response = render(
        request,
        "settings_confirm.html",
        {
            "ways": await _proof(request),
            "then": then,
            "code_sent": code_sent,
            "again": again,
            "too_many": too_many,
            "code_error": code_error,
            "fresh_minutes": proving.FRESH_MINUTES,
        },
        status_code=status_code,
    )
    response.headers["cache-control"] = "no-store"  # it changes by the minute
    return response


# As /settings answers: a browser signed out since is told so, with Sign in (403), never sent
# to Make my card, which would start a second account; one with no card is offered both.
@signed_in(status_code=404, message=NO_CARD)
async def settings_confirm(request: Request) -> Response:
    """ "Confirm it's you": a code by email or a passkey; nothing to do when this session
    proved it just now, or the account has no way of proof."""
    then = _then(request)
    if (await _proof(request)).proven:
        return RedirectResponse(_back(request, then), status_code=303)
    # ?code=sent (or again): the step after "Email me a code", by GET, so that a reload
    # shows it again rather than sending another code.
    sent = request.query_params.get("code")
    return await _confirm_page(
        request, then, code_sent=sent in ("sent", "again"), again=sent == "again"
    )


@signed_in(status_code=404, message=NO_CARD)
async def settings_confirm_send_code(request: Request) -> Response:
    form = await read_form(request)
    then = _then(request, form)
    app = request.app
    try:
        await proving.send_code(
            app.state.pool,
            app.state.sql,
            app.state.settings.secret_key,
            signed_in_session(request),
            limits.address_key(request),
            PURPOSE,
        )
    except proving.NoAddress as none:
        return await _confirm_page(request, then, code_error=str(none), status_code=400)
    except codes.TooMany as too_many:
        refused = await _confirm_page(
            request, then, code_sent=True, too_many=too_many.wait, status_code=429
        )
        refused.headers["retry-after"] = str(too_many.retry_after)
        return refused
    # "Send a new code" says it sent one: otherwise the page reads exactly as before.
    step = {"then": then, "code": "again" if text(form, "again") else "sent"}
    return RedirectResponse(
        f"{url_path(request, 'settings_confirm')}?{urlencode(step)}", status_code=303
    )


@signed_in(status_code=404, message=NO_CARD)
async def settings_confirm_check_code(request: Request) -> Response:
    form = await read_form(request)
    then = _then(request, form)
    app = request.app
    refused = await proving.check_code(
        app.state.pool,
        app.state.sql,
        app.state.settings.secret_key,
        signed_in_session(request),
        text(form, "code"),
        PURPOSE,
    )
    if refused is not None:
        return await _confirm_page(
            request, then, code_sent=True, code_error=refused, status_code=422
        )
    return RedirectResponse(_back(request, then), status_code=303)


@signed_in(status_code=404, message=NO_CARD)
async def settings_confirm_passkey_options(request: Request) -> Response:
    return await passkey_proof.options(request)


@signed_in(status_code=404, message=NO_CARD)
async def settings_confirm_passkey(request: Request) -> Response:
    return await passkey_proof.answer(request, _back(request, _then(request)))


routes = [
    Route("/settings/confirm", settings_confirm, name="settings_confirm"),
    Route(
        "/settings/confirm/code",
        settings_confirm_send_code,
        methods=["POST"],
        name="settings_confirm_send_code",
    ),
    Route(
        "/settings/confirm/code/check",
        settings_confirm_check_code,
        methods=["POST"],
        name="settings_confirm_check_code",
    ),
    Route(
        "/settings/confirm/passkey/options",
        settings_confirm_passkey_options,
        methods=["POST"],
        name="settings_confirm_passkey_options",
    ),
    Route(
        "/settings/confirm/passkey",
        settings_confirm_passkey,
        methods=["POST"],
        name="settings_confirm_passkey",
    ),
]
