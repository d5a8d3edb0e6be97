"""Short, renewed leases: a living worker keeps its deliveries, a dead one's go to another
worker within seconds, and two workers never both send one delivery."""

from __future__ import annotations

import asyncio
import time

from tests.reminders import make_due, running_worker, sharers_with_phones


async def held_by(pool) -> set[str | None]:
    return {r["leased_by"] for r in await pool.fetch("SELECT leased_by FROM deliveries")}


async def test_a_renewed_lease_keeps_another_worker_off(new_phone, pool, push, app):
    devices = await sharers_with_phones(new_phone, push, 3)
    await make_due(pool)
    async with (
        running_worker(app, push, lease_seconds=2) as one,
        running_worker(app, push, lease_seconds=2) as two,
    ):
        await one.enqueue_due()
        assert len(await one.leases.claim(10)) == 3  # the worker is "mid-batch"
        for _ in range(8):  # four seconds: twice the lease, renewed every half second
            await asyncio.sleep(0.5)
            await one.leases.renew()
        assert await two.run_once() == 0, "the other worker took deliveries still held"
    assert await held_by(pool) == {one.name}
    assert all(not push.received_for(device) for device in devices)


async def test_a_lapsed_lease_goes_to_another_worker_and_its_first_holder_lets_go(
    new_phone, pool, push, app
):
    devices = await sharers_with_phones(new_phone, push, 3)
    await make_due(pool)
    async with (
        running_worker(app, push, lease_seconds=2) as one,
        running_worker(app, push, lease_seconds=2) as two,
    ):
        await one.enqueue_due()
        assert len(await one.leases.claim(10)) == 3  # then it stops renewing
        await asyncio.sleep(2.2)
        started = time.monotonic()
        assert await two.run_once() == 3
        await one.leases.renew()  # the first worker comes back: nothing is its own any more
        assert await one.run_once() == 0
    assert time.monotonic() - started < 2
    assert [len(push.received_for(device)) for device in devices] == [1, 1, 1]
    assert await held_by(pool) == {two.name}
    assert await pool.fetchval("SELECT count(*) FROM deliveries WHERE status = 'sent'") == 3


async def test_a_send_never_outlasts_its_lease(new_phone, pool, push, app):
    """A push service that holds the request longer than the lease: the worker gives up on
    it before the lease ends (and tries again later), so no other worker can be sending it
    at the same moment."""
    await sharers_with_phones(new_phone, push, 1)
    await make_due(pool)
    push.hold()
    try:
        # A lease of 4 s: the send must end 0.4 s before it runs out, time enough for a busy
        # machine's event loop to notice the hang-up (at 2 s, 0.2 s was once too little).
        async with running_worker(app, push, lease_seconds=4) as worker:
            sending = asyncio.create_task(worker.run_once())
            await push.wait_for_held(1)
            # The lease as the database holds it (what another worker's claim goes by), and
            # when the worker hung up on the push service: the claim before and the record
            # after are not the send (timing the whole pass once read 2.02 s under load).
            lease_until = await pool.fetchval(
                "SELECT extract(epoch FROM lease_until)::float8 FROM deliveries"
            )
            await push.wait_for_held(0, timeout=5)
            hung_up_at = time.time()
            await sending
    finally:
        push.release()
    assert hung_up_at < lease_until, f"the send went on {hung_up_at - lease_until:.2f} s too long"
    row = await pool.fetchrow("SELECT status, lease_until, last_error FROM deliveries")
    assert row["status"] == "queued" and row["lease_until"] is None
    assert "Timeout" in row["last_error"]
