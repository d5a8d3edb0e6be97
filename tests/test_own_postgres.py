"""tests/own_postgres.py: a test's own PostgreSQL really stops, starts and restarts."""

from __future__ import annotations

import asyncpg
import pytest

from tests.own_postgres import own_postgres, postmaster


@pytest.fixture(autouse=True)
def clean_tables() -> None:
    """Nothing here uses the session's shared database: none to clean, none to start."""


async def test_stop_start_and_restart_are_real_and_keep_the_url_and_the_data() -> None:
    async with own_postgres() as pg:
        url = pg.url
        conn = await asyncpg.connect(url)
        await conn.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)")

        first = pg.pid
        await pg.restart()
        assert conn.is_closed() or await _cut(conn)
        assert pg.pid not in (None, first), "not a new postmaster"
        assert pg.url == url

        await pg.stop()
        assert pg.pid is None
        with pytest.raises(OSError):
            await asyncpg.connect(url, timeout=5)

        await pg.start()
        assert pg.url == url
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT n FROM kept") == 1
        await conn.close()
        pgdata = pg.pgdata
    assert postmaster(pgdata) is None
    assert not pgdata.exists()


async def _cut(conn: asyncpg.Connection) -> bool:
    """Whether the connection died with the server (the next query finds out)."""
    try:
        await conn.fetchval("SELECT 1")
    except (asyncpg.PostgresConnectionError, OSError):
        return True
    return False
