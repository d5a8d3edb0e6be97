"""Wake requests waiting on a row from PostgreSQL ``NOTIFY``: one listening connection a process.

The database stays the source of truth: a waiter re-reads its row after every
wake-up. While the connection listens, that is all: a thousand waiters cost one
connection and no queries until something changes (a flood of long-polls must not
become a flood of reads against a small pool). When the connection is lost, and again
when it listens anew, every waiter is woken to re-read (a notification may have been
lost in between), and until then waiters poll every ``POLL_SECONDS``, so a lost
notification costs latency, never correctness. When the connection is lost
(PostgreSQL restarting, the network cut) the listener says so once and reconnects,
backing off with jitter, for as long as the process lives. A connection that stops carrying
data without being closed (a NAT or load balancer forgetting it) looks alive to the socket:
so the listener asks it ``SELECT 1`` every ``PING_SECONDS``, and one not answered within
``PING_TIMEOUT_SECONDS`` is dropped and counts as lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import defaultdict
from collections.abc import Iterator

import asyncpg

from server.db.pool import DATABASE_AWAY

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# Between tries to reconnect: the first wait and the longest.
RECONNECT_FIRST_WAIT = 0.5
RECONNECT_LONGEST_WAIT = 10.0
# How often the connection is asked to answer, and how long it has to.
PING_SECONDS = 30.0
PING_TIMEOUT_SECONDS = 5.0
# The database away, or refusing this connection for now (a role or database not there yet).
CANNOT_LISTEN: tuple[type[BaseException], ...] = (*DATABASE_AWAY, asyncpg.PostgresError)
# A ping not answered, or its connection unusable however it failed.
NO_ANSWER: tuple[type[BaseException], ...] = (*CANNOT_LISTEN, asyncpg.InterfaceError)


class Listener:
    def __init__(self, dsn: str, channel: str) -> None:
        self.dsn = dsn
        self.channel = channel
        self._conn: asyncpg.Connection | None = None
        self._waiting: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self._reconnecting: asyncio.Task[None] | None = None
        self._pinging: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> None:
        """Listen, or if the database is away, say so and keep trying in the background."""
        self._pinging = asyncio.get_running_loop().create_task(self._ping())
        if not await self._connect():
            log.warning("cannot LISTEN on %s yet; waiters poll meanwhile", self.channel)
            self._reconnect_soon()

    async def _connect(self) -> bool:
        if self._closed:
            return True
        try:
            conn = await asyncpg.connect(self.dsn, timeout=10)
            await conn.add_listener(self.channel, self._notified)
        except CANNOT_LISTEN:
            return False
        if self._closed:  # closed while this was connecting
            await conn.close()
            return True
        conn.add_termination_listener(self._lost)
        self._conn = conn
        self._wake_everyone()  # what changed while nobody listened is read now
        return True

    async def close(self) -> None:
        self._closed = True
        for task in (self._reconnecting, self._pinging):
            if task is not None:
                task.cancel()
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.remove_termination_listener(self._lost)
            # A silent connection never answers the goodbye: dropped then (asyncpg aborts it).
            with contextlib.suppress(*NO_ANSWER):
                await conn.close(timeout=PING_TIMEOUT_SECONDS)

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        for event in self._waiting.get(str(payload), ()):
            event.set()

    def _wake_everyone(self) -> None:
        for events in self._waiting.values():
            for event in events:
                event.set()

    def _lost(self, _conn: object) -> None:
        self._conn = None
        self._wake_everyone()  # to poll until the connection is back
        if not self._closed:
            log.warning("lost the LISTEN connection on %s; reconnecting", self.channel)
            self._reconnect_soon()

    def _reconnect_soon(self) -> None:
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        since = time.monotonic()
        wait = RECONNECT_FIRST_WAIT
        while self._conn is None and not self._closed:
            # Full jitter: after a restart, every process's listener does not come back at once.
            await asyncio.sleep(random.uniform(0, wait))
            wait = min(wait * 2, RECONNECT_LONGEST_WAIT)
            if await self._connect() and not self._closed:
                log.warning(
                    "listening on %s again after %.1f s", self.channel, time.monotonic() - since
                )

    async def _ping(self) -> None:
        while not self._closed:
            await asyncio.sleep(PING_SECONDS)
            conn = self._conn
            if conn is None or conn.is_closed():
                continue  # lost already: reconnecting
            try:
                async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                    await conn.fetchval("SELECT 1")
            except NO_ANSWER:
                if conn is self._conn:  # not lost and replaced meanwhile
                    log.warning("the LISTEN connection on %s stopped answering", self.channel)
                    conn.terminate()  # calls _lost, its termination listener: reconnect

    @property
    def listening(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    @contextlib.contextmanager
    def watch(self, key: str) -> Iterator[asyncio.Event]:
        """Register before reading the row, so a change between read and wait still wakes."""
        event = asyncio.Event()
        self._waiting[key].add(event)
        try:
            yield event
        finally:
            waiters = self._waiting[key]
            waiters.discard(event)
            if not waiters:
                del self._waiting[key]

    async def wait(self, event: asyncio.Event, seconds: float) -> None:
        """Until ``event`` (a notification, or the connection lost or back) or ``seconds``;
        at most ``POLL_SECONDS`` while nothing listens."""
        if not self.listening:
            seconds = min(seconds, POLL_SECONDS)
        # asyncio.timeout, not wait_for: Python 3.11's wait_for drops a cancel that comes as
        # the event is set, and the waiter (a long-poll the page hung up on) would go on.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()
        event.clear()
