"""Retention deleting a guest card while its owner merges that very card into his account
(review H1). The merge holds the card's follow-ups, and the rest, before the card's account
(lock_merge() in sql/logic.sql); retention held the account first (FOR NO KEY UPDATE,
unclaimed_guests) and then, deleting it, waited for those follow-ups, while the merge waited
for the account: one of the two failed as a deadlock's victim, the merge with a 503 ("Reachout
is busy with this just now") to press again. Now retention holds the card last, as the merge
does (forget_unclaimed_guest()): it waits for the merge, then finds the card gone.

The merge is brought to the point where it holds the card's follow-ups by holding the
reminders lock of the account it merges into a moment, as a worker queueing its reminders
does; every connection looks for a deadlock 1 ms into a wait, so that a circle, if there were
one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from server.privacy.retention import Retention
from tests.phone import text_of
from tests.signin.test_guests import lou_offered_the_card_dana_typed
from tests.waiting import until_waiting_for_lock

# As a worker queueing reminders holds an owner's lock (deliveries.lock_owners).
HOLD_HIS_REMINDERS = "SELECT pg_advisory_xact_lock(hashtextextended('reminders:' || $1::bigint, 0))"


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_merging_the_card_dana_typed_while_retention_deletes_it_merges_it(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    laptop, guest, account = await lou_offered_the_card_dana_typed(new_phone, pool, mail, app)
    # A year on, never claimed: retention's to delete.
    await pool.execute(
        "UPDATE accounts SET created_at = now() - $1::interval - interval '1 day' WHERE id = $2",
        app.state.settings.retain_guests,
        guest,
    )
    retention = Retention(pool, app.state.sql, app.state.settings)
    async with pool.acquire() as worker, worker.transaction():
        await worker.execute(HOLD_HIS_REMINDERS, account)
        # The merge holds the card's follow-ups (and his), and waits for his reminders lock.
        merging = asyncio.create_task(
            laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "merge"})
        )
        await until_waiting_for_lock(pool, "the merge waiting", held_by=worker.get_server_pid())
        # Retention waits for the card's follow-ups the merge holds.
        deleting = asyncio.create_task(retention.run_once())
        await until_waiting_for_lock(pool, "retention waiting too", count=2)
    merged = await merging
    assert merged.status_code == 303, (merged.status_code, text_of(merged)[:300])
    assert merged.headers["location"] == laptop.url("contacts") + "?notice=merged"
    await deleting  # no deadlock's victim: done, the card gone with the merge
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", guest) == 0
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", account) == 1
    # What the card held is his now: Dana among his contacts.
    assert "Dana Lee" in text_of(await laptop.get(laptop.url("contacts")))
