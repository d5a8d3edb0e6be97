"""Migration 0067: a push subscription whose session is gone (deleted by retention, its
session_id set to NULL, or made before sessions had ids) is deleted: that browser is signed
out, and nothing could sign it out or list it. One whose session is there stays, and from
then on goes when its session is deleted."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import asyncpg

from server.db.migrations import MIGRATIONS_DIR, apply_migrations
from tests.conftest import create_database, drop_database

MIGRATION = "0067_subscriptions_end_with_their_session"


async def subscription(conn: asyncpg.Connection, account: int, session: int | None) -> int:
    endpoint = f"https://push.example.com/{secrets.token_hex(8)}"
    subscription_id: int = await conn.fetchval(
        "INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth, session_id)"
        " VALUES ($1, $2, 'key', 'auth', $3) RETURNING id",
        account,
        endpoint,
        session,
    )
    return subscription_id


async def test_subscriptions_without_a_session_go_and_the_rest_go_with_theirs(
    admin_url: str, tmp_path: Path
) -> None:
    name = f"reachout_subs_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.stem < MIGRATION:
            shutil.copy(path, tmp_path / path.name)
    conn = await asyncpg.connect(url)
    try:
        # The shared functions (logic.sql) are written for the schema as it is now: not applied.
        await apply_migrations(conn, tmp_path, logic=None)
        dana = await conn.fetchval("INSERT INTO accounts DEFAULT VALUES RETURNING id")
        laptop, phone = [
            await conn.fetchval(
                "INSERT INTO sessions (token_hash, account_id) VALUES ($1, $2) RETURNING id",
                secrets.token_bytes(32),
                dana,
            )
            for _ in range(2)
        ]
        on_laptop = await subscription(conn, dana, laptop)
        on_phone = await subscription(conn, dana, phone)
        before_ids = await subscription(conn, dana, None)  # made before migration 0010
        # Retention deletes the laptop's session, unused for 400 days: kept, with no session.
        await conn.execute("DELETE FROM sessions WHERE id = $1", laptop)
        assert await conn.fetchval(
            "SELECT session_id IS NULL FROM push_subscriptions WHERE id = $1", on_laptop
        )

        shutil.copy(MIGRATIONS_DIR / f"{MIGRATION}.sql", tmp_path)
        assert await apply_migrations(conn, tmp_path, logic=None) == [MIGRATION]
        left = {row["id"] for row in await conn.fetch("SELECT id FROM push_subscriptions")}
        assert left == {on_phone}, (on_laptop, before_ids)
        # From now on a session's subscription goes with it.
        await conn.execute("DELETE FROM sessions WHERE id = $1", phone)
        assert await conn.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    finally:
        await conn.close()
        await drop_database(admin_url, name)
