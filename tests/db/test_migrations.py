"""Migrations: applied at start-up under an advisory lock, each exactly once."""

from __future__ import annotations

import asyncio
import os
import secrets
import sys

import asyncpg

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
    unused = [key for key in app.state.sql if f'"{key}"' not in source]
    assert unused == []
