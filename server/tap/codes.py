"""Six-digit swap codes: issue mine for the Tap screen, redeem theirs, and limit guessing.

A code is shown on one phone and typed on the other. Codes are unique among
those in use (the table's primary key), live ``TTL`` and may be used once.
Wrong codes are counted per person and per network address in PostgreSQL, under
advisory locks, so the limit holds across processes and concurrent requests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from server.db.pool import Connection
from server.db.queries import Queries

TTL = timedelta(minutes=10)
# Reopening the Tap screen keeps the code while it has this much time left.
KEEP_IF_LEFT = timedelta(minutes=3)
DIGITS = 6
MISS_WINDOW = timedelta(minutes=10)
# A person mistypes a few times; a whole venue shares one address behind its NAT.
MAX_MISSES_PER_ACCOUNT = 10
MAX_MISSES_PER_IP = 100

UNKNOWN = "No one has that code right now. Check the digits."
OWN = "That's your code. Ask them for theirs, or let them type yours."
USED = "That code was already used. Ask them for a fresh one."
EXPIRED = "That code has expired. Ask them for a fresh one."
MALFORMED = "A code is 6 digits."
TOO_MANY = "Too many wrong codes. Wait 10 minutes, or scan their QR code instead."


@dataclass(frozen=True)
class Issued:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class Redeemed:
    """The outcome of typing a code: the holder to connect with, or why not."""

    status: int
    message: str = ""
    owner_id: int | None = None
    owner_name: str = ""


def normalise(typed: str) -> str | None:
    """Digits only, so "123 456" and "123-456" work; None unless exactly six."""
    digits = "".join(ch for ch in typed if not ch.isspace() and ch != "-")
    if len(digits) != DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


async def issue(pool: asyncpg.Pool, sql: Queries, account_id: int) -> Issued:
    row = await sql.run(pool, "codes.current", account_id=account_id, keep_if_left=KEEP_IF_LEFT)
    while row is None:
        # One in a million collides with a code in use; then draw again.
        code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
        row = await sql.run(pool, "codes.issue", code=code, account_id=account_id, ttl=TTL)
    return Issued(row["code"], row["expires_at"])


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
    offline, which counts if the code was live then.
    """
    code = normalise(typed)
    if code is None:
        return Redeemed(422, MALFORMED)
    await sql.run(conn, "codes.lock_guesser", account_id=account_id, ip=ip)
    misses = await sql.run(
        conn, "codes.misses", account_id=account_id, ip=ip, since=datetime.now(UTC) - MISS_WINDOW
    )
    assert misses is not None
    if misses["by_account"] >= MAX_MISSES_PER_ACCOUNT or misses["by_ip"] >= MAX_MISSES_PER_IP:
        return Redeemed(429, TOO_MANY)
    row = await sql.run(conn, "codes.find", code=code)
    # A code drawn again after it expired is someone else's: it did not exist when typed.
    if row is None or row["created_at"] > typed_at:
        await sql.run(conn, "codes.record_miss", account_id=account_id, ip=ip)
        return Redeemed(404, UNKNOWN)
    if row["account_id"] == account_id:
        return Redeemed(400, OWN)
    if row["used_at"] is not None:
        if row["used_by"] == account_id:
            # Typed twice (a double tap, or a replay): the swap is already made.
            return Redeemed(200, owner_id=row["account_id"], owner_name=row["name"])
        return Redeemed(410, USED)
    if row["expires_at"] <= typed_at:
        return Redeemed(410, EXPIRED)
    await sql.run(conn, "codes.use", code=code, used_by=account_id)
    return Redeemed(200, owner_id=row["account_id"], owner_name=row["name"])
