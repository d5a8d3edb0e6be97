"""``/tap``: swap by a six-digit code, by bumping phones, or by typing a guest's details."""

from __future__ import annotations

import math
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.cards import fields
from server.cards.cards import phone_region
from server.contacts.contacts import swap_said
from server.db.pool import Connection, transaction
from server.swaps import sync
from server.swaps.connect import create_guest
from server.tap import bumps, codes
from server.tap.bump_pairing import FUTURE_MS, MAX_AGE_MS, SETTLE_MS, wait_until
from server.web import limits
from server.web.auth import signed_in, signed_in_account, viewer
from server.web.disconnects import HungUp, unless_disconnected
from server.web.forms import an_id, read_form, text
from server.web.htmx import htmx, redirect
from server.web.notices import with_notice
from server.web.templating import poll_again, poll_done, render
from server.web.urls import url_path

NO_CARD = "Make your card first, then you can swap."
# How long a page that waits for the other person's answer holds one request open.
LONG_POLL_MS = 20_000
# A pick from a list gone stale: they swapped with someone else meanwhile, or time ran out.
GONE_FROM_CROWD = "That person is no longer in the list."
# A Tap form sent from a page of another account than the one signed in now (switched in
# another tab): refused as /sync/actions refuses a swap queued under another account
# (``sync.made_by``, 409), in words for a form, of which nothing was kept.
ELSEWHERE = (
    "This page was opened for another card than the one signed in on this phone now"
    " (switched in another tab), so nothing was swapped. Reload the page to swap as the card"
    " signed in now."
)
BUMP_GONE = "That bump is not yours, or it is gone. Bump again."
BUMP_CLOCK = (
    "That bump's time is too far from ours. Check that the phone sets its clock"
    " automatically, then bump again."
)


def _tap_page(request: Request, status_code: int = 200, **context: Any) -> Response:
    """The Tap screen, with the code form or the guest form as last submitted."""
    blank = {"typed": "", "error": "", "values": dict.fromkeys(fields.QUICK_FIELDS, "")}
    return render(request, "tap.html", {**blank, **context}, status_code=status_code)


@signed_in(redirect="card")
async def tap(request: Request) -> Response:
    return _tap_page(request)


@signed_in(message=NO_CARD)
async def tap_code(request: Request) -> Response:
    """Issue (or keep) my code; ``fresh`` retires the current one first."""
    account_id = signed_in_account(request)
    form = await read_form(request)
    pool, sql = request.app.state.pool, request.app.state.sql
    try:
        issued = await codes.issue(pool, sql, account_id, fresh=bool(text(form, "fresh")))
    except codes.NoCode as refused:
        return render(
            request,
            "_my_code.html",
            {"code": refused.current, "error": refused.message},
            status_code=refused.status_code,
        )
    return render(request, "_my_code.html", {"code": issued})


async def tap_code_state(request: Request) -> Response:
    """What became of the code on my Tap screen (htmx polls it every few seconds): nothing
    while it waits; once someone swapped with it, or it expired, what to say in its place
    (``poll_done``)."""
    account_id = viewer(request).account_id
    state = None
    if account_id is not None:
        state = await request.app.state.sql.run(
            request.app.state.pool,
            "codes.state",
            code=request.path_params["code"],
            account_id=account_id,
            kill_at=codes.NEAR_MISSES_TO_KILL,
        )
    if state is not None and not state["used"] and not state["expired"]:
        return poll_again()
    return poll_done(request, "_my_code_state.html", {"state": state})


def _keyed(form: FormData) -> sync.Keyed | None:
    """The form's key and what was sent with it, less the account it names: the copy tap.js
    queues keeps that beside its payload (outbox.js), and the two must claim the key alike."""
    keyed = sync.keyed(form)
    if keyed is None:
        return None
    payload = {name: value for name, value in keyed.payload.items() if name != "account"}
    return sync.Keyed(keyed.key, payload)


async def _made_here(conn: Connection, request: Request, form: FormData, account_id: int) -> bool:
    """Whether a Tap form may be made as ``account_id``: the page names no account (sent
    without JavaScript, or by an older tap.js), this one, or one merged into it since; as
    /sync/actions checks a queued swap (``sync.made_by``), before its key is claimed."""
    try:
        await sync.made_by(
            conn, request.app.state.sql, {"account": text(form, "account")}, account_id
        )
    except sync.Answer:
        return False
    return True


def _code_form(request: Request, typed: str, error: str, status_code: int) -> Response:
    if htmx(request):
        return render(
            request, "_code_form.html", {"typed": typed, "error": error}, status_code=status_code
        )
    return _tap_page(request, status_code, typed=typed, error=error)


@signed_in(message=NO_CARD)
async def tap_code_enter(request: Request) -> Response:
    """They showed me their code and I typed it: connect us both ways.

    Sent with a key (``sync.keyed``), the swap claims it as a queued one does: the copy tap.js
    queues when the answer never came gets this answer back, not a second redemption. Only an
    answer ``sync.kept`` says a second sending must not redo is recorded (a swap made, a guess
    counted); any other refusal gives its key back, or a script's fresh keys would each leave
    a row for ``RETAIN_SYNCED_DAYS``. Sent from a page of another account than the one signed
    in now, it is refused before the key is claimed (``_made_here``): its queued copy is made
    for that account, once, when it signs in here again.
    """
    account_id = signed_in_account(request)
    form = await read_form(request)
    typed = text(form, "code")[:20]
    keyed = _keyed(form)
    sql = request.app.state.sql
    try:
        async with transaction(request.app.state.pool) as conn:
            if not await _made_here(conn, request, form, account_id):
                return _code_form(request, typed, ELSEWHERE, 409)
            answered = None
            if keyed is not None:
                answered = await sync.claim(conn, sql, account_id, keyed.key, "code", keyed.payload)
            if answered is None:
                answered = await sync.perform(
                    request, conn, account_id, "code", {"code": typed}, None
                )
                if keyed is not None and sync.kept("code", answered[0]):
                    await sync.record(conn, sql, account_id, keyed.key, *answered)
                elif keyed is not None:
                    # Sent again, it is refused again alike: a malformed code, or my own.
                    await sync.forget(conn, sql, account_id, keyed.key)
    except sync.Answer as limited:
        # Too many wrong codes: nothing is kept, not even the key, so it may try again later.
        response = _code_form(request, typed, limited.body["message"], limited.status_code)
        response.headers["retry-after"] = str(limited.body["retry_after"])
        return response
    status_code, answer = answered
    if answer["status"] == "done":
        return redirect(request, answer["url"])
    return _code_form(request, typed, answer["message"], status_code)


def _typed_before(request: Request, answer: dict[str, Any]) -> Response:
    """The guest form again, blank for the next person, saying the one just typed is already
    in my contacts, with the way to them (``sync.guest_done``): nothing new was made."""
    return render(
        request,
        "tap.html",
        {
            "typed": "",
            "error": "",
            "values": dict.fromkeys(fields.QUICK_FIELDS, ""),
            "guest_open": True,
            "known": answer,
        },
        fragment="_guest_form.html",
    )


@signed_in(message=NO_CARD)
async def tap_guest(request: Request) -> Response:
    """Someone with no phone to hand typed their details on mine.

    Sent with a key, the guest is made under it as a queued guest is (``tap_code_enter``),
    and from a page of another account, not at all. Details refused claim nothing: sent
    again, they are checked again. A guest I typed before and still have is not made again
    (``connect.typed_before``): the form says so, with the way to them.
    """
    account_id = signed_in_account(request)
    form = await read_form(request)
    values, errors = fields.validate_quick(form, phone_region(request), someone_else=True)
    if errors:
        return render(
            request,
            "tap.html",
            {"typed": "", "error": "", "values": values, "errors": errors, "guest_open": True},
            status_code=422,
            fragment="_guest_form.html",
        )
    keyed = _keyed(form)
    sql = request.app.state.sql
    async with transaction(request.app.state.pool) as conn:
        if not await _made_here(conn, request, form, account_id):
            raise HTTPException(409, ELSEWHERE)
        first = None
        if keyed is not None:
            first = await sync.claim(conn, sql, account_id, keyed.key, "guest", keyed.payload)
        if first is None:
            guest = await create_guest(request, account_id, values, conn)
            answer = sync.guest_done(request, guest, values["name"])
            if keyed is not None:
                await sync.record(conn, sql, account_id, keyed.key, *answer)
    if first is not None:
        # Its queued copy got there first (this request was slow, and given up on).
        status_code, sent = first
        if sent["status"] != "done":
            raise HTTPException(status_code, sent["message"])
        if sent.get("known"):
            return _typed_before(request, sent)
        return redirect(request, sent["url"])
    if guest.known:
        return _typed_before(request, answer[1])
    page = url_path(request, "contact", contact_id=guest.contact_id)
    # Not whether it was emailed: that would tell whether the address is confirmed for an
    # account (notices.NOTICES says how).
    notice = "guest_emailing" if values.get("email") else "guest_saved"
    return redirect(request, with_notice(page, notice))


async def tap_clock(request: Request) -> Response:
    """Server time, for the phone's clock offset (NTP-style, lowest round trip wins): PostgreSQL's
    clock as this process last measured it, the same whichever web machine answers."""
    return JSONResponse({"now": bumps.now_ms()}, headers={"cache-control": "no-store"})


def _number(form: FormData, name: str) -> float | None:
    try:
        value = float(text(form, name))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def crowd_key(choices: list[bumps.Choice]) -> str:
    """Who the pick-list shows, as the page sends it back when it checks for a change. Marked
    for one shown without a name: someone who hid at an event since the list was shown (joined
    it unlisted) changes the key, so the next check takes their name off the page."""
    return ",".join(f"{choice.bump_id}{'' if choice.named else '-'}" for choice in choices)


async def _answer(
    request: Request, account_id: int, outcome: bumps.Outcome, *, refused: str = ""
) -> Response:
    """The bump as the page shows it; once swapped, the way to the new contact. ``refused``:
    a pick that could not be made (409), said above the list as it is now."""
    url = None
    pool, sql = request.app.state.pool, request.app.state.sql
    if outcome.state == "swapped":
        partner = outcome.partner_account
        contact_id = await sql.run(pool, "contacts.id_for", owner_id=account_id, contact_id=partner)
        # Removed (or blocked) since: the list, where they no longer are.
        url = url_path(request, "contacts")
        if contact_id is not None and partner is not None:
            # A bump adds nothing to an earlier scan of a card that asks first and still
            # waits to be accepted: said as it is, on either side.
            notice = await swap_said(pool, sql, account_id, partner)
            url = with_notice(url_path(request, "contact", contact_id=contact_id), notice)
    choices = await bumps.crowd(pool, sql, outcome)
    if _wants_json(request):
        return JSONResponse(
            {
                "bump_id": outcome.id,
                "state": outcome.state,
                "partner_name": outcome.partner_name,
                "seen": outcome.seen,
                "url": url,
                "choices": [{"bump_id": c.bump_id, "name": c.name} for c in choices],
                "chosen": outcome.row["chosen_id"],
                "message": refused,
            },
            status_code=409 if refused else 200,
        )
    if url is not None:
        return redirect(request, url)
    chosen = next((c for c in choices if c.bump_id == outcome.row["chosen_id"]), None)
    return render(
        request,
        "_bump.html",
        {
            "bump": outcome,
            "choices": choices,
            "crowd_key": crowd_key(choices),
            "chosen": chosen,
            "refused": refused,
        },
        status_code=409 if refused else 200,
    )


@signed_in(message=NO_CARD)
async def bump_create(request: Request) -> Response:
    """A bump: record it, pair it, and answer once it is paired, ambiguous or alone."""
    account_id = signed_in_account(request)
    form = await read_form(request)
    bumped_at = _number(form, "bumped_at")
    force = _number(form, "force")
    now = bumps.now_ms()
    if bumped_at is None or not now - MAX_AGE_MS <= bumped_at <= now + FUTURE_MS:
        if _wants_json(request):
            return JSONResponse({"state": "rejected", "message": BUMP_CLOCK}, status_code=422)
        return render(request, "_bump.html", {"bump": None, "error": BUMP_CLOCK}, status_code=422)
    if force is not None and not 0 < force < 1000:
        force = None
    pool, sql = request.app.state.pool, request.app.state.sql
    listener = request.app.state.listener
    await limits.take(
        pool,
        sql,
        (bumps.BUMPS_PER_ACCOUNT, account_id),
        (bumps.BUMPS_PER_ADDRESS, limits.address_key(request)),
    )
    bump_id = await bumps.record(
        pool, sql, account_id, bumped_at, force, limits.network_key(request)
    )
    outcome = await bumps.get(pool, sql, bump_id, account_id)
    assert outcome is not None
    if outcome.state == "waiting":
        outcome = await bumps.wait_for_change(
            pool, sql, listener, bump_id, account_id, outcome.seen, wait_until(bumped_at, now)
        )
        assert outcome is not None
    if outcome.state == "waiting":
        await bumps.give_up(pool, sql, outcome)
    elif outcome.state in ("paired", "ambiguous"):
        # Hold the answer a moment: a third bump still on its way retracts a pair before
        # anyone sees a name, and a crowd's list of names is fuller. Counted from now as
        # well, since time spent before the bump was recorded (the pool, the event's
        # lock) must not eat into that moment.
        await bumps.wait_for_change(
            pool,
            sql,
            listener,
            bump_id,
            account_id,
            outcome.seen,
            max(outcome.row["later_ms"], bumps.now_ms()) + SETTLE_MS,
        )
    outcome = await bumps.get(pool, sql, bump_id, account_id)
    assert outcome is not None
    return await _answer(request, account_id, outcome)


async def _my_bump(request: Request, account_id: int) -> bumps.Outcome:
    outcome = await bumps.get(
        request.app.state.pool, request.app.state.sql, request.path_params["bump_id"], account_id
    )
    if outcome is None:
        raise HTTPException(404, BUMP_GONE)
    return outcome


@signed_in(message=NO_CARD)
async def bump_status(request: Request) -> Response:
    """Long-poll: answer when the bump differs from what the page shows (``seen``). With
    ``crowd`` too (the pick-list's people, ``crowd_key``), a check at once: 204 when nothing
    the list shows changed, so a list nobody touched is not swapped under a finger; others in
    it who swapped meanwhile, or left the crowd, go from it."""
    account_id = signed_in_account(request)
    outcome = await _my_bump(request, account_id)
    seen = request.query_params.get("seen")
    crowd = request.query_params.get("crowd")
    if crowd is not None:
        choices = await bumps.crowd(request.app.state.pool, request.app.state.sql, outcome)
        if seen == outcome.seen and crowd == crowd_key(choices):
            return Response(status_code=204)
    elif seen is not None:
        pool, sql = request.app.state.pool, request.app.state.sql
        async with limits.holding(
            pool,
            sql,
            (bumps.WAITING_PER_ACCOUNT, account_id),
            (bumps.WAITING_PER_ADDRESS, limits.address_key(request)),
        ):
            try:
                changed = await unless_disconnected(
                    request,
                    bumps.wait_for_change(
                        pool,
                        sql,
                        request.app.state.listener,
                        outcome.id,
                        account_id,
                        seen,
                        bumps.now_ms() + LONG_POLL_MS,
                    ),
                )
            except HungUp:
                # The page stopped waiting (a new bump, a closed tab): its place is free again.
                return Response(status_code=204)
        if changed is None:  # deleted while it waited (its account, or kept too long)
            raise HTTPException(404, BUMP_GONE)
        outcome = changed
    return await _answer(request, account_id, outcome)


@signed_in(message=NO_CARD)
async def bump_confirm(request: Request) -> Response:
    account_id = signed_in_account(request)
    outcome = await _my_bump(request, account_id)
    if outcome.state not in ("paired", "confirmed", "swapped"):
        return await _answer(request, account_id, outcome)
    await bumps.confirm(request.app.state.pool, request.app.state.sql, outcome, account_id)
    return await _answer(request, account_id, await _my_bump(request, account_id))


@signed_in(message=NO_CARD)
async def bump_decline(request: Request) -> Response:
    account_id = signed_in_account(request)
    outcome = await _my_bump(request, account_id)
    await bumps.decline(request.app.state.pool, request.app.state.sql, outcome)
    return await _answer(request, account_id, await _my_bump(request, account_id))


@signed_in(message=NO_CARD)
async def bump_choose(request: Request) -> Response:
    """In a crowd of bumps: "it was Dana". Two who pick each other are swapped."""
    account_id = signed_in_account(request)
    form = await read_form(request)
    outcome = await _my_bump(request, account_id)
    choice = an_id(text(form, "choice")) or 0
    pool, sql = request.app.state.pool, request.app.state.sql
    if not await bumps.choose(pool, sql, outcome, account_id, choice):
        # The list on the page is old: the list as it is now, and why.
        return await _answer(request, account_id, outcome, refused=GONE_FROM_CROWD)
    return await _answer(request, account_id, await _my_bump(request, account_id))


routes = [
    Route("/tap", tap, name="tap"),
    Route("/tap/clock", tap_clock, name="tap_clock"),
    Route("/tap/code", tap_code, methods=["POST"], name="tap_code"),
    Route("/tap/code/enter", tap_code_enter, methods=["POST"], name="tap_code_enter"),
    Route("/tap/codes/{code:str}", tap_code_state, name="tap_code_state"),
    Route("/tap/guest", tap_guest, methods=["POST"], name="tap_guest"),
    Route("/tap/bumps", bump_create, methods=["POST"], name="bump_create"),
    Route("/tap/bumps/{bump_id:int}", bump_status, name="bump_status"),
    Route("/tap/bumps/{bump_id:int}/confirm", bump_confirm, methods=["POST"], name="bump_confirm"),
    Route("/tap/bumps/{bump_id:int}/decline", bump_decline, methods=["POST"], name="bump_decline"),
    Route("/tap/bumps/{bump_id:int}/choose", bump_choose, methods=["POST"], name="bump_choose"),
]
