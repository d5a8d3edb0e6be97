"""Two retention workers deleting unclaimed guests at once (review of a397708): each picks
guests of its own (retention.unclaimed_guests takes forget_unclaimed_guest()'s try-lock in
the pick). Before, both picked the same first batch and then tried its locks: the second,
finding the first's batch taken, deleted none of it, and the rule stopped there (fewer
deleted than the batch: retention.py), leaving the rest a year past their time."""

from __future__ import annotations

import asyncpg

from tests.privacy.test_retention import account

BATCH = 2


async def test_a_second_worker_deletes_other_guests_while_the_first_batch_is_under_way(
    pool: asyncpg.Pool, app
) -> None:
    guests = [
        await account(pool, guest=True, email=f"guest{n}@example.com") for n in range(2 * BATCH)
    ]
    await pool.execute(
        "UPDATE accounts SET created_at = now() - $1::interval - interval '1 day'"
        " WHERE id = ANY($2)",
        app.state.settings.retain_guests,
        guests,
    )
    sql = app.state.sql
    keep = app.state.settings.retain_guests
    async with pool.acquire() as first, first.transaction():
        # The first worker's batch, deleted, not yet committed.
        assert await sql.run(first, "retention.unclaimed_guests", keep=keep, batch=BATCH) == BATCH
        # The second worker, meanwhile: a batch of its own, the guests the first left.
        assert await sql.run(pool, "retention.unclaimed_guests", keep=keep, batch=BATCH) == BATCH
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE guest") == 0
    assert await pool.fetchval("SELECT count(*) FROM cards") == 0
