"""Limits: request bodies (an oversized body is refused with 413 before it is stored
anywhere), and how often anyone may do something (429 with ``Retry-After``).

The rates are one mechanism: a ``Rule`` (what, how many, in how long) counted per key in
PostgreSQL by ``take_limit()`` (``sql/logic.sql``) under an advisory lock, so a limit holds
under concurrent requests and across web processes. Hits are counted per slot of time, a
sixtieth of the rule's span (``limit_slots``): a hit leaves the count up to that much early,
and checking a key reads its few slots, not every hit it had.

Keys name who is acting or what is acted on first (an account, a share link's owner), and the
address second: behind a venue's NAT many people share one address, and an address is what a
script changes most cheaply. An IPv6 address counts by its /64, which one subscriber gets
whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.db.pool import Connection
from server.db.queries import Executor, Queries
from server.web.client import client_address
from server.web.errors import error_response


class BodySizeLimitMiddleware:
    """Caps request bodies; ``larger`` names path prefixes that may send more (photo uploads)."""

    def __init__(self, app: ASGIApp, *, default: int, larger: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.larger = larger

    def _limit(self, path: str) -> int:
        for prefix, limit in self.larger.items():
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        too_large_declared = declared is not None and (
            # More digits than any limit has is too large, before int() meets 5,000 of them.
            not declared.isdigit() or len(declared) > 12 or int(declared) > limit
        )
        if too_large_declared:
            # Refused before any handler runs, including those that never read their body.
            await error_response(Request(scope, receive), 413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the endpoint's await, so the app's 413 handler renders it.
                    raise HTTPException(413)
            return message

        await self.app(scope, limited_receive, send)


# A refused request (429) is answered after this pause. A script looping as fast as it can
# then sends one request per pause per connection, and while it waits it costs a sleeping
# coroutine, not CPU that the people swapping need (bench/abuse.py: without it, one client's
# refused requests took most of the web process); a person never notices the wait.
PAUSE_BEFORE_429 = 2.0


class SlowDownMiddleware:
    """Holds every 429 answer for ``PAUSE_BEFORE_429`` seconds before sending it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def paused_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 429:
                await asyncio.sleep(PAUSE_BEFORE_429)
            await send(message)

        await self.app(scope, receive, paused_send)


@dataclass(frozen=True)
class Rule:
    """At most ``most`` of something per key in any ``span`` (less the sixtieth of it that a
    slot lasts: a hit leaves the count when its slot does); ``says`` is what the person is
    told when it is used up (``{wait}`` stands for how long, in words)."""

    bucket: str
    most: int
    span: timedelta
    says: str


class TooMany(HTTPException):
    """A limit is used up: 429, the rule's words, and ``Retry-After``."""

    def __init__(self, rule: Rule, wait: timedelta) -> None:
        seconds = max(1, math.ceil(wait.total_seconds()))
        super().__init__(
            429, rule.says.format(wait=wait_in_words(seconds)), {"retry-after": str(seconds)}
        )
        self.rule = rule
        self.retry_after = seconds


def wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return "in a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return "in 1 minute" if minutes == 1 else f"in {minutes} minutes"
    hours = math.ceil(minutes / 60)
    return "in an hour" if hours == 1 else f"in {hours} hours"


def address_key(request: HTTPConnection) -> str:
    """The client's address as a limit counts it: IPv4 whole, IPv6 by its /64 (an IPv4
    address mapped into IPv6 as the IPv4 one). No address: one shared key."""
    address = client_address(request)
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        # What str(IPv6Network((address, 64), strict=False)) says, for a fifth of its CPU.
        return f"{ipaddress.IPv6Address(int(address) >> 64 << 64)}/64"
    return str(address)


def ipv6_48(address_key: str) -> str | None:
    """The IPv6 /48 holding an address as ``address_key`` gives it (a /64); None for IPv4
    (or an IPv4 address mapped into IPv6, which that key gives as IPv4) and no address. One
    subscriber is often given a /48: guesses spread over its /64s count there too."""
    try:
        network = ipaddress.ip_network(address_key, strict=False)
    except ValueError:
        return None
    if network.version != 6 or network.prefixlen < 48:
        return None
    return str(network.supernet(new_prefix=48))


def network_key(request: HTTPConnection) -> str:
    """The client's network, coarser than ``address_key``: IPv4 by its /24, IPv6 by its /64.
    Phones side by side on one Wi-Fi share it; a script elsewhere does not."""
    key = address_key(request)
    if "/" in key or key == "unknown":
        return key
    return str(ipaddress.IPv4Network((key, 24), strict=False))


# What take_limits() (sql/logic.sql) raises when a limit is used up.
USED_UP = "RO429"


def take_params(checks: Sequence[tuple[Rule, object]]) -> dict[str, list[Any]]:
    """The (rule, key) checks as take_limits()' arrays (a key of None stays NULL)."""
    return {
        "buckets": [rule.bucket for rule, _ in checks],
        "keys": [None if key is None else str(key) for _, key in checks],
        "mosts": [rule.most for rule, _ in checks],
        "spans": [rule.span for rule, _ in checks],
    }


@contextlib.contextmanager
def refused_as_too_many(checks: Sequence[tuple[Rule, object]]) -> Iterator[None]:
    """Turns take_limits()' refusal, raised by a statement inside, into ``TooMany``."""
    try:
        yield
    except asyncpg.PostgresError as error:
        if error.sqlstate != USED_UP or error.detail is None or error.hint is None:
            raise
        rule = checks[int(error.detail) - 1][0]
        raise TooMany(rule, timedelta(seconds=float(error.hint))) from None


async def take(conn: Executor, sql: Queries, *checks: tuple[Rule, object]) -> None:
    """Count one against each (rule, key), all or none, in one statement: raises ``TooMany``
    for the first rule used up, and the hits already counted are rolled back with it (inside
    a transaction, the transaction is then spoiled: let ``TooMany`` end it). Checks name the
    account or target first and the address last; the same order everywhere keeps the
    advisory locks from deadlocking."""
    with refused_as_too_many(checks):
        await sql.run(conn, "limits.take", **take_params(checks))


async def take_with_new_account_rule(
    conn: Executor,
    sql: Queries,
    checks: Sequence[tuple[Rule, object]],
    *,
    account_id: int,
    new_for: timedelta,
    new_account_rule: Rule | None,
) -> None:
    """``take`` for an account's action that a new account may do less of: ``checks`` as
    ever, and ``new_account_rule`` (None: no such rule this time) counted against
    ``account_id`` only while that account is new, made within ``new_for`` with no address
    confirmed for it. A join code or share link makes an account for nothing, so a script's
    fresh accounts are held back; confirming an address lifts it."""
    if new_account_rule is not None:
        # Last: the statement leaves it out for an account that is not new.
        checks = (*checks, (new_account_rule, account_id))
    with refused_as_too_many(checks):
        await sql.run(
            conn,
            "limits.take_last_if_new",
            account_id=account_id,
            new_for=new_for,
            last_if_new=new_account_rule is not None,
            **take_params(checks),
        )


async def check(conn: Connection, sql: Queries, *checks: tuple[Rule, object]) -> None:
    """For limits that count failures only (wrong codes): raises ``TooMany`` for the first
    rule used up, counting nothing. Inside the caller's transaction, whose advisory locks then
    hold each key until it ends, so a ``hit`` it counts after the attempt cannot be raced."""
    for rule, key in checks:
        wait = await sql.run(
            conn, "limits.wait", bucket=rule.bucket, key=str(key), most=rule.most, span=rule.span
        )
        if wait is not None:
            raise TooMany(rule, wait)


async def hit(conn: Connection, sql: Queries, *checks: tuple[Rule, object]) -> None:
    """Count one failure against each (rule, key) ``check`` let through in this transaction."""
    for rule, key in checks:
        await sql.run(conn, "limits.hit", bucket=rule.bucket, key=str(key), span=rule.span)


async def release(conn: Executor, sql: Queries, *checks: tuple[Rule, object]) -> None:
    """Give back one hit of each: for rules that count what is going on now (requests
    waiting) rather than what was done. A hit never given back (a process killed mid-wait)
    leaves the count when its rule's span has passed."""
    for rule, key in checks:
        await sql.run(conn, "limits.release", bucket=rule.bucket, key=str(key))


@contextlib.asynccontextmanager
async def holding(
    conn: Executor, sql: Queries, *checks: tuple[Rule, object]
) -> AsyncIterator[None]:
    """At most ``rule.most`` at once per key (each rule's span must outlast what is held)."""
    await take(conn, sql, *checks)
    try:
        yield
    finally:
        await release(conn, sql, *checks)
