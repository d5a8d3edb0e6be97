"""``python -m server`` started while the database is away waits for it, up to a bound."""

from __future__ import annotations

import asyncio
import os
import sys

from tests.conftest import PROJECT_ROOT
from tests.db_proxy import DatabaseProxy


async def migrate(url: str, wait_seconds: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REACHOUT_ENV": "test",
        "SECRET_KEY": "m" * 40,
        "DATABASE_WAIT_SECONDS": str(wait_seconds),
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "migrate",
        env=env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_a_process_started_while_the_database_is_away_waits_for_it(database_url):
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    await proxy.cut()  # the database is unreachable when the process starts
    try:
        process = await migrate(proxy.url, 30)
        await asyncio.sleep(1.5)
        assert process.returncode is None, "it gave up instead of waiting"
        await proxy.restore()
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        await proxy.close()
    assert process.returncode == 0, stderr.decode()
    assert stderr.decode().count("waiting for the database") == 1
    assert "migration(s)" in stdout.decode()


async def test_it_gives_up_after_the_bound_with_a_clear_line(database_url):
    proxy = DatabaseProxy(database_url)
    await proxy.start()
    await proxy.cut()
    try:
        process = await migrate(proxy.url, 1)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        await proxy.close()
    assert process.returncode == 1
    assert "cannot start: the database did not answer within 1 s" in stderr.decode()
    assert "Traceback" not in stderr.decode()
