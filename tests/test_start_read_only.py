"""Starting while the database is read-only (a standby after a failover, a managed database
whose storage filled up): migrations write nothing when nothing is pending, so the process
starts; with a migration pending it waits for a writable database, then says so in one line.
A form sent meanwhile gets "Back in a moment" (503), not a 500."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import asyncpg
import httpx

from server.app import create_app
from server.db.pool import create_pool
from tests.conftest import (
    PROJECT_ROOT,
    TEST_SECRET,
    create_database,
    drop_database,
    separate_app,
    with_database,
)
from tests.phone import text_of


@asynccontextmanager
async def read_only(url: str) -> AsyncIterator[None]:
    """New sessions of the database at ``url`` are read-only, as on a standby; restored
    after, by a session opened before (a read-only one may not)."""
    conn = await asyncpg.connect(url)
    try:
        name = await conn.fetchval("SELECT current_database()")
        await conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        try:
            yield
        finally:
            await conn.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    finally:
        await conn.close()


async def migrate(url: str) -> tuple[int, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REACHOUT_ENV": "test",
        "SECRET_KEY": TEST_SECRET,
        "DATABASE_WAIT_SECONDS": "2",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "migrate",
        env=env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_a_process_starts_while_the_migrated_database_is_read_only(database_url, app):
    async with read_only(database_url):
        code, said = await migrate(database_url)
    assert (code, said.strip().splitlines()[-1:]) == (0, ["applied 0 migration(s): none needed"])
    assert "Traceback" not in said


async def test_pending_migrations_on_a_read_only_database_stop_the_start_in_one_line(admin_url):
    name = f"reachout_read_only_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    try:
        async with read_only(url):
            code, said = await migrate(url)
    finally:
        await drop_database(admin_url, name)
    assert code == 1
    assert "reachout: waiting for the database" in said
    assert "reachout: cannot start: the database did not answer within 2 s" in said
    assert "read-only transaction" in said
    assert "Traceback" not in said


async def test_a_form_sent_while_the_database_is_read_only_is_back_in_a_moment(admin_url, tmp_path):
    async with separate_app(admin_url, tmp_path) as (app, name):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            headers = {"sec-fetch-site": "same-origin"}
            made = await client.post("/card", data={"name": "Ana"}, headers=headers)
            assert made.status_code == 303
            async with read_only(with_database(admin_url, name)):
                await app.state.pool.expire_connections()  # made again: read-only
                saved = await client.post("/card", data={"name": "Ana Lima"}, headers=headers)
                assert saved.status_code == 503
                assert "Back in a moment" in text_of(saved)
                assert saved.headers["retry-after"] == "5"
                htmx = await client.post(
                    "/card", data={"name": "Ana Lima"}, headers={**headers, "HX-Request": "true"}
                )
                assert htmx.status_code == 503
                assert "can't reach our database" in text_of(htmx)
                # Reading still works meanwhile.
                assert (await client.get("/card")).status_code == 200


async def test_a_web_process_starts_and_reads_while_the_database_is_read_only(admin_url, tmp_path):
    # Started once (its push key made and kept), the database then turns read-only: a web
    # process starting now (a new machine, a restart) serves pages, as one already running
    # does; it used to stop at start, writing the push key again.
    async with separate_app(admin_url, tmp_path) as (first, name):
        url = with_database(admin_url, name)
        async with read_only(url):
            again = create_app(replace(first.state.settings))
            async with again.router.lifespan_context(again):
                transport = httpx.ASGITransport(app=again)
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                    assert (await client.get("/card")).status_code == 200
                key = again.state.vapid.application_server_key
            assert key == first.state.vapid.application_server_key


async def test_a_read_only_database_does_not_cost_a_connection_a_query(admin_url):
    # Connections made while it is read-only are replaced to find out when it is writable
    # again, but not at every release: 50 reads in a row keep a pool, not 50 connections.
    name = f"reachout_read_only_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    try:
        async with read_only(url):
            pool = await create_pool(url, max_size=10, application_name="read-only pool")
            try:
                backends = set()
                for _ in range(50):
                    async with pool.acquire() as conn:
                        backends.add(await conn.fetchval("SELECT pg_backend_pid()"))
            finally:
                await pool.close()
    finally:
        await drop_database(admin_url, name)
    assert len(backends) <= 2
