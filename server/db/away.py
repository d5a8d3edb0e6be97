"""Long-lived loops that ride out the database going away (a restart, a failover, a cut
connection, ``max_connections``): one log line when it goes, one when it is back, and
full-jitter backoff between tries meanwhile, so many processes do not all return at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from server.db.pool import DATABASE_AWAY, away_reason

AWAY_FIRST_WAIT = 0.5
# Well inside a lease: a worker cut off by a restart is back before others may take over
# its rows (see the outboxes' claim queries).
AWAY_LONGEST_WAIT = 10.0

T = TypeVar("T")


class DatabaseNeverCame(Exception):
    """The database did not answer within the bound a starting process waits."""


def reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class Outage:
    """Whether the database is away, as the loops of one process see it: one line when it
    goes and one when it is back, however many loops noticed."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self.since: float | None = None

    def went_away(self, error: BaseException) -> None:
        if self.since is None:
            self.since = time.monotonic()
            self.log.warning("database unavailable (%s); waiting for it", reason(error))

    def came_back(self) -> None:
        if self.since is not None:
            self.log.warning("database back after %.1f s", time.monotonic() - self.since)
            self.since = None


async def keep_running(
    once: Callable[[], Awaitable[int]],
    stop: asyncio.Event,
    *,
    outage: Outage,
    poll_seconds: float,
    rng: random.Random,
    wake: asyncio.Event | None = None,
) -> None:
    """Call ``once`` (which returns how much it did) until ``stop``; when it did nothing,
    wait ``poll_seconds`` or until ``wake`` is set."""
    wait = AWAY_FIRST_WAIT
    while not stop.is_set():
        try:
            handled = await once()
        except Exception as error:
            if (cause := away_reason(error)) is None:
                raise
            outage.went_away(cause)
            pause = rng.uniform(0, wait)
            wait = min(wait * 2, AWAY_LONGEST_WAIT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            continue
        outage.came_back()
        wait = AWAY_FIRST_WAIT
        if handled == 0:
            await _idle(stop, wake, poll_seconds)


async def _idle(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    waits = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waits.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
    if wake is not None:
        wake.clear()


async def record_before_stopping(
    record: Callable[[], Awaitable[None]],
    unrecorded: Callable[[], int],
    *,
    log: logging.Logger,
    what: str,
    seconds: float = 30.0,
) -> None:
    """A stopping worker keeps trying, for ``seconds``, to record what the far side accepted
    (so that it is not sent again when its lease runs out)."""
    deadline = time.monotonic() + seconds
    while unrecorded():
        try:
            await record()
        except DATABASE_AWAY as error:
            if time.monotonic() > deadline:
                log.error(
                    "stopping with %d accepted %s unrecorded (%s): they will be sent again"
                    " when their lease ends",
                    unrecorded(),
                    what,
                    reason(error),
                )
                return
            await asyncio.sleep(AWAY_FIRST_WAIT)


async def wait_for_database(
    step: Callable[[], Awaitable[T]],
    *,
    seconds: float,
    say: Callable[[str], None],
    rng: random.Random | None = None,
) -> T:
    """``step``'s result, trying again while the database is away (saying so once, through
    ``say``), for at most ``seconds``; then DatabaseNeverCame. For a process starting up."""
    rng = rng or random.Random()
    deadline = time.monotonic() + seconds
    pause = 0.25
    said = False
    while True:
        try:
            return await step()
        except Exception as raised:
            if (error := away_reason(raised)) is None:
                raise
            if time.monotonic() + pause > deadline:
                raise DatabaseNeverCame(
                    f"the database did not answer within {seconds:g} s ({reason(error)})"
                ) from error
            if not said:
                say(f"waiting for the database ({error})")
                said = True
            await asyncio.sleep(pause * rng.uniform(0.5, 1.0))
            pause = min(pause * 2, 5.0)
