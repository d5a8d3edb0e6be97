"""Migration 0062: a request to connect declined between two people who are connected now was
settled by their swap. Left declined, it read as waiting again in its asker's "Sent by you"
once either removed the other; the migration settles those (accepted), and leaves the others
as they were."""

from __future__ import annotations

from pathlib import Path

from tests.db.one_migration import apply_migration, migrated_before

MIGRATION = "0062_settled_by_swap"


async def test_declined_requests_between_people_connected_now_are_settled(
    admin_url: str, tmp_path: Path
) -> None:
    async with migrated_before(admin_url, tmp_path, MIGRATION) as conn:
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

        assert await apply_migration(conn, tmp_path, MIGRATION) == [MIGRATION]
        status = dict(await conn.fetch("SELECT from_id, status FROM connect_requests"))
        assert status == {ben: "accepted", cleo: "declined"}
        settled_at = await conn.fetchval(
            "SELECT decided_at > now() - interval '1 minute' FROM connect_requests WHERE id = $1",
            declined[ben],
        )
        assert settled_at, "settled now, and kept as long as any request answered now"
