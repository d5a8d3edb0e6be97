"""Forward-only migrations from ``sql/migrations``, then ``sql/logic.sql``, under an advisory lock.

Each applied migration is recorded with a checksum of its file; a file changed after it
was applied is refused (the databases that ran the old text would differ from new ones).
``sql/logic.sql`` holds the shared SQL functions (``CREATE OR REPLACE``) and is applied
at every start, so it always matches the code that is starting; except when the database
records migrations this code does not know: a newer release has run, and its functions stay
(an old process restarting mid-deploy would otherwise put old bodies back for every
process). Rolling back puts the old functions back on purpose: ``force_logic``
(``python -m server migrate --logic``).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import asyncpg

from server.config import PROJECT_ROOT
from server.db.pool import Connection

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "sql" / "migrations"
LOGIC_FILE = PROJECT_ROOT / "sql" / "logic.sql"
# Any fixed 64-bit number; every process that migrates takes the same lock.
MIGRATION_LOCK_ID = 7_325_118_004_221


class MigrationChanged(RuntimeError):
    """An applied migration's file no longer matches the checksum recorded for it."""


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def apply_migrations(
    conn: Connection,
    directory: Path = MIGRATIONS_DIR,
    logic: Path | None = LOGIC_FILE,
    *,
    force_logic: bool = False,
) -> list[str]:
    """Apply forward-only migrations not yet recorded, then ``logic`` (None: not, for a
    test of a migration on the schema as it was); returns the names of the migrations
    applied. ``logic`` is left out, with a warning, when a newer release has migrated the
    database, unless ``force_logic`` (a rollback, asked for).

    The session-level advisory lock makes concurrent starters wait, then see the
    migrations already recorded, so each one runs exactly once. Raises
    MigrationChanged, before applying anything, when an applied file was edited.
    """
    applied_now: list[str] = []
    paths = sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql"))  # noqa: ASYNC240 - a few files
    sums = {path.stem: checksum(path) for path in paths}
    logic_sql = logic.read_text() if logic else None  # noqa: ASYNC240 - one small file
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
    try:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text
            """
        )
        done = {
            row["name"]: row["checksum"]
            for row in await conn.fetch("SELECT name, checksum FROM schema_migrations")
        }
        await _check(conn, done, sums)
        for path in paths:
            if path.stem in done:
                continue
            async with conn.transaction():
                await conn.execute(path.read_text())
                await conn.execute(
                    "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                    path.stem,
                    sums[path.stem],
                )
            log.info("applied migration %s", path.stem)
            applied_now.append(path.stem)
        # Past this release's last migration: one below it that is gone was renamed or
        # removed since (_check lets it be), and says nothing of a newer release.
        last = max(sums, default="")
        newer = sorted(name for name in set(done) - set(sums) if name > last)
        if logic_sql is not None and newer and not force_logic:
            log.warning(
                "not applying sql/logic.sql: this database has migrations this release does "
                "not know (%s), so a newer release has run and its SQL functions stay; to "
                "roll back to this release's functions, run `python -m server migrate --logic`",
                ", ".join(newer),
            )
        elif logic_sql is not None:
            async with conn.transaction():
                await conn.execute(logic_sql)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
    return applied_now


async def apply_migrations_at(direct_url: str) -> list[str]:
    """``apply_migrations`` on a connection of its own to ``direct_url``, PostgreSQL itself
    (DATABASE_DIRECT_URL): the advisory lock is held by the session, and through a
    transaction pooler the lock, each migration and the unlock could each land on another
    server connection, leaving the lock held there and the next starter waiting for ever."""
    conn = await asyncpg.connect(direct_url, timeout=10)
    try:
        return await apply_migrations(conn)
    finally:
        await conn.close()


async def _check(conn: Connection, done: dict[str, str | None], sums: dict[str, str]) -> None:
    """Refuse edited migrations; record the checksum of those applied before checksums."""
    for name, recorded in sorted(done.items()):
        current = sums.get(name)
        if current is None:
            # Applied by a newer version of the code, or a file since removed: nothing
            # to compare with, and refusing would block rolling back a deploy.
            continue
        if recorded is None:
            # Recorded before checksums existed: trust the file as it is now.
            await conn.execute(
                "UPDATE schema_migrations SET checksum = $2 WHERE name = $1", name, current
            )
        elif recorded != current:
            raise MigrationChanged(
                f"migration {name}.sql was changed after it was applied to this database "
                f"(checksum {recorded[:12]} then, {current[:12]} now); restore it and put "
                "the change in a new migration"
            )
