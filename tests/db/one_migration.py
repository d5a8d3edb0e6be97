"""A test of one migration's data change: a new database migrated up to just before it, with
rows written as that schema takes them, then the migration alone applied."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from server.db.migrations import MIGRATIONS_DIR, apply_migrations
from tests.conftest import create_database, drop_database


@asynccontextmanager
async def migrated_before(
    admin_url: str, folder: Path, migration: str
) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a new database with every migration before ``migration`` (its file's
    stem) applied, from copies in ``folder``; dropped afterwards."""
    name = f"reachout_migration_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.stem < migration:
            shutil.copy(path, folder / path.name)
    conn = await asyncpg.connect(url)
    try:
        # The shared functions (logic.sql) are written for the schema as it is now: not applied.
        await apply_migrations(conn, folder, logic=None)
        yield conn
    finally:
        await conn.close()
        await drop_database(admin_url, name)


async def apply_migration(conn: asyncpg.Connection, folder: Path, migration: str) -> list[str]:
    """``migration`` applied to the database ``migrated_before`` made; the names applied."""
    shutil.copy(MIGRATIONS_DIR / f"{migration}.sql", folder)
    return await apply_migrations(conn, folder, logic=None)
