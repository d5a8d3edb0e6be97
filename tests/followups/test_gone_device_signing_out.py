"""A push service answers that a device is gone just as that phone signs out: two real
connections, the send's outcome (push_not_sent() in sql/logic.sql) and the sign-out
(sessions.revoke). Signing out deletes the phone's push subscription, whose pushes then lose
it; the outcome marks the push and deletes the same subscription. The outcome takes the
subscription before the push, as the sign-out does, so neither waits for the other in a
circle (one of them failing: a 500 on Sign out, or a reminder's outcome lost)."""

from __future__ import annotations

import asyncio

from tests.mailing import confirm_addresses
from tests.reminders import make_due, running_worker, subscribe, swapped
from tests.waiting import until_waiting_for_lock


async def test_a_gone_device_signing_out_at_that_moment_neither_fails(new_phone, pool, push, app):
    dana, _ = await swapped(new_phone)
    await subscribe(dana, push)
    await confirm_addresses(pool, "dana@example.com")
    await make_due(pool)
    async with running_worker(app, push) as worker:
        await worker.enqueue_due()
    delivery = await pool.fetchval("UPDATE deliveries SET status = 'sending' RETURNING id")
    async with pool.acquire() as other:
        # Her push is held a moment by another transaction (a merge's lock_merge() holds her
        # pushes waiting or being sent) when the push service's 410 comes back.
        held = other.transaction()
        await held.start()
        await other.execute("SELECT 1 FROM deliveries WHERE id = $1 FOR UPDATE", delivery)

        async def gone() -> None:
            async with pool.acquire() as sending, sending.transaction():
                await sending.execute("SELECT push_not_sent($1, 'gone', 410)", delivery)

        outcome = asyncio.create_task(gone())
        await until_waiting_for_lock(
            pool, "the outcome waiting for her push", held_by=other.get_server_pid()
        )
        assert not outcome.done()
        # She taps Sign out on that phone meanwhile.
        sign_out = asyncio.create_task(dana.post(dana.url("sign_out"), {}))
        # For the subscription the outcome holds, or (taking them the other way round) for
        # her push: either way, a second wait.
        await until_waiting_for_lock(pool, "the sign-out waiting too", count=2)
        assert not sign_out.done()
        await held.rollback()
        await asyncio.wait_for(outcome, 10)
        signed_out = await asyncio.wait_for(sign_out, 10)
    assert signed_out.status_code == 200, signed_out.text
    assert "clear-site-data" in signed_out.headers
    assert await pool.fetchval("SELECT status FROM deliveries WHERE id = $1", delivery) == "gone"
    assert await pool.fetchval("SELECT count(*) FROM push_subscriptions") == 0
