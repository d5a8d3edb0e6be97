"""A LISTEN connection that stops carrying data without being closed (a NAT or load balancer
forgetting it, no reset sent) is noticed by its ping, dropped and made again: a waiting Bump
hears of a change within seconds, not at the end of its 20 s long-poll."""

from __future__ import annotations

import asyncio
import time

import pytest

from server.db import listener as listener_module
from server.db.listener import Listener
from tests.db.test_listener import woken_within
from tests.db_proxy import DatabaseProxy
from tests.waiting import eventually


class SilencingProxy(DatabaseProxy):
    """A proxy whose connections open at ``silence()`` stop carrying data either way, left
    open; connections made after it work (the network forgot a flow, it is not down)."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self._made = 0
        self._silent_below = 0

    def silence(self) -> None:
        self._silent_below = self._made

    async def _carry_both(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        number, self._made = self._made, self._made + 1
        await asyncio.gather(
            self._carry(number, reader, up_writer), self._carry(number, up_reader, writer)
        )

    async def _carry(
        self, number: int, source: asyncio.StreamReader, sink: asyncio.StreamWriter
    ) -> None:
        while data := await source.read(65536):
            if number >= self._silent_below:  # else swallowed, as by a forgotten flow
                sink.write(data)
                await sink.drain()
        sink.close()


@pytest.fixture
def quick_pings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listener_module, "PING_SECONDS", 0.3, raising=False)
    monkeypatch.setattr(listener_module, "PING_TIMEOUT_SECONDS", 0.5, raising=False)


async def test_a_waiter_hears_of_a_change_though_the_listen_connection_went_silent(
    database_url, pool, quick_pings
):
    proxy = SilencingProxy(database_url)
    await proxy.start()
    listener = Listener(proxy.url, "test_wake")
    await listener.start()
    try:
        assert await woken_within(listener, pool, "1", 2)
        proxy.silence()
        changed = False
        waiting = asyncio.Event()

        async def long_poll() -> float:
            """As a Bump page's: re-read, wait for a wake-up (up to 20 s), until changed."""
            started = time.monotonic()
            while True:
                with listener.watch("5") as woke:
                    if changed:
                        return time.monotonic() - started
                    waiting.set()
                    await listener.wait(woke, 20)

        polling = asyncio.create_task(long_poll())
        # Waiting, not about to read: the change is one it hears of.
        await eventually(lambda: asyncio.sleep(0, waiting.is_set()), "the long poll waiting")
        changed = True
        await pool.execute("SELECT pg_notify('test_wake', '5')")  # lost on the silent one
        waited = await asyncio.wait_for(polling, 25)
        assert waited < 3, f"heard of the change after {waited:.1f} s"

        # Listening again on a new connection: notifications wake waiters. Being dropped and
        # listening again wake every waiter once each, so three wake-ups in a row within
        # 0.5 s each include at least one notification's.
        started = time.monotonic()
        woken = 0
        while woken < 3:
            woken = woken + 1 if await woken_within(listener, pool, "7", 0.5) else 0
            assert time.monotonic() - started < 10, "never listened again"
        assert listener.listening
    finally:
        await proxy.close()  # first: closing a silent connection would wait for its answer
        await listener.close()


async def test_a_silent_listen_connection_does_not_hold_up_shutdown(database_url, monkeypatch):
    monkeypatch.setattr(listener_module, "PING_TIMEOUT_SECONDS", 0.5, raising=False)
    proxy = SilencingProxy(database_url)
    await proxy.start()
    listener = Listener(proxy.url, "test_wake")
    await listener.start()
    try:
        assert listener.listening
        proxy.silence()
        started = time.monotonic()
        await asyncio.wait_for(listener.close(), 10)
        assert time.monotonic() - started < 3
    finally:
        await proxy.close()
