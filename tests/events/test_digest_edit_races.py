"""An organizer puts the event's end right at the moment the worker is busy with its digests
(another process, sharing only PostgreSQL): each digest still goes once, after the real end.
The worker's statements are held open on a connection of their own, as a worker mid-batch
holds them, while the edit is saved from Olga's phone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.events.test_digest_after_the_real_end import later
from tests.events.test_routes import attendee, event_form, organizer_with_event
from tests.reminders import event_ended, running_worker, subscribe

QUEUED_AT = (
    "SELECT digest_queued_at FROM event_attendees JOIN cards USING (account_id)"
    " WHERE name = 'Ana Silva'"
)


async def test_a_digest_being_claimed_as_the_end_moves_goes_once(new_phone, pool, push, app):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ana_phone = await subscribe(ana, push)
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 2
    async with pool.acquire() as claimer:
        claiming = claimer.transaction()
        await claiming.start()
        # A worker claims Ana's digest (it will be sent) just as Olga saves a later end.
        [claimed] = await app.state.sql.run(
            claimer, "deliveries.claim", limit=10, lease_seconds=60, worker="other"
        )
        saving = asyncio.create_task(
            olga.post(olga.url("event_update", event_id=event_id), event_form(ends_at=later(2)))
        )
        await asyncio.sleep(0.3)
        await claiming.commit()
        assert (await saving).status_code == 303
    await pool.execute(
        "UPDATE deliveries SET status = 'sent', sent_at = now() WHERE id = $1", claimed["id"]
    )
    # Hers is on its way: she is not queued again after the new end.
    assert await pool.fetchval(QUEUED_AT) is not None
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 0
        await worker.run_once()
    assert push.received_for(ana_phone) == [], "the one claimed was the one she gets"


async def test_a_batch_being_queued_as_the_end_moves_is_moved_too(new_phone, pool, push, app):
    olga, event_id = await organizer_with_event(new_phone)
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ana_phone = await subscribe(ana, push)
    await event_ended(pool)
    async with pool.acquire() as enqueuer:
        batch = enqueuer.transaction()
        await batch.start()
        # The worker queues the digests by the end typed too early...
        taken = await app.state.sql.run(
            enqueuer, "deliveries.enqueue_digests", limit=100, delay_seconds=0
        )
        assert taken == 2
        # ...as Olga saves the real one: the save waits for that batch, then moves it.
        saving = asyncio.create_task(
            olga.post(olga.url("event_update", event_id=event_id), event_form(ends_at=later(2)))
        )
        await asyncio.sleep(0.3)
        await batch.commit()
        assert (await saving).status_code == 303
    assert await pool.fetchval(QUEUED_AT) is None
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 0  # not over yet
        await worker.run_once()
    assert push.received_for(ana_phone) == [], "no digest while the event still runs"
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 1
        await worker.run_once()
    [digest] = push.received_for(ana_phone)
    assert "Who did you miss" in digest.json()["title"]


async def test_digests_wait_while_the_organizer_saves_an_edit(new_phone, pool, push, app):
    _, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Ana Silva")
    await event_ended(pool)
    real_end = datetime.now(UTC) + timedelta(hours=2)
    async with pool.acquire() as organizer:
        saving = organizer.transaction()
        await saving.start()
        # Olga's save of the real end holds the event (its row lock), and is not done yet.
        await organizer.execute("UPDATE events SET ends_at = $1 WHERE id = $2", real_end, event_id)
        async with running_worker(app, push, digest_delay_seconds=0) as worker:
            assert await worker.enqueue_digests() == 0, "not by the end being put right"
        await saving.commit()
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 0  # the event runs two more hours
    assert await pool.fetchval(QUEUED_AT) is None
