"""Migration 0062: a request to connect declined between two people who are connected now was
settled by their swap. Left declined, it read as waiting again in its asker's "Sent by you"
once either removed the other; the migration settles those (accepted), and leaves the others
as they were."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import asyncpg

from server.db.migrations import MIGRATIONS_DIR, apply_migrations
from tests.conftest import create_database, drop_database

MIGRATION = "0062_settled_by_swap"


async def test_declined_requests_between_people_connected_now_are_settled(
    admin_url: str, tmp_path: Path
) -> None:
    name = f"reachout_settled_{secrets.token_hex(4)}"
    url = await create_database(admin_url, name)
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.stem < MIGRATION:
            shutil.copy(path, tmp_path / path.name)
    conn = await asyncpg.connect(url)
    try:
        # The shared functions (logic.sql) are written for the schema as it is now: not applied.
        await apply_migrations(conn, tmp_path, logic=None)
        ana, ben, cleo = [
            await conn.fetchval("INSERT INTO accounts DEFAULT VALUES RETURNING id")
            for _ in range(3)
        ]
        event = await conn.fetchval(
            "INSERT INTO events (organizer_id, name, starts_at, ends_at, time_zone, join_code)"
            " VALUES ($1, 'Mixer', now(), now() + interval '2 hours', 'UTC', 'ABCDEF')"
            " RETURNING id",
            ana,
        )
        # Ana declined Ben's request and Cleo's; she and Ben swapped since, Cleo she never met.
        await conn.execute(
            "INSERT INTO contacts (owner_id, contact_id) VALUES ($1, $2), ($2, $1)", ana, ben
        )
        declined = {}
        for asker in (ben, cleo):
            declined[asker] = await conn.fetchval(
                "INSERT INTO connect_requests (event_id, from_id, to_id, status, decided_at)"
                " VALUES ($1, $2, $3, 'declined', now() - interval '1 day') RETURNING id",
                event,
                asker,
                ana,
            )

        shutil.copy(MIGRATIONS_DIR / f"{MIGRATION}.sql", tmp_path)
        assert await apply_migrations(conn, tmp_path, logic=None) == [MIGRATION]
        status = dict(await conn.fetch("SELECT from_id, status FROM connect_requests"))
        assert status == {ben: "accepted", cleo: "declined"}
        settled_at = await conn.fetchval(
            "SELECT decided_at > now() - interval '1 minute' FROM connect_requests WHERE id = $1",
            declined[ben],
        )
        assert settled_at, "settled now, and kept as long as any request answered now"
    finally:
        await conn.close()
        await drop_database(admin_url, name)
