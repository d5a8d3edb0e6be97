"""Database access: the asyncpg pool, migrations under an advisory lock, named queries."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from server.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "sql" / "migrations"
QUERIES_DIR = PROJECT_ROOT / "sql" / "queries"
# Any fixed 64-bit number; every process that migrates takes the same lock.
MIGRATION_LOCK_ID = 7_325_118_004_221
# What a query runs on: a plain connection or one borrowed from the pool.
Connection = asyncpg.Connection | PoolConnectionProxy
_NAME_HEADER = re.compile(r"^-- name: ([a-z_]+)\s*$", re.MULTILINE)


async def _reset(conn: asyncpg.Connection) -> None:
    # The app keeps no session state (no SET, LISTEN, cursors or advisory locks held
    # past a call), so asyncpg's default RESET ALL round trip on every release is
    # waste; only a transaction left open by a cancelled request needs undoing.
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=30,
        max_inactive_connection_lifetime=300,
        reset=_reset,
    )
    assert pool is not None
    return pool


async def apply_migrations(conn: Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply forward-only migrations not yet recorded; returns the names applied.

    The session-level advisory lock makes concurrent starters wait, then see the
    migrations already recorded, so each one runs exactly once.
    """
    applied_now: list[str] = []
    paths = sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql"))  # noqa: ASYNC240 - a few files
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
    try:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        done = {row["name"] for row in await conn.fetch("SELECT name FROM schema_migrations")}
        for path in paths:
            if path.stem in done:
                continue
            async with conn.transaction():
                await conn.execute(path.read_text())
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", path.stem)
            log.info("applied migration %s", path.stem)
            applied_now.append(path.stem)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
    return applied_now


class Queries(Mapping[str, str]):
    """Named SQL from ``sql/queries/<resource>.sql``, looked up as ``"resource.name"``.

    Each query starts with a ``-- name: <name>`` header; the comment lines under
    it say what it does.
    """

    def __init__(self, directory: Path = QUERIES_DIR) -> None:
        self._sql: dict[str, str] = {}
        for path in sorted(directory.glob("*.sql")):
            text = path.read_text()
            headers = list(_NAME_HEADER.finditer(text))
            for header, following in zip(headers, [*headers[1:], None], strict=True):
                end = following.start() if following else len(text)
                key = f"{path.stem}.{header.group(1)}"
                if key in self._sql:
                    raise ValueError(f"query {key} is defined twice")
                self._sql[key] = text[header.end() : end].strip()

    def __getitem__(self, key: str) -> str:
        return self._sql[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._sql)

    def __len__(self) -> int:
        return len(self._sql)
