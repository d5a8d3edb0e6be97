"""Waiting in a test for something another task or process does: polled, with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from server.db.queries import Executor

T = TypeVar("T")
WAIT_SECONDS = 10.0


async def eventually(
    check: Callable[[], Awaitable[T | None]],
    what: str,
    seconds: float = WAIT_SECONDS,
    every: float = 0.05,
) -> T:
    """Poll ``check`` until it gives something truthy; fail naming ``what``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    last: Any = None
    while loop.time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(every)
    pytest.fail(f"{what} within {seconds} s (last seen: {last!r})")


# Backends of this database waiting for a heavyweight lock (a row, a table, an advisory lock),
# narrowed by whichever of the three is given: the waiter, its application_name, one holder.
WAITING_FOR_A_LOCK = """
SELECT pid FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'
  AND ($1::int IS NULL OR pid = $1)
  AND ($2::text IS NULL OR application_name = $2)
  AND ($3::int IS NULL OR $3 = ANY(pg_blocking_pids(pid)))
ORDER BY pid"""


async def until_waiting_for_lock(
    db: Executor,
    what: str,
    *,
    pid: int | None = None,
    application_name: str | None = None,
    held_by: int | None = None,
    count: int = 1,
    seconds: float = WAIT_SECONDS,
) -> list[int]:
    """Until ``count`` backends of this database wait for a lock: the backend ``pid``, those
    of ``application_name``, those waiting for one the backend ``held_by`` holds, when given.
    Their pids; fails naming ``what``.

    The step a race test lets go of (a commit, an unlock) must come only once the other side
    waits for it: a sleep instead ends, on a loaded machine, before the other side got there,
    and the test passes without the race. ``db`` is a pool or a connection outside any
    transaction (inside one, pg_stat_activity is read once and never changes)."""

    async def waiting() -> list[int] | None:
        pids = [
            row["pid"] for row in await db.fetch(WAITING_FOR_A_LOCK, pid, application_name, held_by)
        ]
        return pids if len(pids) >= count else None

    return await eventually(waiting, what, seconds)
