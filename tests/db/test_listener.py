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


async def test_a_listener_started_while_the_database_is_away_listens_once_it_is_back(
    database_url, pool, caplog
):
    from tests.db_proxy import DatabaseProxy

    proxy = DatabaseProxy(database_url)
    await proxy.start()
    await proxy.cut()
    listener = Listener(proxy.url, "test_wake")
    try:
        await listener.start()  # does not raise, does not wait
        assert not listener.listening
        await asyncio.sleep(1.5)  # tries again meanwhile, quietly
        await proxy.restore()
        started = time.monotonic()
        while not await woken_within(listener, pool, "9", 0.2):
            assert time.monotonic() - started < 15, "never listened once the database was back"
        assert listener.listening
    finally:
        await listener.close()
        await proxy.close()
    said = [r.getMessage() for r in caplog.records if r.name == "server.db.listener"]
    assert said[0] == "cannot LISTEN on test_wake yet; waiters poll meanwhile"
    assert said[1].startswith("listening on test_wake again after ")
    assert len(said) == 2, said
