"""An older release starting against a database a newer release migrated (a rolling deploy,
an old worker restarted) leaves the newer release's SQL functions as they are; a rollback
puts its own back only when asked (`python -m server migrate --logic`)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sys
from collections.abc import AsyncIterator

import asyncpg
import pytest

from server.db.migrations import apply_migrations
from tests.conftest import PROJECT_ROOT, create_database, drop_database

NEWER_MIGRATION = "9999_from_a_newer_release"
# The newer release's body of a function in sql/logic.sql: here everyone is blocked, where
# this release's blocked_between(1, 2) is false for two accounts with no block.
NEWER_BODY = """
CREATE OR REPLACE FUNCTION blocked_between(a bigint, b bigint) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN true;
END
$$
"""


@pytest.fixture
async def database(admin_url) -> AsyncIterator[str]:
    name = f"reachout_newer_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    conn = await asyncpg.connect(url)
    try:
        await apply_migrations(conn)
        await conn.execute(NEWER_BODY)
    finally:
        await conn.close()
    yield url
    await drop_database(admin_url, name)


async def _newer_release_ran(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
            NEWER_MIGRATION,
            "0" * 64,
        )
    finally:
        await conn.close()


async def _blocked_between(url: str) -> bool:
    conn = await asyncpg.connect(url)
    try:
        return bool(await conn.fetchval("SELECT blocked_between(1, 2)"))
    finally:
        await conn.close()


async def test_an_older_release_starting_leaves_the_newer_releases_functions(database, caplog):
    await _newer_release_ran(database)
    conn = await asyncpg.connect(database)
    try:
        with caplog.at_level(logging.WARNING, logger="server.db.migrations"):
            assert await apply_migrations(conn) == []
    finally:
        await conn.close()
    assert await _blocked_between(database) is True
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(said) == 1, said
    assert "not applying sql/logic.sql" in said[0]
    assert NEWER_MIGRATION in said[0]
    assert "python -m server migrate --logic" in said[0]


async def test_a_migration_renamed_since_is_no_newer_release(database, caplog):
    """Review r57: a name recorded by a release that ran 0025_roster_tiers (renamed since)
    is not past this release's migrations: logic.sql is applied, as it always was."""
    conn = await asyncpg.connect(database)
    try:
        await conn.execute(
            "INSERT INTO schema_migrations (name, checksum) VALUES ('0025_roster_tiers', $1)",
            "0" * 64,
        )
        with caplog.at_level(logging.WARNING, logger="server.db.migrations"):
            assert await apply_migrations(conn) == []
    finally:
        await conn.close()
    assert await _blocked_between(database) is False
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


async def test_with_no_newer_migrations_logic_sql_is_applied_as_before(database, caplog):
    conn = await asyncpg.connect(database)
    try:
        with caplog.at_level(logging.WARNING, logger="server.db.migrations"):
            assert await apply_migrations(conn) == []
    finally:
        await conn.close()
    assert await _blocked_between(database) is False
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def _server(url: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "DATABASE_URL": url, "REACHOUT_ENV": "test", "SECRET_KEY": "m" * 40}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        *args,
        env=env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_rollback_puts_this_releases_functions_back_only_when_asked(database):
    await _newer_release_ran(database)

    code, out, err = await _server(database, "migrate")
    assert code == 0, (out, err)
    assert "none needed" in out
    assert "not applying sql/logic.sql" in err
    assert await _blocked_between(database) is True

    code, out, err = await _server(database, "migrate", "--logic")
    assert code == 0, (out, err)
    assert "applied sql/logic.sql" in out
    assert await _blocked_between(database) is False

    code, out, err = await _server(database, "web", "--logic")
    assert code == 2
    assert "--logic goes with migrate only" in err
