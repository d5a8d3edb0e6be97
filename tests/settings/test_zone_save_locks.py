"""A new time zone saved while a worker queues her reminders: the worker locks her waiting
summaries (step 3 of Worker.enqueue_due: her summary pushes, then her summary emails) and the
save moves the same rows. Both lock them in one order, so neither fails: the save waits for
the worker, which goes on and commits, and the save then moves the summaries."""

from __future__ import annotations

import asyncio

import pytest

from tests.followups.test_flood import zone_where_it_is
from tests.settings.test_zone_moves_queued import (
    SUMMARIES,
    at_nine_tomorrow_in,
    moves_to,
    summaries_held_for_the_morning,
    timed,
)
from tests.waiting import until_waiting_for_lock

HER_SUMMARY_PUSHES = (
    "SELECT id FROM deliveries WHERE summary_account_id = 1 AND status = 'queued' FOR UPDATE"
)
HER_SUMMARY_EMAILS = (
    "SELECT id FROM emails WHERE account_id = 1 AND kind = 'summary' AND status = 'queued'"
    " FOR UPDATE"
)


@pytest.mark.parametrize("owner_locked", [True, False], ids=["owner-locked", "rows-only"])
async def test_a_save_while_a_worker_locks_her_summaries_waits_and_neither_fails(
    new_phone, pool, app, push, mail, owner_locked: bool
):
    # owner-locked: the worker as it runs (step 2, her reminders lock, before step 3);
    # rows-only: anything else holding her summary pushes, then asking for her emails.
    dana, _ = await summaries_held_for_the_morning(new_phone, pool, app, push, mail)
    new_zone = zone_where_it_is(14)
    async with pool.acquire() as worker:
        async with worker.transaction():
            if owner_locked:
                await app.state.sql.run(worker, "deliveries.lock_owners", owners=[1])
            await worker.execute(HER_SUMMARY_PUSHES)
            save = asyncio.create_task(moves_to(dana, new_zone))
            await until_waiting_for_lock(
                pool, "her save waiting for the worker", held_by=worker.get_server_pid()
            )
            assert not save.done()  # waiting for the worker
            # The worker is not held up by her save in turn (a deadlock: one of them fails).
            await asyncio.wait_for(worker.execute(HER_SUMMARY_EMAILS), timeout=10)
        await asyncio.wait_for(save, timeout=10)  # Save answered 303
    for goes in (await timed(pool, SUMMARIES, 1)).values():
        assert at_nine_tomorrow_in(new_zone, goes)
