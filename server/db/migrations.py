"""Forward-only migrations from ``sql/migrations``, then ``sql/logic.sql``, under an advisory lock.

Each applied migration is recorded with a checksum of its file; a file changed after it
was applied is refused (the databases that ran the old text would differ from new ones).
``sql/logic.sql`` holds the shared SQL functions (``CREATE OR REPLACE``) and is applied
at every start, so it always matches the code that is starting; except when the database
records migrations this code does not know: a newer release has run, and its functions stay
(an old process restarting mid-deploy would otherwise put old bodies back for every
process). Rolling back puts the old functions back on purpose: ``force_logic``
(``python -m server migrate --logic``).

Nothing is written when nothing needs to be: a process can start while the database is
read-only (a standby after a failover, a managed database whose storage filled up) when no
migration is pending and ``sql/logic.sql`` is the one last applied (its checksum is kept in
``schema_logic``). Writable, it is applied as always, putting back functions altered by hand.
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


# What the migrations keep of themselves, and of the last sql/logic.sql applied.
BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text;
CREATE TABLE IF NOT EXISTS schema_logic (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""
BOOKKEEPING_THERE = """
SELECT to_regclass('schema_logic') IS NOT NULL AND EXISTS (
    SELECT FROM pg_attribute
    WHERE attrelid = to_regclass('schema_migrations') AND attname = 'checksum'
        AND NOT attisdropped
)
"""


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
        # Even IF NOT EXISTS is refused by a read-only database: only when something is missing.
        if not await conn.fetchval(BOOKKEEPING_THERE):
            await conn.execute(BOOKKEEPING)
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
            logic_sum = hashlib.sha256(logic_sql.encode()).hexdigest()
            read_only = await conn.fetchval("SELECT current_setting('transaction_read_only')")
            kept = await conn.fetchval("SELECT checksum FROM schema_logic")
            if read_only == "on" and kept == logic_sum and not (applied_now or force_logic):
                log.info("the database is read-only; sql/logic.sql is as last applied there")
            else:
                async with conn.transaction():
                    await conn.execute(logic_sql)
                    await conn.execute(
                        "INSERT INTO schema_logic (checksum) VALUES ($1) ON CONFLICT (one)"
                        " DO UPDATE SET checksum = excluded.checksum, applied_at = now()",
                        logic_sum,
                    )
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
