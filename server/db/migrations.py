"""Forward-only migrations from ``sql/migrations``, applied under an advisory lock."""

from __future__ import annotations

import logging
from pathlib import Path

from server.db.pool import Connection
from server.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "sql" / "migrations"
# Any fixed 64-bit number; every process that migrates takes the same lock.
MIGRATION_LOCK_ID = 7_325_118_004_221


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
