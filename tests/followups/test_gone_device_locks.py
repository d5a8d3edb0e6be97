"""A device found gone while the worker queues the same follow-up's next round: two real
connections, the worker's queueing and the send's outcome (push_not_sent() in sql/logic.sql).
The outcome takes the follow-up before her reminders lock, in the queueing's order, so
neither waits for the other in a circle (one of them failing, a reminder lost)."""

from __future__ import annotations

import asyncio

from tests.mailing import confirm_addresses
from tests.reminders import make_due, running_worker, subscribe, swapped
from tests.waiting import until_waiting_for_lock


async def test_a_gone_device_while_the_next_round_is_queued_neither_fails(
    new_phone, pool, push, app
):
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push)
    await confirm_addresses(pool, "dana@example.com")
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
    # Her push is being sent (claimed) when she taps "Remind me again" for its next round.
    delivery = await pool.fetchval("UPDATE deliveries SET status = 'sending' RETURNING id")
    await pool.execute(
        "UPDATE followups SET round = round + 1, due_at = now()"
        " WHERE id = (SELECT followup_id FROM deliveries WHERE id = $1)",
        delivery,
    )
    sql = app.state.sql
    async with pool.acquire() as queueing, queueing.transaction():
        due = await sql.run(queueing, "deliveries.take_due", limit=100)
        owners = sorted({row["owner_id"] for row in due})
        assert len(due) == 1

        async def gone() -> None:
            async with pool.acquire() as sending, sending.transaction():
                await sending.execute("SELECT push_not_sent($1, 'gone', 410)", delivery)

        outcome = asyncio.create_task(gone())
        await until_waiting_for_lock(
            pool, "the outcome waiting for the queueing", held_by=queueing.get_server_pid()
        )
        # Her lock is free for the queueing (the outcome waits for the follow-up first).
        await asyncio.wait_for(sql.run(queueing, "deliveries.lock_owners", owners=owners), 10)
    await asyncio.wait_for(outcome, 10)
    assert await pool.fetchval("SELECT status FROM deliveries WHERE id = $1", delivery) == "gone"
    # The device is forgotten, and the reminder she missed is emailed (Automatic).
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
    emailed = "SELECT count(*) FROM emails WHERE kind = 'reminder' AND followup_id = $1"
    followup = await pool.fetchval("SELECT followup_id FROM deliveries WHERE id = $1", delivery)
    assert await pool.fetchval(emailed, followup) == 1
