"""A fixture for race tests of lock order: every connection made from now on, the app's and
the test's, looks for a deadlock 1 ms into a wait (not the second PostgreSQL waits by
default), so that a circle, if there is one, stops whichever closes it, every time."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest


async def _deadlock_timeout(pool: asyncpg.Pool, change: str) -> None:
    """``change`` this database's deadlock_timeout, for connections made from now on; the
    pool's own are made anew."""
    # ALTER DATABASE takes no parameter: its name is quoted by format().
    await pool.execute(
        f"DO $$ BEGIN EXECUTE format('ALTER DATABASE %I {change}', current_database()); END $$"
    )
    await pool.expire_connections()


@pytest.fixture
async def deadlocks_seen_at_once(pool: asyncpg.Pool) -> AsyncIterator[None]:
    await _deadlock_timeout(pool, "SET deadlock_timeout = 1")  # in ms
    try:
        assert await pool.fetchval("SHOW deadlock_timeout") == "1ms"
        yield
    finally:
        await _deadlock_timeout(pool, "RESET deadlock_timeout")
