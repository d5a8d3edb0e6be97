"""Migrations: applied at start-up under an advisory lock, each exactly once."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import sys
from collections.abc import AsyncIterator

import asyncpg
import pytest

from server.db.migrations import MIGRATIONS_DIR, MigrationChanged, apply_migrations, checksum
from tests.conftest import PROJECT_ROOT, create_database, drop_database


async def test_two_processes_starting_at_once_apply_each_migration_once(admin_url):
    name = f"reachout_migrate_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    try:
        env = {**os.environ, "DATABASE_URL": url, "REACHOUT_ENV": "test", "SECRET_KEY": "m" * 40}
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "server",
                "migrate",
                env=env,
                cwd=PROJECT_ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(3)
        ]
        outputs = [await process.communicate() for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], outputs
        said = sorted(out.decode() for out, _ in outputs)
        assert sum("none needed" in line for line in said) == 2, said

        conn = await asyncpg.connect(url)
        try:
            names = [r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")]
            files = sorted(p.stem for p in (PROJECT_ROOT / "sql" / "migrations").glob("*.sql"))
            assert sorted(names) == files
            assert await conn.fetchval("SELECT count(*) FROM cards") == 0
        finally:
            await conn.close()
    finally:
        await drop_database(admin_url, name)


def test_every_named_query_is_used_by_the_code(app):
    source = "\n".join(p.read_text() for p in (PROJECT_ROOT / "server").rglob("*.py"))
    # server/db/leases.py runs <outbox>.claim, .renew and .release for each Leases(...) made.
    outboxes = re.findall(r'Leases\([^)]*?"(\w+)"', source)
    leased = {f"{outbox}.{name}" for outbox in outboxes for name in ("claim", "renew", "release")}
    unused = [key for key in app.state.sql if f'"{key}"' not in source and key not in leased]
    assert unused == []
    assert sorted(outboxes) == ["deliveries", "mail"]


@pytest.fixture
async def database(admin_url) -> AsyncIterator[str]:
    name = f"reachout_migrate_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    yield url
    await drop_database(admin_url, name)


async def test_an_applied_migration_that_was_edited_is_refused_by_name(database, tmp_path):
    for path in MIGRATIONS_DIR.glob("*.sql"):
        shutil.copy(path, tmp_path / path.name)
    conn = await asyncpg.connect(database)
    try:
        await apply_migrations(conn, tmp_path)
        edited = tmp_path / "0002_followups_push.sql"
        edited.write_text(edited.read_text() + "\n-- an afterthought\n")
        with pytest.raises(MigrationChanged, match=r"migration 0002_followups_push\.sql was"):
            await apply_migrations(conn, tmp_path)
        # A new migration next to the edited one is not applied either.
        (tmp_path / "9999_more.sql").write_text("CREATE TABLE more (id int);")
        with pytest.raises(MigrationChanged):
            await apply_migrations(conn, tmp_path)
        assert await conn.fetchval("SELECT to_regclass('more')") is None
    finally:
        await conn.close()


async def test_checksums_of_migrations_applied_before_them_are_filled_in(database):
    conn = await asyncpg.connect(database)
    try:
        await apply_migrations(conn)
        # As a database migrated by the code before checksums looks.
        await conn.execute("ALTER TABLE schema_migrations DROP COLUMN checksum")
        assert await apply_migrations(conn) == []
        recorded = dict(await conn.fetch("SELECT name, checksum FROM schema_migrations"))
        expected = {path.stem: checksum(path) for path in MIGRATIONS_DIR.glob("*.sql")}
        assert recorded == expected
    finally:
        await conn.close()


async def test_logic_sql_is_applied_again_at_every_start(database):
    conn = await asyncpg.connect(database)
    try:
        await apply_migrations(conn)
        await conn.execute("DROP FUNCTION blocked_between(bigint, bigint)")
        assert await apply_migrations(conn) == []
        assert await conn.fetchval("SELECT blocked_between(1, 2)") is False
        # current_event has one definition left, callable with or without a moment.
        assert (
            await conn.fetchval("SELECT count(*) FROM pg_proc WHERE proname = 'current_event'") == 1
        )
        assert await conn.fetchval("SELECT current_event(1)") is None
    finally:
        await conn.close()


async def test_migrate_command_stops_with_one_line_naming_the_edited_file(database):
    conn = await asyncpg.connect(database)
    try:
        await apply_migrations(conn)
        await conn.execute(
            "UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE name = $1",
            "0003_events",
        )
    finally:
        await conn.close()
    env = {**os.environ, "DATABASE_URL": database, "REACHOUT_ENV": "test", "SECRET_KEY": "m" * 40}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "migrate",
        env=env,
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    assert process.returncode == 1
    assert "cannot start: migration 0003_events.sql was changed" in stderr.decode()
    assert "Traceback" not in stderr.decode()
