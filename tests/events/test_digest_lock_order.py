"""The digest worker queueing an attendee's digest while she deletes her account (review H1).
The worker holds her attendee row and the event (FOR SHARE), then inserts her digest keyed to
her account (deliveries.enqueue_digests); the deleting held her account first and then
updated the event (its departed count) and reached her attendee row by its cascade: each
waited for the other, in a circle, and one of the two failed as a deadlock's victim (the
worker's batch rolled back, or her deleting a 503, "Reachout is busy with this just now").
Now the deleting holds the events she attended and her attendee rows before her account
(hold_to_delete() in sql/logic.sql): a batch under way is waited for, and one begun after
skips her (SKIP LOCKED); no digest is left for an account that went.

The worker is held mid-batch by holding her phone's push subscription a moment (its insert
checks that key); every connection looks for a deadlock 1 ms into a wait, so that a circle, if
there were one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.events.test_routes import attendee, organizer_with_event
from tests.phone import text_of
from tests.reminders import event_ended, running_worker, subscribe
from tests.waiting import until_waiting_for_lock

HOLD_HER_DEVICE = "SELECT 1 FROM push_subscriptions WHERE account_id = $1 FOR UPDATE"


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_her_digest_queued_while_she_deletes_her_account_both_done(
    new_phone: Any, pool: asyncpg.Pool, push: Any, app: Any
) -> None:
    olga, event_id = await organizer_with_event(new_phone)
    # No confirmed address, no passkey: typing "delete" confirms.
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    olga_phone = await subscribe(olga, push)
    await subscribe(ana, push)
    account = await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Ana Silva'")
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        async with pool.acquire() as device, device.transaction():
            await device.execute(HOLD_HER_DEVICE, account)
            # The worker holds her attendee row and the event, and waits for her device.
            queueing = asyncio.create_task(worker.enqueue_digests())
            await until_waiting_for_lock(
                pool, "the worker waiting for her device", held_by=device.get_server_pid()
            )
            deleting = asyncio.create_task(
                ana.post(ana.url("delete_account_confirm"), {"confirm": "delete"})
            )
            await until_waiting_for_lock(pool, "the deleting waiting too", count=2)
        gone = await deleting
        assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
        assert gone.headers["location"] == ana.url("home") + "?notice=account_deleted"
        await queueing  # no deadlock's victim
        assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", account) == 0
        # Olga's digest goes as ever; nothing is left queued for Ana.
        await worker.run_once()
    [digest] = push.received_for(olga_phone)
    assert "Who did you miss" in digest.json()["title"]
    assert (
        await pool.fetchval("SELECT count(*) FROM event_attendees WHERE event_id = $1", event_id)
        == 1
    )
