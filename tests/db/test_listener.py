"""LISTEN/NOTIFY wake-ups: fast when the connection is up, and back after it was cut."""

from __future__ import annotations

import asyncio
import time

from server.db.listener import Listener


async def woken_within(listener: Listener, pool, key: str, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    with listener.watch(key) as event:
        await pool.execute("SELECT pg_notify('test_wake', $1)", key)
        try:
            await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            return False
    return True


async def test_a_notification_wakes_the_waiter_and_only_it(database_url, pool):
    listener = Listener(database_url, "test_wake")
    await listener.start()
    try:
        with listener.watch("other") as other:
            assert await woken_within(listener, pool, "42", 2)
            assert not other.is_set()
    finally:
        await listener.close()


async def test_the_listener_reconnects_after_its_connection_is_cut(database_url, pool):
    listener = Listener(database_url, "test_wake")
    await listener.start()
    try:
        cut = await pool.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN%test_wake%'"
        )
        assert cut == 1
        started = time.monotonic()
        while not await woken_within(listener, pool, "7", 0.2):
            assert time.monotonic() - started < 10, "never listened again"
    finally:
        await listener.close()
