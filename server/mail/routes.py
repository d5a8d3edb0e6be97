"""The pages our emails link to: unsubscribe, confirm ("Remind me tomorrow"), and a
follow-up's "Done" and "Snooze a week". None needs a session: each link is signed
(``server/mail/links.py``), and opening it only shows a page with one button; the button's
POST acts, once (pressing it again says it is already done).

Unsubscribing also answers RFC 8058's one-click POST, which a mail provider sends from its
servers with no cookie and no page.

Confirming an address proves it is its owner's, as an email code does when signing in: a guest
card carrying it (someone typed them in on their phone) is offered to merge in or delete, at
once in a browser signed in to that account, else by signing in with it (the page says so).
A link confirms only an address the account's card still carries when its button is pressed:
one changed since (a slip, a colleague's address) is someone else's, and confirmed it would
sign in to the account. "Remind me tomorrow" then still sets the reminder, confirming nothing.

A guest's time zone is the phone's that typed them in, a guess: "Remind me tomorrow" sends the
pressing browser's (``_time_zone.html``), which becomes the guest's before the reminder is
timed, so its 09:00 is the reader's own; the page before the press says no hour it cannot know.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import urlencode

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.db import time_zones
from server.events.events import zone_said
from server.followups import wording
from server.mail import links
from server.web import errors, sessions, signing
from server.web.auth import viewer
from server.web.forms import an_id, read_form, text
from server.web.notices import with_notice
from server.web.templating import render
from server.web.urls import url_path

NOT_VALID = "This link is not valid: it may be mistyped, or cut short by the mail app."
ACCOUNT_GONE = (
    "The card this email was about, or the one it was sent for, was deleted from Reachout."
    " There is nothing left to remind you of."
)
FOLLOWUP_GONE = (
    "This follow-up is no longer on Reachout: the contact was removed, or an account deleted."
    " There is nothing left to mark done or snooze."
)
NOT_ON_CARD_TITLE = "This address is no longer on the card"
NOT_ON_CARD = (
    "The Reachout card {card} no longer uses {address}, so this link cannot confirm it:"
    " nothing was changed. If the card is yours, Settings in Reachout sends a confirmation to"
    " the address it uses now."
)
# How long a press stopped by a deadlock (an account row held before its deletion holds the
# rest, rarely a merge) lets the other go on before trying again (_pressed).
OTHER_GOES_FIRST = 0.1
# How long a press waits for each lock it takes (_pressed): a merge or a deletion is done
# well within it; a transaction stuck holding one makes it a 503 "Back in a moment", nothing
# done, rather than a press waiting for good with a pool connection. Read at each press.
PRESS_LOCK_TIMEOUT = "5s"
EXPIRED = (
    "Links in our emails work for 30 days. Open Reachout to see your follow-ups: if this"
    " phone has no card, tap I already have a card and sign in with your email address."
)


def _link_checked(state: str) -> None:
    """A link that no longer works says which way it fails: expired (410, with a way on),
    or not ours (404)."""
    if state == "expired":
        raise errors.Titled(410, EXPIRED, title="This link has expired")
    if state != "valid":
        raise HTTPException(404, NOT_VALID)


SNOOZE_DAYS = 7

# What unsubscribing stops, and what still comes: a code someone asks for where they are
# (sign in, delete, merge, confirm it's you), and a confirmation Settings asks for, at most
# once a week (mail.confirm_refused), whose button subscribes the address again.
# The question says it too, in the same words, so question and answer agree.
_STILL_COMES = (
    "Codes you ask for still come, and a confirmation asked for in Reachout's settings at most"
    " once a week."
)
_UNSUBSCRIBED = "Reachout will send no more reminders or updates to {address}. " + _STILL_COMES


def _page(request: Request, **context: object) -> Response:
    context.setdefault("action_url", str(request.url.path) + "?" + request.url.query)
    return render(request, "mail_link.html", context)


async def unsubscribe(request: Request) -> Response:
    address = request.query_params.get("to", "")
    secret = request.app.state.settings.secret_key
    if not signing.verify(secret, request.query_params.get("sig", ""), "mail-unsubscribe", address):
        raise HTTPException(404, NOT_VALID)
    sql, pool = request.app.state.sql, request.app.state.pool
    if request.method == "POST":
        await sql.run(pool, "mail.unsubscribe", address=address)
        return _page(
            request,
            heading="You are unsubscribed",
            text=_UNSUBSCRIBED.format(address=address),
            done=True,
        )
    state = await sql.run(pool, "mail.address_state", address=address)
    if state is not None and state["unsubscribed_at"] is not None:
        return _page(
            request,
            heading="You are unsubscribed",
            text=_UNSUBSCRIBED.format(address=address),
            done=True,
        )
    return _page(
        request,
        heading="Unsubscribe",
        text=f"Stop reminders and updates from Reachout to {address}? {_STILL_COMES}",
        button="Unsubscribe",
    )


async def confirm(request: Request) -> Response:
    email_id = request.path_params["email_id"]
    query = request.query_params
    secret = request.app.state.settings.secret_key
    _link_checked(
        links.state(secret, query.get("sig", ""), query.get("until", ""), "mail-confirm", email_id)
    )
    sql, pool = request.app.state.sql, request.app.state.pool
    email = await sql.run(pool, "mail.email_for_link", id=email_id)
    if email is None:
        # Signed by us and within its 30 days (emails are kept longer), so the email went
        # with an account: the one it was about, or the reader's own.
        raise errors.Titled(410, ACCOUNT_GONE, title="This link no longer works")
    met = _met(email)
    if not met and not email["on_card"]:
        _not_on_card(email)
    if request.method != "POST":
        # GET, and the HEAD Starlette answers with it (a link scanner's, which the
        # cross-origin check lets through as safe): the page, never the button's act.
        return await _confirm_page(request, email, met)
    zone = _browser_zone(text(await read_form(request), "time_zone"), request)
    email, met, offered = await _pressed(request, email, zone)
    if offered is not None:
        # The merge page offers the guest card (merge it in, delete it, or not now), as after
        # signing in; this browser's session is a new one, for the hour of the offer.
        response = RedirectResponse(
            with_notice(url_path(request, "sign_in_merge"), "address_confirmed"), status_code=303
        )
        sessions.set_cookie(response, offered, secure=request.app.state.settings.secure_cookies)
        return response
    if met or email["kind"] == "confirm":
        # Said by the page the link opens, so that a reload asks nothing again, as things are
        # now: when the reminder is due, or, where "Remind me tomorrow" found nothing to set,
        # that the follow-up was done or the contact removed since the page was shown.
        return _answered(request)
    email = await sql.run(pool, "mail.email_for_link", id=email_id)  # reminders go there now?
    return await _confirmed_page(request, email)


def _met(email: Any) -> bool:
    """A "You met" whose button is "Remind me tomorrow" (the person it is about still
    there); any other link's button confirms the address."""
    return bool(email["kind"] == "met" and email["about_name"] is not None)


def _browser_zone(sent: str, request: Request) -> str | None:
    """The zone the pressing browser sent (app.js fills ``time_zone``), as a new account takes
    a browser's (time_zones.choose); None for none, or a name PostgreSQL does not know, which
    choose() would make UTC: a guess from the phone that typed the guest beats that one."""
    zone = time_zones.choose(sent, request.app.state.time_zones)
    if zone == time_zones.FALLBACK and sent != time_zones.FALLBACK:
        return None
    return zone


async def _pressed(request: Request, email: Any, zone: str | None) -> tuple[Any, bool, str | None]:
    """The button's act, in one transaction; the email as it was acted on, whether it is a
    "You met" (Remind me tomorrow), and the cookie token of a session offering a guest card.
    ``zone``: the pressing browser's time zone, or None (_act).

    What it writes is held first, in the order a merge takes it (_held): a merge going on
    is waited for, and the email read again as it left it: gone with the account (410, as
    for a link opened after that), or moved to the account the merge kept, to act there.
    Deleting an account holds them in the same order (delete_account() in logic.sql),
    whoever deletes it: one's own, a guest card from the merge page, or retention's (which
    holds an unclaimed guest FOR NO KEY UPDATE first, passed by the press's KEY SHARE). A
    caller holding the account row itself before delete_account() holds the rest would
    stop one of the two as a deadlock's victim: when that is the press, it tries once more,
    rather than a 503 for a button pressed once.
    A lock not had within PRESS_LOCK_TIMEOUT (a transaction stuck holding it) is a 503 "Back
    in a moment" (LockNotAvailableError: errors.database_away), with nothing done."""
    sql, pool = request.app.state.sql, request.app.state.pool
    for again in (False, True):
        if again:
            # The other, woken as this one rolled back, takes what it waited for: a moment
            # for it, or this try could take that first once more, and meet it again.
            await asyncio.sleep(OTHER_GOES_FIRST)
        try:
            async with pool.acquire() as conn, conn.transaction():
                await sql.run(conn, "mail.wait_for_locks", timeout=PRESS_LOCK_TIMEOUT)
                email = await _held(request, conn, email)
                met = _met(email)
                return email, met, await _act(request, conn, email, met, zone)
        except (asyncpg.DeadlockDetectedError, asyncpg.ForeignKeyViolationError):
            if again:
                if await sql.run(pool, "mail.email_for_link", id=email["id"]) is None:
                    raise errors.Titled(
                        410, ACCOUNT_GONE, title="This link no longer works"
                    ) from None
                raise  # the same once more: the database's trouble (503), not the link's
    raise AssertionError("unreachable: the second try returns or raises")


async def _held(request: Request, conn: Any, email: Any) -> Any:
    """The email as it is once the press holds what a merge of its account takes, in the
    merge's order (lock_merge() in logic.sql): the follow-up "Remind me tomorrow" sets, the
    pressing browser's own session where "Confirm my address" may renew it (_offer_guest),
    then the account; the card after them (_act). A merge, or the deleting of the account,
    holding them is waited for, with none of them held meanwhile, so the two never wait in a
    circle; one that moved the email to the account it kept has that account's held in turn.
    410 when the account went."""
    sql = request.app.state.sql
    while True:
        if email["kind"] == "met" and email["about_id"] is not None:
            await sql.run(
                conn,
                "mail.hold_met_followup",
                account_id=email["account_id"],
                about_id=email["about_id"],
            )
        # Whatever the button: a "You met" whose contact went since the page was read
        # (_met, as the email is read below) confirms the address instead, and offers.
        if (session_id := _offering_session(request, email)) is not None:
            await sql.run(conn, "mail.hold_session", id=session_id, account_id=email["account_id"])
        held = await sql.run(conn, "mail.hold_account", account_id=email["account_id"])
        # A statement of its own: it sees what a merge or deletion waited for committed.
        now = await sql.run(conn, "mail.email_for_link", id=email["id"])
        if now is None:
            raise errors.Titled(410, ACCOUNT_GONE, title="This link no longer works")
        if held and now["account_id"] == email["account_id"]:
            return now
        email = now


async def _act(request: Request, conn: Any, email: Any, met: bool, zone: str | None) -> str | None:
    """Confirm the address (when the card still carries it), set the reminder of a "You
    met", and offer a guest card; the offering session's cookie token, or None. A guest's
    "Remind me tomorrow" takes ``zone``, the pressing browser's, first (mail.guess_zone)."""
    sql = request.app.state.sql
    if met and zone is not None:
        # Before the card (card_carries): the account, held already, then the card, as a
        # merge takes them. A signed-in account's zone (chosen, or its own browser's) stays.
        await sql.run(conn, "mail.guess_zone", account_id=email["account_id"], time_zone=zone)
    # Asked again here, the card locked until this commits: it may have changed since
    # the page was read, and a change must not slip in before the confirmation is kept.
    carried = await sql.run(
        conn,
        "mail.card_carries",
        account_id=email["account_id"],
        address=email["to_address"],
    )
    if carried:
        await sql.run(
            conn,
            "mail.confirm",
            address=email["to_address"],
            account_id=email["account_id"],
            # "Confirm my address", and "Remind me tomorrow" (by email): mail here again.
            resubscribe=True,
        )
    elif not met:
        _not_on_card(email)  # nothing was written: the transaction ends with nothing done
    if met:
        await sql.run(
            conn,
            "mail.remind_tomorrow",
            account_id=email["account_id"],
            about_id=email["about_id"],
        )
        return None
    return await _offer_guest(request, conn, email)


def _not_on_card(email: Any) -> NoReturn:
    """The card the link was sent for no longer carries its address: 410, nothing confirmed.
    Said to whoever holds the link, which may be the person the slip named: the card's name
    and the old address only, never the one it uses now."""
    card = f"“{email['card_name']}”" if email["card_name"] else "this email was sent for"
    raise errors.Titled(
        410,
        NOT_ON_CARD.format(card=card, address=email["to_address"]),
        title=NOT_ON_CARD_TITLE,
    )


async def _offer_guest(request: Request, conn: Any, email: Any) -> str | None:
    """The button pressed in a browser signed in to the account the address is confirmed
    for: a guest card with that address is offered there (sessions.renew_offering_guest).
    The new session's cookie token, or None when nothing is offered."""
    session_id = _offering_session(request, email)
    if session_id is None:
        return None
    token, token_hash = sessions.new_token()
    sql = request.app.state.sql
    account_id = email["account_id"]
    renewed = await sql.run(
        conn,
        "sessions.renew_offering_guest",
        old_id=session_id,
        account_id=account_id,
        address=email["to_address"],
        token_hash=token_hash,
    )
    if renewed is None:
        return None
    await sql.run(
        conn, "sessions.hand_over", new_id=renewed, old_id=session_id, account_id=account_id
    )
    return token


def _offering_session(request: Request, email: Any) -> int | None:
    """The session of the browser pressing "Confirm my address" that _offer_guest may renew
    (and end): one signed in to the account the address is confirmed for; else None."""
    me = viewer(request)
    if me.account_id is None or me.account_id != email["account_id"]:
        return None
    return me.session_id


async def _confirmed_page(request: Request, email: Any) -> Response:
    """ "Your address is confirmed", and, where a guest card carries it, how to keep or delete
    that card: the page is its owner's (the email went to that address), wherever it opens."""
    text = _confirmed(email)
    address = email["to_address"]
    sql, pool = request.app.state.sql, request.app.state.pool
    if await sql.run(
        pool, "sessions.guest_to_offer", address=address, account_id=email["account_id"]
    ):
        text += (
            f" Someone typed your details into Reachout on their phone, with {address}: to keep"
            f" that card or delete it, sign in to Reachout with {address}."
        )
    return _page(request, heading="Your address is confirmed", text=text, done=True)


async def _confirm_page(request: Request, email: Any, met: bool) -> Response:
    """What a confirm link opens: the button, or, once it has nothing left to do, what it did."""
    sql, pool = request.app.state.sql, request.app.state.pool
    if not met:
        if email["confirmed_at"] is not None and not _stopped(email):
            # The link opened again (from another device, or the mail app's preview):
            # asking to confirm what is confirmed would look as if it had not worked.
            return await _confirmed_page(request, email)
        return _page(
            request,
            heading="Confirm your address",
            text=f"Confirm that {email['to_address']} is yours, and get the reminders of the"
            f" Reachout card “{email['card_name']}” there.",
            button="Confirm my address",
        )
    name = email["about_name"]
    followup = await sql.run(
        pool, "mail.followup_about", account_id=email["account_id"], about_id=email["about_id"]
    )
    if followup is None:
        return _nothing_to_remind(request, name)
    if followup["status"] == "done":
        return _page(
            request,
            heading=f"You followed up with {name}",
            text="It is marked done: no reminder will come.",
            done=True,
        )
    now = datetime.now(UTC)
    waiting = followup["status"] == "open" and followup["ahead"]
    if waiting and request.query_params.get("pressed") == "1":
        # The button's answer (its POST redirects here): when it is due.
        return _reminded(request, email, followup)
    if waiting and email["reminded_there"]:
        # Pressed already (or reminders go there anyway): say when, not ask again.
        when = _when(email, followup, followup["due_at"], now)
        return _page(
            request,
            heading="You will be reminded",
            text=f"We will email {email['to_address']} {when} to follow up with {name}.",
            done=True,
        )
    # The time the button sets, as the page says it after: "this morning at 09:00" when opened
    # at 02:00 (the night belongs to the day before), not "tomorrow morning". Promised by email
    # only where the button leaves reminders going: pressing it confirms the address, but
    # Settings may send them by push, or nowhere.
    if email["guest"]:
        # Its zone is a guess the press replaces with the browser's (_act), which the server
        # does not know yet: no hour said here would be sure; the answer says it, and where.
        when = "tomorrow morning"
    else:
        when = _when(email, followup, followup["tomorrow_due"], now)
    if email["emailed_once_pressed"]:
        promise = f"we will email {email['to_address']} {when} to remind you."
    elif not email["on_card"]:
        promise = f"your follow-up with {name} will be due {when}. {_no_longer_used(email)}"
    else:
        promise = (
            f"your follow-up with {name} will be due {when}. Your reminders don't come by"
            " email (Settings says how they come), so look at your follow-ups then."
        )
    if followup["status"] == "off":
        # Turned off (or "never" in Settings): the button asks for a reminder all the same,
        # so it turns this one on again (mail.remind_tomorrow).
        text = f"Reminders about {name} are off. Press the button and {promise}"
    else:
        text = promise[0].upper() + promise[1:]
    return _page(
        request,
        heading=f"Follow up with {name}",
        text=text,
        button="Remind me tomorrow",
        browser_zone=email["guest"],
    )


def _stopped(email: Any) -> bool:
    """Mail to the address stopped (it bounced, or its owner unsubscribed) since it was
    confirmed: only the button's POST (``mail.confirm`` with ``resubscribe``) starts it again,
    so the page offers it, as for an address never confirmed."""
    return email["bounced_at"] is not None or email["unsubscribed_at"] is not None


def _answered(request: Request) -> Response:
    """After the button: the link's own page, saying what was done (``pressed``), by GET."""
    query = {**request.query_params, "pressed": "1"}
    return RedirectResponse(f"{request.url.path}?{urlencode(query)}", status_code=303)


def _reminded(request: Request, email: Any, followup: Any) -> Response:
    """ "Remind me tomorrow" pressed: when it is due, and whether an email will say so."""
    now = datetime.now(UTC)
    when = _when(email, followup, followup["due_at"], now)
    if not email["on_card"]:
        # Set, and the address left unconfirmed: the card no longer uses it.
        text = f"Your follow-up with {email['about_name']} is due {when}. {_no_longer_used(email)}"
        day = wording.day_phrase(followup["due_at"], now, followup["time_zone"])
        return _page(request, heading=f"Done: it is due {day}", text=text, done=True)
    if not email["reminded_there"]:
        # Their Settings send reminders elsewhere (push), or nowhere: no email to promise.
        text = (
            f"Your follow-up with {email['about_name']} is due {when}. Your reminders don't"
            " come by email (Settings says how they come), so look at your follow-ups then."
        )
        day = wording.day_phrase(followup["due_at"], now, followup["time_zone"])
        return _page(request, heading=f"Done: it is due {day}", text=text, done=True)
    text = f"We will email {email['to_address']} {when} to follow up with {email['about_name']}."
    return _page(request, heading="Done: you will be reminded", text=text, done=True)


def _when(email: Any, followup: Any, moment: datetime, now: datetime) -> str:
    """``moment`` as a "You met"'s page says it: "tomorrow at 09:00", in the time zone of the
    account it went to. Details typed on someone's phone took that phone's zone (the guest
    chose none), which may not be where the reader opens the link: named, "tomorrow at 09:00
    (Europe/London)", as an event's page names its own."""
    tz = followup["time_zone"]
    when = wording.when_phrase(moment, now, tz)
    if email["typed_for_them"]:
        when += f" ({zone_said(tz, moment)})"
    return when


def _no_longer_used(email: Any) -> str:
    """ "Remind me tomorrow" for an address the card no longer uses: it is not confirmed,
    and reminders do not go there."""
    return (
        f"Your card no longer uses {email['to_address']}, so this does not confirm it and no"
        " reminder comes there: Settings says how your reminders come."
    )


def _nothing_to_remind(request: Request, name: str) -> Response:
    """ "You met" opened once the two are no longer connected (removed, or a block): no
    reminder to promise."""
    return _page(
        request,
        heading="No reminder to set",
        text=f"{name} is no longer among your contacts on Reachout, so we will not remind you.",
        done=True,
    )


def _confirmed(email: Any) -> str:
    """What a confirmed address is for, as it is now: reminders go there, or they do not
    (by push, or none, as Settings chose)."""
    if email["reminded_there"]:
        return f"Reachout emails your reminders to {email['to_address']}."
    return f"{email['to_address']} is yours. Reminders go there if you choose email in Settings."


async def followup(request: Request) -> Response:
    followup_id = request.path_params["followup_id"]
    action = request.path_params["action"]
    query = request.query_params
    round_ = an_id(query.get("round"))
    secret = request.app.state.settings.secret_key
    if action not in ("done", "snooze") or round_ is None:
        raise HTTPException(404, NOT_VALID)
    _link_checked(
        links.state(
            secret,
            query.get("sig", ""),
            query.get("until", ""),
            "mail-followup",
            followup_id,
            round_,
            action,
        )
    )
    sql, pool = request.app.state.sql, request.app.state.pool
    item = await sql.run(pool, "followups.for_mail_link", id=followup_id)
    if item is None:
        # Signed by us and within its days: the contact was removed, or an account deleted.
        raise errors.Titled(410, FOLLOWUP_GONE, title="This link no longer works")
    name = item["name"]
    # "Done" from an email of an earlier round (snoozed since, from the app or this email)
    # still means done; a second snooze from an old email would snooze it again.
    handled = item["status"] != "open" or (action == "snooze" and item["round"] != round_)
    if request.method == "POST" and not handled:
        if action == "done":
            changed = await sql.run(pool, "followups.done_since", id=followup_id, round=round_)
        else:
            changed = await sql.run(
                pool, "followups.snooze_once", id=followup_id, round=round_, days=SNOOZE_DAYS
            )
        if changed is not None:
            return _answered(request)
        handled = True
    if item["status"] == "off":
        # "No reminder" in the app since this email: neither done nor snoozed, and left so
        # (checked before ``pressed``, which a snooze then "No reminder" would leave untrue).
        return _page(
            request,
            heading="Reminders are off",
            text=f"You turned off reminders about {name} in Reachout; nothing more will come"
            " about them.",
            done=True,
        )
    if handled and query.get("pressed") == "1":
        # The button's answer (its POST redirects here), now that it is done or snoozed.
        text = (
            f"Marked done: you followed up with {name}."
            if action == "done"
            else f"We will remind you about {name} again in a week."
        )
        heading = "Done" if action == "done" else "Snoozed for a week"
        return _page(request, heading=heading, text=text, done=True)
    if handled:
        return _page(
            request,
            heading="Already taken care of",
            text=f"This reminder about {name} was already done or snoozed.",
            done=True,
        )
    if action == "done":
        return _page(
            request,
            heading=f"Followed up with {name}?",
            text="Mark this follow-up done, and it leaves your list.",
            button="Mark done",
        )
    return _page(
        request,
        heading=f"Snooze {name} for a week?",
        text="We will remind you again in a week.",
        button="Snooze a week",
    )


routes = [
    Route("/m/unsubscribe", unsubscribe, methods=["GET", "POST"], name="mail_unsubscribe"),
    Route("/m/confirm/{email_id:int}", confirm, methods=["GET", "POST"], name="mail_confirm"),
    Route(
        "/m/followups/{followup_id:int}/{action}",
        followup,
        methods=["GET", "POST"],
        name="mail_followup",
    ),
]
