"""Wake requests waiting on a row from PostgreSQL ``NOTIFY``: one listening connection a process.

The database stays the source of truth: a waiter re-reads its row after every
wake-up and at least every ``POLL_SECONDS``, so a notification lost while the
connection was down costs latency, never correctness.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterator

import asyncpg

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5


class Listener:
    def __init__(self, dsn: str, channel: str) -> None:
        self.dsn = dsn
        self.channel = channel
        self._conn: asyncpg.Connection | None = None
        self._waiting: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self._reconnecting: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> None:
        if self._closed:
            return
        try:
            conn = await asyncpg.connect(self.dsn)
            await conn.add_listener(self.channel, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot LISTEN on %s (%s); waiters fall back to polling", self.channel, exc)
            return
        if self._closed:  # closed while this was connecting
            await conn.close()
            return
        conn.add_termination_listener(self._lost)
        self._conn = conn

    async def close(self) -> None:
        self._closed = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.remove_termination_listener(self._lost)
            await conn.close()

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        for event in self._waiting.get(str(payload), ()):
            event.set()

    def _lost(self, _conn: object) -> None:
        self._conn = None
        if self._closed:
            return
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        while self._conn is None and not self._closed:
            await asyncio.sleep(1)
            await self.start()

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

    @staticmethod
    async def wait(event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), min(seconds, POLL_SECONDS))
        event.clear()
