"""``/settings``: time zone, when and how to be reminded, my email address and what it gets
(a confirmation for a new address asks for "Confirm it's you" first: ``confirm_routes.py``),
the browsers signed in, and the devices that get reminders."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.db import time_zones
from server.followups import push, wording
from server.mail import addresses, links
from server.settings import mail_reason
from server.signin import browsers, proving
from server.web.auth import signed_in, signed_in_account, signed_in_session, viewer
from server.web.forms import plain, read_form, read_json, text
from server.web.htmx import htmx
from server.web.notices import with_notice
from server.web.opened_for import FIELD, OpenedForAnother, refuse_if_opened_for_another
from server.web.templating import render
from server.web.urls import url_path

NO_CARD = "Save your card first; then you can choose your reminders."
# The browser that made the account by leaving details on someone's card (no card made there:
# sessions.list_for's left_details), in the words of browsers.SIGNED_IN_BY.
LEFT_DETAILS = "left your details here"


async def _page(
    request: Request,
    account_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    pool, sql = request.app.state.pool, request.app.state.sql
    _, session_id = signed_in_session(request)
    preferences = await sql.run(pool, "accounts.preferences", account_id=account_id)
    devices = await sql.run(pool, "push.devices", account_id=account_id)
    email = await sql.run(pool, "mail.email_settings", account_id=account_id)
    # The worker's own words for a failure are for operators: the reader gets plain ones.
    outbox = [
        {**row, "reason": mail_reason.reason(row["last_error"], final=row["status"] == "failed")}
        for row in await sql.run(pool, "mail.outbox_for", account_id=account_id)
    ]
    # No reminder can reach her: said as Follow-ups says it, by the controls that fix it.
    reach = await sql.run(pool, "followups.reminders_reach", account_id=account_id)
    signed_in = [
        {
            **row,
            "name": browsers.describe(row["user_agent"]),
            "how": LEFT_DETAILS
            if row["left_details"]
            else browsers.SIGNED_IN_BY[row["signed_in_by"]],
            "this": row["id"] == viewer(request).session_id,
        }
        for row in await sql.run(pool, "sessions.list_for", account_id=account_id)
    ]
    return render(
        request,
        "settings.html",
        {
            "values": values or dict(preferences),
            # What is saved: what the page says of reminders, when a refused form shows
            # what was sent (values).
            "chosen": dict(preferences),
            "errors": errors or {},
            "saved": saved,
            "devices": devices,
            "timings": wording.TIMINGS,
            "reminded_when": wording.REMINDED_WHEN,
            "reminders_by": wording.REMINDERS_BY,
            "unreached_fix": wording.unreached_fix(reach),
            "email": email,
            "outbox": outbox,
            "sessions": signed_in,
            "passkeys": await sql.run(pool, "passkeys.for_account", account_id=account_id),
            "blocked": await sql.run(pool, "blocks.blocked_by", blocker_id=account_id),
            "vapid_key": request.app.state.vapid.application_server_key,
            "proof": await proving.ways(pool, sql, account_id, session_id),
            "passkey_next": (
                request.query_params.get(proving.PASSKEY_NEXT[0]) == proving.PASSKEY_NEXT[1]
            ),
            # Whether a code to the card's address signs in (not once a passkey came before
            # it was confirmed), and whether anything but this browser opens the card: said
            # by "Sign out of this device", which would otherwise lose it for good.
            "ways_in": await sql.run(
                pool, "accounts.ways_in", account_id=account_id, session_id=session_id
            ),
            "fresh_minutes": proving.FRESH_MINUTES,
        },
        status_code=status_code,
        fragment="_preferences.html" if htmx(request) else None,
    )


@signed_in(status_code=404, message=NO_CARD)
async def settings(request: Request) -> Response:
    await links.check_meant_for(request)  # "Change how reminders come", from our email
    return await _page(request, signed_in_account(request))


@signed_in(status_code=404, message=NO_CARD)
async def settings_save(request: Request) -> Response:
    form = await read_form(request)
    account_id = signed_in_account(request)
    # Before anything is read or written: the page may show another card's choices.
    refuse_if_opened_for_another(request, form, account_id, page="settings")
    values = {
        "time_zone": text(form, "time_zone"),
        "followup_timing": text(form, "followup_timing"),
        "reminders_by": text(form, "reminders_by"),
        # A checkbox: sent only when ticked. "" unticked, so a refused save shows it as sent.
        "notes_on_lock_screen": "1" if text(form, "notes_on_lock_screen") else "",
    }
    errors = {}
    known = request.app.state.time_zones
    # The zone the page showed passes unchanged: the browser's, maybe none the field offers.
    zone = time_zones.find(values["time_zone"], known, unchanged=viewer(request).time_zone)
    if zone is None:
        errors["time_zone"] = time_zones.mistake(values["time_zone"], known)
    else:
        values["time_zone"] = zone
    if values["followup_timing"] not in wording.TIMINGS:
        errors["followup_timing"] = "Choose when you want to be reminded."
    if values["reminders_by"] not in wording.REMINDERS_BY:
        errors["reminders_by"] = "Choose how you want to be reminded."
    if errors:
        return await _page(request, account_id, errors=errors, values=values, status_code=422)
    sql = request.app.state.sql
    # A new zone moves her follow-ups and her waiting summaries, which a worker queueing her
    # reminders (Worker._enqueue_some) and a merge (lock_merge() in logic.sql) hold: her
    # follow-ups first, then her reminders lock, then her summary pushes, then her summary
    # emails, as they take them, or each could hold what the other waits for.
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await sql.run(conn, "accounts.lock_open_followups", account_id=account_id)
        await sql.run(conn, "deliveries.lock_owners", owners=[account_id])
        await sql.run(conn, "deliveries.lock_waiting_summaries", owners=[account_id])
        await sql.run(
            conn,
            "accounts.set_preferences",
            account_id=account_id,
            time_zone=values["time_zone"],
            followup_timing=values["followup_timing"],
            reminders_by=values["reminders_by"] or None,
            notes_on_lock_screen=bool(values["notes_on_lock_screen"]),
        )
    if htmx(request):
        return await _page(request, account_id, saved=True)
    return RedirectResponse(
        with_notice(url_path(request, "settings"), "settings_saved"), status_code=303
    )


# Phones and browsers one account may get reminders on: more is a script, not a person.
DEVICES_PER_ACCOUNT = 10
TOO_MANY_DEVICES = (
    f"Reminders are on for {DEVICES_PER_ACCOUNT} devices already. Remove one in Settings first."
)
ENDPOINT_TAKEN = (
    "This browser already gets reminders for another Reachout account. Turn them off there first."
)


async def push_subscribe(request: Request) -> Response:
    """``PushSubscription.toJSON()`` from app.js, after the person asked for reminders."""
    data: Any = await read_json(request)
    account_id = viewer(request).account_id
    if account_id is None:
        return JSONResponse({"error": "Save your card first."}, status_code=403)
    # A Settings page of another card (switched in another tab): this browser would get the
    # reminders of the card signed in now. Said in reminders.js's words box, so plain text.
    named = data.get(FIELD) if isinstance(data, dict) else None
    try:
        refuse_if_opened_for_another(
            request,
            FormData({FIELD: named} if isinstance(named, str) else {}),
            account_id,
            page="settings",
        )
    except OpenedForAnother as elsewhere:
        said = elsewhere.detail  # Markup, with its link: the words alone
        return JSONResponse(
            {"error": said.striptags() if isinstance(said, Markup) else said}, status_code=409
        )
    device = data.get("device") if isinstance(data, dict) else None
    # Shown in the list of devices: text as a form field's is (no direction overrides).
    device = plain(device).strip()[:200] if isinstance(device, str) else ""
    try:
        subscription = push.validate_subscription(
            data.get("subscription") if isinstance(data, dict) else None,
            request.app.state.settings.push_services,
        )
    except push.InvalidSubscription as refused:
        return JSONResponse({"error": str(refused)}, status_code=422)
    sql = request.app.state.sql
    taken = False
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await sql.run(conn, "push.lock_devices", account_id=account_id)
        subscription_id = await sql.run(
            conn,
            "push.subscribe",
            account_id=account_id,
            endpoint=subscription.endpoint,
            p256dh=subscription.p256dh,
            auth=subscription.auth,
            device=device,
            session_id=viewer(request).session_id,
            most=DEVICES_PER_ACCOUNT,
        )
        if subscription_id is None:
            taken = await sql.run(
                conn, "push.endpoint_taken", account_id=account_id, endpoint=subscription.endpoint
            )
    if subscription_id is None and taken:
        return JSONResponse({"error": ENDPOINT_TAKEN}, status_code=409)
    if subscription_id is None:
        return JSONResponse({"error": TOO_MANY_DEVICES}, status_code=409)
    return JSONResponse({"id": subscription_id}, status_code=201)


async def push_unsubscribe(request: Request) -> Response:
    """This device turned reminders off (app.js sends its endpoint)."""
    data: Any = await read_json(request)
    account_id = viewer(request).account_id
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if account_id is None or not isinstance(endpoint, str):
        return JSONResponse({"error": "Nothing to turn off."}, status_code=404)
    await request.app.state.sql.run(
        request.app.state.pool, "push.remove_endpoint", endpoint=endpoint, account_id=account_id
    )
    return Response(status_code=204)


@signed_in(status_code=404, message=NO_CARD)
async def push_remove_device(request: Request) -> Response:
    account_id = signed_in_account(request)
    removed = await request.app.state.sql.run(
        request.app.state.pool,
        "push.remove",
        id=request.path_params["subscription_id"],
        account_id=account_id,
    )
    if removed is None:
        raise HTTPException(404, "That device is not in your list.")
    if htmx(request):
        return await _page(request, account_id)
    return RedirectResponse(url_path(request, "settings"), status_code=303)


NOT_PROVEN = (
    "Confirm it's you first, with a code by email or a passkey: an address confirmed for your"
    " account signs in to it. No confirmation was sent."
)


@signed_in(status_code=404, message=NO_CARD)
async def email_confirmation(request: Request) -> Response:
    """ "Send me a confirmation": an email with one button, which works in any browser. Its
    button confirms the address for this account, a way of proof: to an address not confirmed
    for it yet, only after "Confirm it's you" when the account has a way of proof already."""
    account_id = signed_in_account(request)
    # Read before a connection is taken: a slow phone's body holds none of the pool.
    form = await read_form(request)
    refuse_if_opened_for_another(request, form, account_id, page="settings")
    pool, sql = request.app.state.pool, request.app.state.sql
    email = await sql.run(pool, "mail.email_settings", account_id=account_id)
    if email is None or not email["email"]:
        raise HTTPException(400, "Add an email address to your card first.")
    resubscribe = bool(text(form, "resubscribe"))
    _, session_id = signed_in_session(request)
    unconfirmed = email["confirmed_at"] is None
    # "Confirm it's you" (confirm_routes.py) is what makes this session's proof fresh.
    if unconfirmed and not (await proving.ways(pool, sql, account_id, session_id)).proven:
        return await _page(request, account_id, errors={"email": NOT_PROVEN}, status_code=403)
    async with pool.acquire() as conn:
        if resubscribe:
            back = await sql.run(
                conn,
                "mail.resubscribe",
                address=addresses.normalize(email["email"]),
                account_id=account_id,
            )
            if back is not None:
                # Confirmed for this account already: "Email me again" is all it takes.
                return RedirectResponse(
                    with_notice(url_path(request, "settings"), "email_back"), status_code=303
                )
        refused = await addresses.queue_confirm(conn, sql, account_id, email["email"])
    if refused is not None:
        status_code, message = addresses.CONFIRM_REFUSED[refused]
        return await _page(request, account_id, errors={"email": message}, status_code=status_code)
    return RedirectResponse(
        with_notice(url_path(request, "settings"), "confirmation_sent"), status_code=303
    )


routes = [
    Route("/settings", settings, name="settings"),
    Route("/settings", settings_save, methods=["POST"], name="settings_save"),
    Route(
        "/settings/email/confirm",
        email_confirmation,
        methods=["POST"],
        name="settings_email_confirm",
    ),
    Route("/push/subscriptions", push_subscribe, methods=["POST"], name="push_subscribe"),
    Route("/push/unsubscribe", push_unsubscribe, methods=["POST"], name="push_unsubscribe"),
    Route(
        "/push/subscriptions/{subscription_id:int}/delete",
        push_remove_device,
        methods=["POST"],
        name="push_remove_device",
    ),
]
