"""Someone who joins after the event's end (joining stays open after it) saw who was there
as they joined: no "Who did you miss?" seconds later. Those who were there get theirs."""

from __future__ import annotations

from tests.events.test_routes import attendee, organizer_with_event
from tests.reminders import event_ended, running_worker, subscribe


async def test_who_joins_after_the_end_gets_no_digest(new_phone, pool, push, app):
    _, event_id = await organizer_with_event(new_phone)
    ben = await attendee(new_phone, pool, event_id, "Ben Ode")
    ben_phone = await subscribe(ben, push)
    await event_ended(pool)
    # Joining stays open after the end: Ana comes in late, and sees who was there.
    ana = await attendee(new_phone, pool, event_id, "Ana Silva")
    ana_phone = await subscribe(ana, push)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 2  # Olga's and Ben's
        await worker.run_once()
    assert push.received_for(ana_phone) == []
    [digest] = push.received_for(ben_phone)
    assert "Who did you miss" in digest.json()["title"]
