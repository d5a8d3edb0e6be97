"""Bumps in PostgreSQL: record one and pair it, wait for the outcome, confirm or decline.

A bump is in one scope or several: each event its bumper is at (a conference and the evening
meetup inside it), or outside events the bumper's network (IPv4 /24, IPv6 /64): one global
scope let anyone's flood of bumps make every real bump "ambiguous" and hear the names of
everyone bumping anywhere. Two bumps pair only when they share a scope: outside an event,
two phones pair only when they are on one network as well as within 40 ms with alike forces
(phones side by side on a café's Wi-Fi do; a script elsewhere never sees them). Two on
different networks outside an event hear "No phone bumped back" and swap by code or QR
instead. Bumps and waiting requests are limited per account and address
(``server/web/limits.py``).

Each scope has an advisory lock, and a transaction changes a bump only holding the locks of
all its scopes, so several web processes pair bumps as one would: two that could change the
same bump wait for each other. The locks of its own scopes a transaction takes first, in one
order for everyone; one more it may add only if free at once, or it starts again taking them
all first (waiting for a lock while holding another could wait in a circle). ``NOTIFY bumps``
wakes the requests waiting on a changed bump in whichever process holds them (one LISTEN
connection per process, no reads while nothing changes).

Bumps are timed on PostgreSQL's clock, not the web machine's: phones measure their offset
against whichever web process answers ``/tap/clock``, and two machines' clocks apart by more
than the 40 ms window would never pair a bump timed against one with one timed against the
other. Each process measures its own clock's offset from PostgreSQL's at start and every
``CLOCK_EVERY_SECONDS`` (``ServerClock``), so reading the time costs no query.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from server.db.listener import Listener
from server.db.pool import DATABASE_AWAY, Connection
from server.db.queries import Queries
from server.swaps.connect import SwapRefused, connect
from server.tap.bump_pairing import (
    CHOOSE_WITHIN_MS,
    MAX_CHOICES,
    TOLERANCE_MS,
    Bump,
    alike,
    decide,
)
from server.web.limits import Rule

# Samples per measurement of the offset: the one of the shortest round trip is kept, as NTP
# does (its error is at most half that round trip, well under a millisecond in a data centre).
CLOCK_SAMPLES = 5
CLOCK_EVERY_SECONDS = 60.0
# A measurement taking longer is given up: the last offset is kept.
CLOCK_TIMEOUT_SECONDS = 5.0
# The database away or refusing, or the pool closing: never the end of the process's time.
CANNOT_MEASURE: tuple[type[BaseException], ...] = (
    *DATABASE_AWAY,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)


class ServerClock:
    """This process's clock, set to PostgreSQL's, which every web process shares."""

    def __init__(self) -> None:
        # Until first measured, or while the database is away from the start: this clock's own.
        self.offset_ms = 0.0

    def now_ms(self) -> float:
        return time.time() * 1000 + self.offset_ms

    async def measure(self, pool: asyncpg.Pool) -> bool:
        """Set the offset from PostgreSQL's ``clock_timestamp()``; False (the last offset kept)
        if the database cannot be asked now."""
        best: tuple[float, float] | None = None
        try:
            async with asyncio.timeout(CLOCK_TIMEOUT_SECONDS), pool.acquire() as conn:
                # Once first, so that no sample pays for preparing the query.
                await conn.fetchval("SELECT clock_timestamp()")
                for _ in range(CLOCK_SAMPLES):
                    sent = time.time() * 1000
                    there: datetime = await conn.fetchval("SELECT clock_timestamp()")
                    back = time.time() * 1000
                    # Read halfway through the round trip, as far as this side can tell.
                    sample = (back - sent, there.timestamp() * 1000 - (sent + back) / 2)
                    if sample[0] >= 0 and (best is None or sample < best):
                        best = sample
        except CANNOT_MEASURE:
            # The requests say what is wrong; the time goes on from the last offset.
            return False
        if best is None:  # this clock stepped back during every sample
            return False
        self.offset_ms = best[1]
        return True

    async def keep(self, pool: asyncpg.Pool) -> None:
        """Measure again every ``CLOCK_EVERY_SECONDS``, for as long as the process lives: either
        clock may drift or be stepped (NTP) meanwhile."""
        while True:
            await asyncio.sleep(CLOCK_EVERY_SECONDS)
            await self.measure(pool)


# One per process, as its clock is: ``now_ms`` is read outside any request (wait_for_change).
CLOCK = ServerClock()


def now_ms() -> float:
    """The time on PostgreSQL's clock, in milliseconds since the epoch, without asking it."""
    return CLOCK.now_ms()


@contextlib.asynccontextmanager
async def clock_kept(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """``CLOCK`` measured now and kept while the body runs (a web process's lifespan)."""
    await CLOCK.measure(pool)
    keeping = asyncio.get_running_loop().create_task(CLOCK.keep(pool))
    try:
        yield
    finally:
        keeping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeping


def _moment(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


@dataclass(frozen=True)
class Outcome:
    id: int
    state: str
    partner_account: int | None
    partner_name: str | None
    partner_state: str | None
    row: Any

    @property
    def seen(self) -> str:
        return f"{self.state}/{self.partner_state or ''}/{self.row['chosen_id'] or ''}"


# In "pick who you bumped", in place of the name of someone who may not be named there.
SOMEONE = "Someone nearby"


@dataclass(frozen=True)
class Choice:
    """Someone in the same crowd of bumps, as "pick who you bumped" lists them: with no name
    or headline (``SOMEONE``) when ``named`` is false (``bumps.crowd`` in sql/queries says
    who)."""

    bump_id: int
    name: str
    headline: str
    named: bool = True


MINUTE = timedelta(minutes=1)
BUMPS_PER_ACCOUNT = Rule(
    "account-bumps", 20, MINUTE, "You bumped 20 times in a minute. Please try again {wait}."
)
# A venue's Wi-Fi is one address for everyone there: 1,000 people bumping in pairs over a
# minute, with retries, is bench/bump.py's crowd. The account limits are the tight ones.
BUMPS_PER_ADDRESS = Rule(
    "address-bumps",
    3000,
    MINUTE,
    "Too many bumps from your network just now. Please try again {wait}, or swap by code.",
)
# Requests waiting for a bump to change, at once (a page waits on one at a time; a few tabs).
# The span outlasts the longest wait, so a hit a killed process never gave back runs out.
WAITING_SPAN = timedelta(seconds=30)
WAITING_PER_ACCOUNT = Rule(
    "account-bump-waits", 5, WAITING_SPAN, "Too many bumps waiting at once. Try again {wait}."
)
WAITING_PER_ADDRESS = Rule(
    "address-bump-waits",
    1000,
    WAITING_SPAN,
    "Too many bumps waiting from your network. Try again {wait}.",
)


class _Busy(Exception):
    """The pairing would change a bump in a scope whose lock another transaction holds."""

    def __init__(self, scopes: set[str]) -> None:
        super().__init__()
        self.scopes = scopes


async def record(
    pool: asyncpg.Pool,
    sql: Queries,
    account_id: int,
    at_ms: float,
    force: float | None,
    network: str = "unknown",
) -> int:
    """Store a bump and apply the pairing rule to it; returns its id. ``network``: the
    bumper's (``limits.network_key``), the scope outside events."""
    also: set[str] = set()
    while True:
        try:
            return await _record(pool, sql, account_id, at_ms, force, network, also)
        except _Busy as busy:
            # Each round starts holding more scopes, of which there are only so many.
            also |= busy.scopes


async def _record(
    pool: asyncpg.Pool,
    sql: Queries,
    account_id: int,
    at_ms: float,
    force: float | None,
    network: str,
    also: set[str],
) -> int:
    """``record`` once, first locking the bump's scopes and ``also``; raises ``_Busy`` (undoing
    it all) when the pairing needs a scope held elsewhere."""
    tolerance = timedelta(milliseconds=TOLERANCE_MS)
    at = _moment(at_ms)
    async with pool.acquire() as conn, conn.transaction():
        scopes: list[str] = await sql.run(
            conn, "bumps.scopes_for", account_id=account_id, network=network
        )
        held = set(scopes) | also
        await sql.run(conn, "bumps.lock_scopes", scopes=sorted(held))
        bump_id: int = await sql.run(
            conn, "bumps.insert", account_id=account_id, scopes=scopes, bumped_at=at, force=force
        )
        while True:
            rows = await sql.run(
                conn,
                "bumps.nearby",
                scopes=scopes,
                since=at - tolerance,
                until=at + tolerance,
                bump_id=bump_id,
                account_id=account_id,
            )
            nearby = [_bump(row) for row in rows]
            changes = decide(Bump(bump_id, account_id, at_ms, force), nearby)
            scopes_of = {row["id"]: set(row["scopes"]) for row in rows}
            more = set().union(*(scopes_of.get(c.id, set()) for c in changes)) - held
            if not more:
                break
            if not await sql.run(conn, "bumps.try_lock_scopes", scopes=sorted(more)):
                raise _Busy(more)
            # Held now, but read before: what another transaction did meanwhile counts.
            held |= more
        await sql.run(
            conn,
            "bumps.apply",
            ids=[change.id for change in changes],
            states=[change.state for change in changes],
            partner_ids=[change.partner_id for change in changes],
        )
    return bump_id


def _bump(row: Any) -> Bump:
    return Bump(
        row["id"], row["account_id"], row["at_ms"], row["force"], row["state"], row["partner_id"]
    )


async def get(pool: asyncpg.Pool, sql: Queries, bump_id: int, account_id: int) -> Outcome | None:
    row = await sql.run(pool, "bumps.get", bump_id=bump_id, account_id=account_id)
    if row is None:
        return None
    return Outcome(
        row["id"],
        row["state"],
        row["partner_account"],
        row["partner_name"],
        row["partner_state"],
        row,
    )


async def _lock(conn: Connection, sql: Queries, bump_ids: list[int | None]) -> None:
    """Wait for the locks of every scope of the bumps a transaction is about to change, as read
    before taking them: a bump's scopes never change, and a partner found since shares one."""
    ids = sorted({bump_id for bump_id in bump_ids if bump_id is not None})
    await sql.run(conn, "bumps.lock_bumps", bump_ids=ids)


async def _move(pool: asyncpg.Pool, sql: Queries, moves: list[tuple[int, list[str], str]]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await _lock(conn, sql, [bump_id for bump_id, _, _ in moves])
        for bump_id, from_states, to_state in moves:
            await sql.run(
                conn,
                "bumps.set_state",
                bump_id=bump_id,
                from_states=from_states,
                to_state=to_state,
            )


async def wait_for_change(
    pool: asyncpg.Pool,
    sql: Queries,
    listener: Listener,
    bump_id: int,
    account_id: int,
    seen: str,
    until_ms: float,
) -> Outcome | None:
    """The bump once its state or its partner's differs from ``seen``, or at ``until_ms``.

    ``seen`` is ``Outcome.seen`` as the page last showed it.
    """
    while True:
        with listener.watch(str(bump_id)) as woke:
            outcome = await get(pool, sql, bump_id, account_id)
            if outcome is None or outcome.seen != seen:
                return outcome
            remaining = until_ms - now_ms()
            if remaining <= 0:
                return outcome
            await listener.wait(woke, remaining / 1000)


async def give_up(pool: asyncpg.Pool, sql: Queries, outcome: Outcome) -> None:
    """Nobody bumped back in time."""
    await _move(pool, sql, [(outcome.id, ["waiting"], "unmatched")])


async def decline(pool: asyncpg.Pool, sql: Queries, outcome: Outcome) -> None:
    """ "Not them": both sides are told, and neither is connected."""
    moves = [(outcome.id, ["paired", "confirmed"], "declined")]
    if outcome.row["partner_id"] is not None:
        moves.append((outcome.row["partner_id"], ["paired", "confirmed"], "declined"))
    await _move(pool, sql, moves)


async def confirm(pool: asyncpg.Pool, sql: Queries, outcome: Outcome, account_id: int) -> bool:
    """Say yes; returns True once both have, when the two are connected both ways."""
    partner_id = outcome.row["partner_id"]
    async with pool.acquire() as conn, conn.transaction():
        await _lock(conn, sql, [outcome.id, partner_id])
        await sql.run(
            conn,
            "bumps.set_state",
            bump_id=outcome.id,
            from_states=["paired"],
            to_state="confirmed",
        )
        mine = await sql.run(conn, "bumps.get", bump_id=outcome.id, account_id=account_id)
        assert mine is not None
        if mine["state"] != "confirmed" or mine["partner_state"] != "confirmed":
            return bool(mine["state"] == "swapped")
        try:
            await connect(conn, sql, account_id, mine["partner_account"])
        except SwapRefused:
            # A block came between pairing and confirming: "Not them", to both.
            await _end(conn, sql, [mine["id"], mine["partner_id"]], "declined")
            return False
        await _end(conn, sql, [mine["id"], mine["partner_id"]], "swapped")
    return True


async def _end(conn: Connection, sql: Queries, bump_ids: list[int], state: str) -> None:
    for bump_id in bump_ids:
        await sql.run(
            conn, "bumps.set_state", bump_id=bump_id, from_states=["confirmed"], to_state=state
        )


async def _crowd(
    conn: asyncpg.Pool | Connection, sql: Queries, mine: Any, limit: int | None = MAX_CHOICES
) -> list[Choice]:
    if mine["state"] != "ambiguous" or now_ms() - mine["at_ms"] > CHOOSE_WITHIN_MS:
        return []
    me = Bump(mine["id"], 0, mine["at_ms"], mine["force"])
    rows = await sql.run(
        conn, "bumps.crowd", bump_id=mine["id"], window=timedelta(milliseconds=TOLERANCE_MS)
    )
    like_me = [
        Choice(row["id"], row["name"], row["headline"])
        if row["named"]
        else Choice(row["id"], SOMEONE, "", named=False)
        for row in rows
        if alike(me, Bump(row["id"], row["account_id"], row["at_ms"], row["force"]))
    ]
    return like_me[:limit]


async def crowd(pool: asyncpg.Pool, sql: Queries, outcome: Outcome) -> list[Choice]:
    """Whom an ambiguous bump may pick from: alike bumps of its window, nearest first."""
    return await _crowd(pool, sql, outcome.row)


async def choose(
    pool: asyncpg.Pool, sql: Queries, outcome: Outcome, account_id: int, choice: int
) -> bool:
    """Pick who I bumped; False if they are not in my crowd. Two who pick each other are
    swapped then and there: each named the other, which is what confirming a pair is."""
    async with pool.acquire() as conn, conn.transaction():
        await _lock(conn, sql, [outcome.id, choice])
        mine = await sql.run(conn, "bumps.get", bump_id=outcome.id, account_id=account_id)
        assert mine is not None
        # Anyone alike in the window, not only the nearest shown: a later, nearer bump
        # may have pushed the one they saw off the end of the list.
        picked = {option.bump_id for option in await _crowd(conn, sql, mine, limit=None)}
        if choice not in picked:
            return False
        await sql.run(conn, "bumps.set_choice", bump_id=outcome.id, chosen_id=choice)
        other = await sql.run(conn, "bumps.chosen_by", bump_id=choice)
        if other is None or other["chosen_id"] != outcome.id or other["state"] != "ambiguous":
            return True
        try:
            await connect(conn, sql, account_id, other["account_id"])
            state = "swapped"
        except SwapRefused:
            # Picked each other, but a block came between them since: "Not them", to both.
            state = "declined"
        await sql.run(
            conn,
            "bumps.apply",
            ids=[outcome.id, choice],
            states=[state, state],
            partner_ids=[choice, outcome.id],
        )
        await sql.run(conn, "bumps.release_picks", ids=[outcome.id, choice])
    return True
