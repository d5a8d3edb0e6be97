"""Finding an event by its join code, within limits, and only while it can be joined.

Join codes are 6 characters from 31 (887 million codes), so a guesser needs many lookups:
unknown codes are counted per account, per network address and per IPv6 /48 (as wrong swap
codes are) by the one limits mechanism (``server/web/limits.py``), in the same transaction, so
the limit holds across processes and concurrent requests. A link the organizer handed out (the
poster's QR code, the join link) carries a signature of its code (``events.join_path``): nobody
guessed it, so it opens whatever was typed wrong before on the same Wi-Fi.
Recording a miss is the one write a lookup (even a GET) makes: it is a rate-limit log, deleted
by retention, and changes nothing anyone sees.

Someone with no account makes one in the join form (``newcomer_joins``). A venue's network
drops answers: the form carries a key made for the try (``attempt``, app.js), so that "Join
the event" tapped again after a lost answer signs them in to the account the first made, as
the share link's "Leave your details" does (``server/swaps/joining.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request

from server.cards import fields
from server.db.queries import Executor, Queries
from server.events import events
from server.swaps import rates
from server.web import limits, signing
from server.web.errors import Titled

MISS_WINDOW = timedelta(hours=1)
# A person mistypes a code read aloud a few times; a venue shares one address behind its NAT,
# and a code read out from a stage is typed by hundreds at once.
MAX_MISSES_PER_ACCOUNT = 10
MAX_MISSES_PER_IP = 600
# An IPv6 address counts by its /64, but one subscriber is often given a /48: 65,536 /64s,
# each with its own 600 (some 39 million guesses an hour). The /48 shares ten /64s' worth,
# as wrong swap codes do (server/tap/codes.py, whose helper finds the /48).
MAX_MISSES_PER_IPV6_48 = 10 * MAX_MISSES_PER_IP
# Joining opens a day before the event starts (people register on the way) and closes two
# days after it ends (catching up on the roster the day after); never weeks around it.
OPENS_BEFORE = timedelta(days=1)
CLOSES_AFTER = timedelta(days=2)

UNKNOWN_CODE = "We don't recognise that code. Check it with the organizer and try again."
# {wait}: when a miss leaves the count (limits.TooMany says it, and sends Retry-After).
TOO_MANY = "Too many codes that don't exist. Try again {wait}, or scan the event's QR code instead."
# A closed event cannot be opened again (event.html says so to its organizer): asking them to
# would send the person after something nobody can do.
CLOSED = (
    "This event is closed: nobody new can join it. You can still swap with the people there"
    " by their QR codes."
)
# Its organizer deleted their account: the event stays for the people who were there, closed
# (delete_account() in logic.sql), and there is nobody to ask.
ORGANIZER_GONE = (
    "This event is closed, and its organizer has left Reachout: nobody new can join it,"
    " and nobody can open it again."
)
# "Make a new join code": the old one was right, not mistyped (events.by_replaced_code).
REPLACED = (
    "This join code was replaced by a new one. Ask the organizer for the new code or QR code."
)
NOT_YET = "Joining {name} opens on {when}, a day before it starts. Come back then."
OVER = "This event is over, so it can no longer be joined."
REMOVED = "The organizer removed you from this event, so you can't join it again."
# An address someone removed had confirmed, on a card or typed in the join form: anyone may
# type anyone's address, so the words must not say its owner was removed. No other refusal
# at this step would be true of it, and letting them in would undo the Remove.
BARRED = "This event isn't open to you. Ask the organizer if you think it should be."
BARRED_TITLE = "You can't join this event"


async def find(
    pool: asyncpg.Pool,
    sql: Queries,
    raw: str,
    account_id: int | None,
    ip: str | None,
    *,
    secret_key: str,
    signature: str = "",
) -> Any:
    """The event a code opens, if it can be joined now or ``account_id`` is in it already
    (its ``present``); else the HTTP error to show. ``signature``: a join link's ``k``,
    which spares a handed-out link the limits."""
    code = events.normalise_code(raw)
    if code is not None and signing.verify(secret_key, signature, events.JOIN_LINK, code):
        return await _joinable(pool, sql, code, account_id)
    # The answer is decided inside the transaction and raised after it commits: raising
    # inside would roll the recorded miss back.
    refusal: HTTPException | None = None
    misses = _misses(account_id, ip)
    async with pool.acquire() as conn, conn.transaction():
        event = None
        try:
            # Only unknown codes count: checked now, counted below when this one is unknown.
            await limits.check(conn, sql, *misses)
        except limits.TooMany as too_many:
            refusal = too_many
        else:
            if code is not None:
                event = await sql.run(
                    conn, "events.by_code", join_code=code, viewer_id=account_id or 0
                )
        if refusal is None and event is None:
            # A replaced code counts as any other that opens nothing: told apart, not a way in.
            await limits.hit(conn, sql, *misses)
            refusal = await _not_found(conn, sql, code)
    if refusal is not None:
        raise refusal
    assert event is not None
    return _open_to(event)


def _misses(account_id: int | None, ip: str | None) -> list[tuple[limits.Rule, object]]:
    """What an unknown code counts against: the account (when signed in), then the address
    (when known), then for IPv6 its /48, always in that order (their advisory locks are taken
    in it). Made from the numbers above when asked, so they stay the knobs."""
    misses: list[tuple[limits.Rule, object]] = []
    if account_id is not None:
        rule = limits.Rule("account-join-misses", MAX_MISSES_PER_ACCOUNT, MISS_WINDOW, TOO_MANY)
        misses.append((rule, account_id))
    if ip is None:
        return misses
    misses.append(
        (limits.Rule("address-join-misses", MAX_MISSES_PER_IP, MISS_WINDOW, TOO_MANY), ip)
    )
    wider = limits.ipv6_48(ip)
    if wider is not None:
        rule = limits.Rule("ipv6-48-join-misses", MAX_MISSES_PER_IPV6_48, MISS_WINDOW, TOO_MANY)
        misses.append((rule, wider))
    return misses


async def _joinable(pool: asyncpg.Pool, sql: Queries, code: str, account_id: int | None) -> Any:
    """The event of a code known to be handed out, counting nothing."""
    event = await sql.run(pool, "events.by_code", join_code=code, viewer_id=account_id or 0)
    if event is None:  # replaced, or the event deleted, since the poster was printed
        raise await _not_found(pool, sql, code)
    return _open_to(event)


async def _not_found(conn: Executor, sql: Queries, code: str | None) -> HTTPException:
    """The refusal of a code no event has now: replaced by its organizer's new one (410, as a
    replaced share link is), unless nobody can join its event anyway (then why: asking for
    the new code would be in vain); else unknown (404)."""
    old = None
    if code is not None:
        old = await sql.run(conn, "events.by_replaced_code", join_code=code)
    if old is None:
        return HTTPException(404, UNKNOWN_CODE)
    return _shut(old) or HTTPException(410, REPLACED)


def _shut(event: Any) -> HTTPException | None:
    """Why nobody new can join ``event`` any more, if so: its organizer deleted their account
    (which closed it), the organizer closed it, or it is over."""
    if event["organizer_gone"]:
        return HTTPException(410, ORGANIZER_GONE)
    if event["closed_at"] is not None:
        return HTTPException(410, CLOSED)
    if datetime.now(UTC) > event["ends_at"] + CLOSES_AFTER:
        return HTTPException(410, OVER)
    return None


def _open_to(event: Any) -> Any:
    """The event, if it can be joined now (by someone not removed from it, nor by a card with
    an address someone removed had confirmed), or if the viewer is in it already: someone
    there who scans the poster again, or types the code, is opening the event, and is not told
    it is closed or over to newcomers."""
    if event["present"]:
        return event
    if event["removed"]:
        raise Titled(403, REMOVED, title="You can't join this event")
    shut = _shut(event)  # never while it opens later: it ends after it starts
    if shut is not None:
        raise shut
    when = opens_later(event)
    if when is not None:
        raise Titled(403, NOT_YET.format(name=event["name"], when=when), title="Not open yet")
    # Last: an address is told barred only where anyone else would be let in.
    if event["barred"]:
        raise Titled(403, BARRED, title=BARRED_TITLE)
    return event


def opens_later(event: Any) -> str | None:
    """When ``event`` opens to joining, in its own time zone, if it is not open yet: "Sat 5
    Dec at 09:00 (Europe/Paris)". One wording for the refusal (``NOT_YET``) and for the
    organizer's page and poster, which say it lest a link handed out early seem broken.
    None once it is open."""
    opens = event["starts_at"] - OPENS_BEFORE
    if datetime.now(UTC) >= opens:
        return None
    local = opens.astimezone(ZoneInfo(event["time_zone"]))
    zone = events.zone_said(event["time_zone"], local)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} ({zone})"


def opens_before_said() -> str:
    """``OPENS_BEFORE`` in words, as the event's form and page say it: "a day", "2 days",
    "12 hours" (a whole number of days or hours)."""
    hours = round(OPENS_BEFORE.total_seconds() / 3600)
    if hours % 24:
        return "an hour" if hours == 1 else f"{hours} hours"
    return "a day" if hours == 24 else f"{hours // 24} days"


def joinable(event: Any) -> bool:
    """Whether anyone may join ``event`` now, or before long (a code, link or poster is
    worth handing out): not closed, and not over for good."""
    return event["closed_at"] is None and datetime.now(UTC) <= event["ends_at"] + CLOSES_AFTER


async def newcomer_joins(
    request: Request,
    event_id: int,
    values: dict[str, str],
    *,
    listed: bool,
    token_hash: bytes,
    time_zone: str,
    attempt: bytes | None,
) -> int:
    """The account of someone with no account who joins ``event_id`` by its form: made now
    with their card (``values``), the session ``token_hash`` and their place at the event;
    or, when the same try (``attempt``, ``swaps.joining.attempt_hash``) came within ten
    minutes, the account it made, signed in again and nothing more made or counted. Raises
    ``limits.TooMany`` when the event's door or the address made too many accounts lately."""
    pool, sql = request.app.state.pool, request.app.state.sql
    async with pool.acquire() as conn, conn.transaction():
        if attempt is not None:
            # Two sends of one try at once: the second waits, then finds what the first made.
            await sql.run(conn, "events.lock_attempt", attempt_hash=attempt)
            again: int | None = await sql.run(
                conn,
                "events.joined_again",
                event_id=event_id,
                attempt_hash=attempt,
                token_hash=token_hash,
            )
            if again is not None:
                return again
        # A fresh cookie jar is a fresh account: without this, a script makes as many as it
        # likes here, each with its own allowance of requests to connect.
        await rates.join_event(conn, request, event_id)
        account_id: int = await sql.run(
            conn,
            "accounts.create_with_card",
            token_hash=token_hash,
            time_zone=time_zone,
            **fields.card_values(values),
        )
        await sql.run(conn, "events.join", event_id=event_id, account_id=account_id, listed=listed)
        if attempt is not None:
            await sql.run(
                conn, "events.joined_by_attempt", attempt_hash=attempt, account_id=account_id
            )
    return account_id
