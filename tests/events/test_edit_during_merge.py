"""Olga edits her event's end in one browser while, in another, she merges that account
into her other one: neither fails. The edit holds the event, then its attendees; the merge
now takes the events the account organises before its attendee rows too (lock_merge() in
sql/logic.sql), so the two never wait for each other in a circle."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.events.test_routes import attendee, organizer_with_event
from tests.reminders import event_ended, running_worker
from tests.waiting import until_waiting_for_lock


async def test_an_edit_of_the_end_during_a_merge_of_its_organizer(new_phone, pool, push, app):
    _, event_id = await organizer_with_event(new_phone)
    await attendee(new_phone, pool, event_id, "Ana Silva")
    other = await new_phone()
    await other.make_card(name="Olga O.", email="olga.o@example.com")
    olga_id, kept_id = [
        row["account_id"]
        for row in await pool.fetch(
            "SELECT account_id FROM cards WHERE name IN ('Olga Organizer', 'Olga O.')"
            " ORDER BY name DESC"
        )
    ]
    await event_ended(pool)
    async with running_worker(app, push, digest_delay_seconds=0) as worker:
        assert await worker.enqueue_digests() == 2  # hers among them: the edit will hold it
    sql = app.state.sql
    async with pool.acquire() as editing, pool.acquire() as merging:
        edit = editing.transaction()
        await edit.start()
        # Her edit of the end has held the event...
        assert await sql.run(editing, "events.hold_for_edit", id=event_id, organizer_id=olga_id)

        async def merges() -> None:
            async with merging.transaction():
                await sql.run(
                    merging, "sessions.lock_merge_source", source=olga_id, account_id=kept_id
                )
                await sql.run(merging, "sessions.merge_into", source=olga_id, account_id=kept_id)

        # ...as the merge starts in her other browser...
        merge = asyncio.create_task(merges())
        await until_waiting_for_lock(
            pool, "the merge waiting for the edit", held_by=editing.get_server_pid()
        )
        # ...and the edit goes on to the attendees, then saves.
        await sql.run(editing, "events.hold_waiting_attendees", id=event_id)
        later = datetime.now(UTC) + timedelta(hours=2)
        await editing.execute("UPDATE events SET ends_at = $1 WHERE id = $2", later, event_id)
        await edit.commit()
        await asyncio.wait_for(merge, 10)
    assert await pool.fetchval("SELECT organizer_id FROM events") == kept_id
    assert await pool.fetchval("SELECT ends_at FROM events") == later
