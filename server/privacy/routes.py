"""``/privacy`` (what is kept, who sees it, for how long) and Settings → "Delete my account":
what goes, a fresh sign-in (an emailed code or a passkey), then one final button."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.privacy import deletion, retention
from server.signin import codes, passkey_proof, proving
from server.web import limits, sessions
from server.web.auth import signed_in, signed_in_session
from server.web.forms import read_form, text
from server.web.notices import with_notice
from server.web.opened_for import refuse_if_opened_for_another
from server.web.templating import render
from server.web.urls import url_path

NOT_SIGNED_IN = "This browser is not signed in to an account."
NOT_FRESH = (
    "Confirm it is you first, with a code by email or a passkey."
    f" It counts for {proving.FRESH_MINUTES} minutes."
)
TYPE_IT = f'Type "{deletion.TYPED}" to confirm. Nothing was deleted.'


async def privacy(request: Request) -> Response:
    """Plain words on what is stored, who sees what, and how long: the periods are the
    retention rules' own, with the settings the worker uses."""
    settings = request.app.state.settings
    rules = [{"what": rule.what, "when": rule.says(settings)} for rule in retention.RULES]
    return render(
        request,
        "privacy.html",
        {
            "rules": rules,
            "roster_days": settings.roster_days,
            "guest_days": retention.in_words(settings.retain_guests),
        },
    )


async def _page(
    request: Request,
    *,
    code_sent: bool = False,
    again: bool = False,
    too_many: str = "",  # when one more code may be asked for, in words
    code_error: str = "",
    confirm_error: str = "",
    status_code: int = 200,
) -> Response:
    """The page: what goes, then the step the person is at."""
    account_id, session_id = signed_in_session(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    ways = await proving.ways(pool, sql, account_id, session_id)
    goes = await sql.run(pool, "deletion.what_goes", account_id=account_id)
    response = render(
        request,
        "delete_account.html",
        {
            "ways": ways,
            "goes": goes,
            "code_sent": code_sent,
            "again": again,
            "too_many": too_many,
            "code_error": code_error,
            "confirm_error": confirm_error,
            "typed": deletion.TYPED,
            "fresh_minutes": proving.FRESH_MINUTES,
        },
        status_code=status_code,
    )
    response.headers["cache-control"] = "no-store"  # never kept offline: it changes by the minute
    return response


@signed_in(redirect="card")
async def delete_account(request: Request) -> Response:
    # ?code=sent (or again): the step after "Email me a code", by GET, so that a reload
    # shows it again rather than sending another code.
    sent = request.query_params.get("code")
    return await _page(request, code_sent=sent in ("sent", "again"), again=sent == "again")


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def delete_account_send_code(request: Request) -> Response:
    """ "Email me a code": to an address confirmed for this account (the card's when it is),
    for this account only."""
    # "Send a new code" says it sent one: otherwise the page reads exactly as before.
    again = bool(text(await read_form(request), "again"))
    app = request.app
    try:
        await proving.send_code(
            app.state.pool,
            app.state.sql,
            app.state.settings.secret_key,
            signed_in_session(request),
            limits.address_key(request),
            deletion.PURPOSE,
        )
    except proving.NoAddress as none:
        return await _page(request, code_error=str(none), status_code=400)
    except codes.TooMany as too_many:
        refused = await _page(request, code_sent=True, too_many=too_many.wait, status_code=429)
        refused.headers["retry-after"] = str(too_many.retry_after)
        return refused
    step = url_path(request, "delete_account") + ("?code=again" if again else "?code=sent")
    return RedirectResponse(step, status_code=303)


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def delete_account_check_code(request: Request) -> Response:
    form = await read_form(request)
    app = request.app
    refused = await proving.check_code(
        app.state.pool,
        app.state.sql,
        app.state.settings.secret_key,
        signed_in_session(request),
        text(form, "code"),
        deletion.PURPOSE,
    )
    if refused is not None:
        return await _page(request, code_sent=True, code_error=refused, status_code=422)
    return RedirectResponse(url_path(request, "delete_account"), status_code=303)


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def delete_account_passkey_options(request: Request) -> Response:
    return await passkey_proof.options(request)


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def delete_account_passkey(request: Request) -> Response:
    return await passkey_proof.answer(request, url_path(request, "delete_account"))


@signed_in(status_code=404, message=NOT_SIGNED_IN)
async def delete_account_confirm(request: Request) -> Response:
    """The final button: after a fresh sign-in (or, with no way to sign in afresh, the word
    typed), the account goes; this browser ends signed out, keeping nothing of it."""
    form = await read_form(request)
    app = request.app
    account_id, session_id = signed_in_session(request)
    # Another card's page (switched in another tab): this card's confirmation, or the word
    # typed when it has no way of proof, would delete the card signed in now.
    refuse_if_opened_for_another(request, form, account_id, page="delete_account")
    async with app.state.pool.acquire() as conn, conn.transaction():
        ways = await proving.ways(conn, app.state.sql, account_id, session_id)
        confirmed = ways.proven and (
            ways.proof_needed or text(form, "confirm").strip().lower() == deletion.TYPED
        )
        if confirmed:
            await deletion.delete(conn, app.state.sql, account_id)
    if not confirmed:
        if ways.proof_needed:
            return await _page(request, confirm_error=NOT_FRESH, status_code=403)
        return await _page(request, confirm_error=TYPE_IT, status_code=422)
    # To the start page, saying so (a reload then asks nothing again), and the browser told
    # to forget it all, as signing out does: the cookie, the offline copies of my pages, the
    # service worker.
    response = RedirectResponse(
        with_notice(url_path(request, "home"), "account_deleted"), status_code=303
    )
    sessions.delete_cookie(response, secure=app.state.settings.secure_cookies)
    response.headers["clear-site-data"] = sessions.CLEAR_SITE_DATA
    return response


routes = [
    Route("/privacy", privacy, name="privacy"),
    Route("/settings/delete-account", delete_account, name="delete_account"),
    Route(
        "/settings/delete-account",
        delete_account_confirm,
        methods=["POST"],
        name="delete_account_confirm",
    ),
    Route(
        "/settings/delete-account/code",
        delete_account_send_code,
        methods=["POST"],
        name="delete_account_send_code",
    ),
    Route(
        "/settings/delete-account/code/check",
        delete_account_check_code,
        methods=["POST"],
        name="delete_account_check_code",
    ),
    Route(
        "/settings/delete-account/passkey/options",
        delete_account_passkey_options,
        methods=["POST"],
        name="delete_account_passkey_options",
    ),
    Route(
        "/settings/delete-account/passkey",
        delete_account_passkey,
        methods=["POST"],
        name="delete_account_passkey",
    ),
]
