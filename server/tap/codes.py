"""Six-digit swap codes: issue mine for the Tap screen, redeem theirs, and limit guessing.

A code is shown on one phone and typed on the other. Codes are unique among
those in use (the table's primary key), live ``TTL`` and may be used once.
Wrong codes are counted per person, per network address and per IPv6 /48 by the one limits
mechanism (``server/web/limits.py``), so the limit holds across processes and concurrent requests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from server.db.pool import Connection
from server.db.queries import Queries
from server.web import forms, limits

TTL = timedelta(minutes=10)
# Reopening the Tap screen keeps the code while it has this much time left.
KEEP_IF_LEFT = timedelta(minutes=3)
DIGITS = 6
# Every failed guess counts, whatever the reason, for an hour. A person mistypes a few times;
# a whole venue shares one address behind its NAT. With these, one account finds a given
# live code with at most 10 in a million chances an hour, and one address with at most 200.
# Accounts are free, so these bound an account and a network, not a guesser, who gets each
# address's budget from every address they hold.
MISS_WINDOW = timedelta(hours=1)
MAX_MISSES_PER_ACCOUNT = 10
MAX_MISSES_PER_IP = 200
# An IPv6 address counts by its /64 (limits.address_key), but one subscriber is often given
# a /48: 65,536 /64s, each with its own 200. The /48 shares ten /64s' worth (a campus or a
# venue may put many /64s under one /48). IPv4 has no such wider budget: a /24 is often many
# unrelated subscribers, and a script gains no extra IPv4 addresses that cheaply.
MAX_MISSES_PER_IPV6_48 = 10 * MAX_MISSES_PER_IP
# A live code dies at the third failed guess one digit away from it, by anyone: the guesser
# who saw five digits over a shoulder gets at most three of the nine tries they need, and a
# person who mistypes once or twice still gets through.
NEAR_MISSES_TO_KILL = 3
# Codes drawn and left unused per account in an hour ("New code" again and again); used
# codes do not count, so a busy networker never meets it.
MAX_DRAWN_PER_HOUR = 20
# Tries at a free code before giving up: each draw collides with probability (codes in
# use) / a million, so 20 misses in a row mean the space is practically full.
DRAWS = 20

# One answer for every failure (never issued, expired, used, someone's own, or killed), so
# the answer tells a guesser nothing about which codes exist.
WRONG = "That code didn't work. Check the digits, or ask them for a fresh code."
OWN_CODE = "That's your own code. Type the code on their screen, or let them type yours."
MALFORMED = "A code is 6 digits."
# {wait}: when a miss leaves the count (limits.TooMany says it).
TOO_MANY = "Too many wrong codes. Try again {wait}, or scan their QR code instead."
TOO_MANY_DRAWN = (
    "You've asked for many new codes. Wait a few minutes, or let them scan your QR code."
)
NONE_FREE = "No code is free right now. Try again in a minute, or let them scan your QR code."


@dataclass(frozen=True)
class Issued:
    code: str
    expires_at: datetime


class NoCode(Exception):
    """No code can be drawn for this account now: over the limit, or none free."""

    def __init__(self, status_code: int, message: str, current: Issued | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        # The code still in force, if any, to keep showing beside the refusal.
        self.current = current


@dataclass(frozen=True)
class Redeemed:
    """The outcome of typing a code: the holder to connect with, or why not."""

    status: int
    message: str = ""
    owner_id: int | None = None
    owner_name: str = ""
    retry_after: int | None = None  # seconds, with a 429


def normalise(typed: str) -> str | None:
    """Digits only, so "123 456" and "123-456" work, in any script (as 0-9); None unless
    exactly six."""
    kept = "".join(ch for ch in typed if not ch.isspace() and ch != "-")
    if len(kept) != DIGITS or not all(ch.isdecimal() for ch in kept):
        return None
    return forms.ascii_digits(kept)


async def issue(pool: asyncpg.Pool, sql: Queries, account_id: int, fresh: bool) -> Issued:
    """My code: the current one, or a new one (``fresh`` retires the current one first).

    One transaction under a lock per account, so the limit on new codes holds however many
    requests arrive at once. Raises ``NoCode`` over the limit or when no code is free.

    Not ``limits.take``: the lock also makes two requests at once show the one current code
    rather than draw two, and the limit counts the codes drawn that are still unused (one
    used later stops counting), which the hits counted in ``limit_slots`` cannot say.
    """
    async with pool.acquire() as conn, conn.transaction():
        await sql.run(conn, "codes.lock_drawer", account_id=account_id)
        row = None
        if not fresh:
            row = await sql.run(
                conn, "codes.current", account_id=account_id, keep_if_left=KEEP_IF_LEFT
            )
        if row is not None:
            return Issued(row["code"], row["expires_at"])
        drawn = await sql.run(
            conn, "codes.drawn", account_id=account_id, since=datetime.now(UTC) - timedelta(hours=1)
        )
        if drawn >= MAX_DRAWN_PER_HOUR:
            row = await sql.run(
                conn, "codes.current", account_id=account_id, keep_if_left=timedelta(0)
            )
            kept = None if row is None else Issued(row["code"], row["expires_at"])
            raise NoCode(429, TOO_MANY_DRAWN, kept)
        if fresh:
            await sql.run(conn, "codes.retire", account_id=account_id)
        for _ in range(DRAWS):
            code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
            row = await sql.run(conn, "codes.issue", code=code, account_id=account_id, ttl=TTL)
            if row is not None:
                return Issued(row["code"], row["expires_at"])
    # 429, not 503: the person can do the same thing, wait and retry, and the page shows why.
    raise NoCode(429, NONE_FREE)


async def redeem(
    conn: Connection,
    sql: Queries,
    account_id: int,
    ip: str | None,
    typed: str,
    typed_at: datetime,
) -> Redeemed:
    """Check a typed code inside the caller's transaction; on success mark it used.

    ``typed_at`` is when the person typed it: now, or earlier for a code queued
    offline, which counts if the code was live then (so one that merely expired since still
    does: the offline queue exists for that) and was never retired.
    """
    code = normalise(typed)
    if code is None:
        return Redeemed(422, MALFORMED)
    # Only failed guesses count: checked now, counted below when this one fails too.
    misses = _misses(account_id, ip)
    try:
        await limits.check(conn, sql, *misses)
    except limits.TooMany as too_many:
        return Redeemed(429, str(too_many.detail), retry_after=too_many.retry_after)
    row = await sql.run(conn, "codes.find", code=code)
    if row is not None and row["used_by"] == account_id and row["account_id"] != account_id:
        # Typed twice (a double tap, or a replay): the swap is already made. Unless they
        # removed me since: a used code does not connect us again (nor count as a guess).
        if await sql.run(
            conn, "contacts.id_for", owner_id=account_id, contact_id=row["account_id"]
        ):
            return Redeemed(200, owner_id=row["account_id"], owner_name=row["name"])
        return Redeemed(404, WRONG)
    if row is not None and row["account_id"] == account_id and row["used_at"] is None:
        # Not a guess: my own code, typed in the wrong box. Nothing counted against me.
        return Redeemed(422, OWN_CODE)
    live = (
        row is not None
        # A code drawn again after it expired is someone else's: it did not exist when typed.
        and row["created_at"] <= typed_at < row["expires_at"]
        and row["used_at"] is None
        # Killed by guesses next to it: dead even for a moment before it died.
        and row["near_misses"] < NEAR_MISSES_TO_KILL
        # Retired by "New code" (someone may have seen it): likewise dead at any moment, or a
        # swap "queued offline" a minute before the retirement would redeem it.
        and row["retired_at"] is None
        and row["account_id"] != account_id
    )
    if not live:
        await limits.hit(conn, sql, *misses)
        await sql.run(conn, "codes.near_miss", code=code, kill_at=NEAR_MISSES_TO_KILL)
        return Redeemed(404, WRONG)
    assert row is not None
    await sql.run(conn, "codes.use", code=code, used_by=account_id)
    return Redeemed(200, owner_id=row["account_id"], owner_name=row["name"])


def _misses(account_id: int, ip: str | None) -> tuple[tuple[limits.Rule, object], ...]:
    """The limits a wrong guess counts against: the person's, then the address's (none
    without an address), then for IPv6 its /48's, always in that order (their advisory
    locks are taken in it). Made from the numbers above when asked, so they stay the knobs."""
    checks: list[tuple[limits.Rule, object]] = [
        (
            limits.Rule("account-code-misses", MAX_MISSES_PER_ACCOUNT, MISS_WINDOW, TOO_MANY),
            account_id,
        )
    ]
    if ip is None:
        return tuple(checks)
    checks.append(
        (limits.Rule("address-code-misses", MAX_MISSES_PER_IP, MISS_WINDOW, TOO_MANY), ip)
    )
    wider = limits.ipv6_48(ip)
    if wider is not None:
        checks.append(
            (
                limits.Rule("ipv6-48-code-misses", MAX_MISSES_PER_IPV6_48, MISS_WINDOW, TOO_MANY),
                wider,
            )
        )
    return tuple(checks)
