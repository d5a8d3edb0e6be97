"""Migration 0067: a push subscription whose session is gone (deleted by retention, its
session_id set to NULL, or made before sessions had ids) is deleted: that browser is signed
out, and nothing could sign it out or list it. One whose session is there stays, and from
then on goes when its session is deleted."""

from __future__ import annotations

import secrets
from pathlib import Path

import asyncpg

from tests.db.one_migration import apply_migration, migrated_before

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
    async with migrated_before(admin_url, tmp_path, MIGRATION) as conn:
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

        assert await apply_migration(conn, tmp_path, MIGRATION) == [MIGRATION]
        left = {row["id"] for row in await conn.fetch("SELECT id FROM push_subscriptions")}
        assert left == {on_phone}, (on_laptop, before_ids)
        # From now on a session's subscription goes with it.
        await conn.execute("DELETE FROM sessions WHERE id = $1", phone)
        assert await conn.fetchval("SELECT count(*) FROM push_subscriptions") == 0
