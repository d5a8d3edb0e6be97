"""Draining an outbox (push deliveries, emails) through a worker's leases: a fixed number of
sends in flight, rows claimed ahead of them, and what was accepted recorded every 20 ms in one
statement.

Claiming per whole batch left slots idle while a batch's slowest send finished (the mail
worker measured 70 % busy that way); claiming per row would cost a round trip per row.
Up to ``depth`` times ``concurrency`` rows are held, and the next claim is made while
``depth - 1`` times are still waiting or in flight, so the sends do not run dry during the
claim (5-15 ms of the database). The push worker holds three (with two, answered at once, it
was 86% busy and 5-15% slower); the mail worker two, so that mail someone is waiting for,
claimed first, waits behind at most one round of sends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from server.db import away
from server.db.leases import Leases
from server.db.pool import DATABASE_AWAY

RECORD_EVERY = 0.02  # seconds: how long an accepted send may go unrecorded


async def drain(
    leases: Leases,
    send: Callable[[Any, float], Awaitable[bool]],
    record: Callable[[], Awaitable[None]],
    *,
    concurrency: int,
    batch: int,
    depth: int = 2,
    stop: asyncio.Event | None = None,
) -> int:
    """Send what is ready until nothing is (or ``stop``); how many sends were started.

    ``send(row, time_limit)`` sends one claimed row within ``time_limit`` seconds and
    records its outcome, except acceptance: it returns True and leaves that to
    ``record()``, which records every accepted send so far in one statement (and keeps
    them for the next call when the database cannot take it).
    """
    semaphore = asyncio.Semaphore(concurrency)
    started: set[int] = set()
    claimed: list[int] = []
    in_flight: set[asyncio.Task[None]] = set()
    done = asyncio.Event()
    recorder = asyncio.create_task(_record_periodically(record, done))

    async def one(row: Any) -> None:
        async with semaphore:
            if stop is not None and stop.is_set():
                return  # released below, untouched
            left = leases.time_left(row["id"])
            if left is None:
                # The lease could run out mid-send: untouched, no longer renewed, released
                # below (or lapsing first, for another worker to take).
                leases.let_go(row["id"])
                return
            started.add(row["id"])
            accepted = False
            try:
                accepted = await send(row, left)
            finally:
                if not accepted:  # recorded, or left for the lease to run out
                    leases.let_go(row["id"])

    try:
        while not (stop is not None and stop.is_set()):
            room = depth * concurrency - len(in_flight)
            if len(in_flight) <= (depth - 1) * concurrency:
                rows = await leases.claim(min(batch, room))
                for row in rows:
                    claimed.append(row["id"])
                    in_flight.add(asyncio.create_task(one(row)))
                if not rows and not in_flight:
                    break
                if not rows:
                    await asyncio.gather(*in_flight)
                    in_flight.clear()
                    continue
            finished, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                task.result()
        await asyncio.gather(*in_flight)
    finally:
        # A pass cut short by the database still lets its sends finish (and be kept).
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)
        # Not cancelled: a cancelled flush could lose the rows it had taken.
        done.set()
        await recorder
        unstarted = [row_id for row_id in claimed if row_id not in started]
        leases.let_go(*unstarted)  # no longer renewed: if not released, they lapse
        await record()
    await leases.release(unstarted)
    return len(started)


async def _record_periodically(record: Callable[[], Awaitable[None]], done: asyncio.Event) -> None:
    while not done.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), RECORD_EVERY)
        try:
            await record()
        except DATABASE_AWAY:
            # Kept for the next try; the sends in flight carry on meanwhile.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), away.AWAY_FIRST_WAIT)
