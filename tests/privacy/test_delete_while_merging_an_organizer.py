"""Mia deletes her account while Olga merges into her first card the second card she made by
mistake, which organises an event and met Mia there (review of a397708). A swap tags each
side's contact row with its own owner's event: the second card's row about Mia names Olga's
event, which Mia never joined. The deleting held the follow-ups kept about Mia (that card's
too), then, late, updated that event's counts (departed_swaps); the merge held the event
first (it moves its organizer), then wanted the card's follow-ups: each waited for the other,
in a circle, and one of the two failed as a deadlock's victim, with a 503 ("Reachout is busy
with this just now"). Now the deleting holds the events its contact rows name either way
first, with its own, in id order (hold_to_delete() in sql/logic.sql), as the merge does: the
merge waits for it, then goes on.

The deleting is brought to the point where it holds the follow-ups by holding Mia's
reminders lock a moment, as a worker queueing her reminders does. Every connection looks for
a deadlock 1 ms into a wait, so that a circle, if there were one, would stop whichever closes
it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.events.test_routes import event_form
from tests.phone import text_of
from tests.signin.test_merging import swap
from tests.signin.test_moving import show_code
from tests.waiting import until_waiting_for_lock

# As a worker queueing reminders holds an owner's lock (deliveries.lock_owners).
HOLD_HER_REMINDERS = "SELECT pg_advisory_xact_lock(hashtextextended('reminders:' || $1::bigint, 0))"


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_mia_deleting_her_account_while_olga_merges_the_card_that_met_her_does_both(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    first = await new_phone()
    await first.make_card(name="Olga Organizer", email="olga@example.com")
    second = await new_phone()
    await second.make_card(name="Olga O.", email="olga.o@example.com")
    made = await second.post(second.url("event_create"), event_form())
    assert made.status_code == 303, text_of(made)[:300]
    event = int(made.headers["location"].rsplit("/", 1)[1])
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    # Olga's second card meets Mia at her event; Mia never joined it.
    await swap(second, mia)
    source, mia_id = await pool.fetchrow(
        "SELECT (SELECT account_id FROM cards WHERE name = 'Olga O.'),"
        " (SELECT account_id FROM cards WHERE name = 'Mia Chen')"
    )
    assert (
        await pool.fetchval(
            "SELECT event_id FROM contacts WHERE owner_id = $1 AND contact_id = $2", source, mia_id
        )
        == event
    )
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM followups f JOIN contacts c ON c.id = f.contact_id"
            " WHERE c.owner_id = $1 AND c.contact_id = $2",
            source,
            mia_id,
        )
        == 1
    )
    # The second card signs in to the first with a move code: offered to merge into it.
    signed = await second.post(second.url("move_enter_submit"), {"code": await show_code(first)})
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]
    async with pool.acquire() as worker, worker.transaction():
        await worker.execute(HOLD_HER_REMINDERS, mia_id)
        # Mia's deleting holds the follow-ups kept about her, and waits for the lock.
        deleting = asyncio.create_task(
            mia.post(mia.url("delete_account_confirm"), {"confirm": "delete"})
        )
        await until_waiting_for_lock(pool, "the deleting waiting", held_by=worker.get_server_pid())
        # Olga merges: waiting for the deleting (before, holding the event it updates).
        merging = asyncio.create_task(
            second.post(second.url("sign_in_merge_choose"), {"choice": "merge"})
        )
        await until_waiting_for_lock(pool, "the merge waiting too", count=2)
    gone = await deleting
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == mia.url("home") + "?notice=account_deleted"
    merged = await merging
    assert merged.status_code == 303, (merged.status_code, text_of(merged)[:300])
    assert "Merged." in text_of(await second.get(merged.headers["location"]))
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", mia_id) == 0
    # The event is the first card's now, and still counts the swap with Mia.
    page = text_of(await first.get(first.url("event", event_id=event)))
    assert "Lunch & Learn" in page
    assert await pool.fetchval("SELECT departed_swaps FROM events WHERE id = $1", event) == 1
