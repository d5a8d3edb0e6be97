"""Dana removes Mia at the moment Mia deletes her account (review H4). The deleting holds
Mia's follow-ups, then her account, and reached the two contact rows and Dana's follow-up
about Mia only by its cascade; the removal held both contact rows, then both follow-ups:
each waited for the other, in a circle, and one of the two failed as a deadlock's victim,
with a 503 ("Reachout is busy with this just now"). Now the removal holds the follow-ups
first (contacts.hold_pair_followups), and the deleting holds the follow-ups others keep about
Mia with her own (hold_to_delete() in sql/logic.sql): the removal waits for the deleting,
then finds nothing left to remove; both are done.

Either may come first. The deleting is brought to the point where it holds the follow-ups
by holding Mia's reminders lock a moment, as a worker queueing her reminders does; the
removal, to the point where it holds them, by holding Dana's contact row a moment, as a note
saving does. Every connection looks for a deadlock 1 ms into a wait, so that a circle, if
there were one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.contacts.test_take_back import button_form, contact_of
from tests.phone import soup, text_of
from tests.reminders import swapped
from tests.waiting import until_waiting_for_lock

DANA, MIA = 1, 2  # swapped(): Dana is account 1, Mia account 2

# As a worker queueing reminders holds an owner's lock (deliveries.lock_owners).
HOLD_HER_REMINDERS = "SELECT pg_advisory_xact_lock(hashtextextended('reminders:' || $1::bigint, 0))"
# As a note saving holds the row it updates.
HOLD_HIS_ROW = "SELECT 1 FROM contacts WHERE owner_id = $1 FOR NO KEY UPDATE"


async def remove_button(dana: Any, pool: asyncpg.Pool) -> str:
    """Where "Remove Mia Chen" on Dana's page for her posts."""
    page = await dana.get(dana.url("contact", contact_id=await contact_of(pool, DANA)))
    return str(button_form(page, f"Remove {soup(page).h1.get_text(strip=True)}")["action"])


async def both_done(dana: Any, mia: Any, pool: asyncpg.Pool, gone: Any, removed: Any) -> None:
    """Both answered as done: Mia is gone entirely, and from Dana's list; nothing of theirs
    is kept to undo (a removal that went first went with her account)."""
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == mia.url("home") + "?notice=account_deleted"
    assert removed.status_code == 303, (removed.status_code, text_of(removed)[:300])
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", MIA) == 0
    listing = text_of(await dana.get(removed.headers["location"]))
    assert "Mia Chen" not in listing
    assert "Undo" not in listing
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await pool.fetchval("SELECT count(*) FROM followups") == 0
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 0


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_removing_mia_while_she_deletes_her_account_does_both(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, mia = await swapped(new_phone)
    remove = await remove_button(dana, pool)
    async with pool.acquire() as worker, worker.transaction():
        await worker.execute(HOLD_HER_REMINDERS, MIA)
        # Mia's deleting holds her follow-ups (and Dana's about her), and waits for the lock.
        deleting = asyncio.create_task(
            mia.post(mia.url("delete_account_confirm"), {"confirm": "delete"})
        )
        await until_waiting_for_lock(pool, "the deleting waiting", held_by=worker.get_server_pid())
        # Dana presses Remove on the page shown before: it waits for the deleting.
        removing = asyncio.create_task(dana.post(remove))
        await until_waiting_for_lock(pool, "the removal waiting too", count=2)
    await both_done(dana, mia, pool, await deleting, await removing)


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_mia_deleting_her_account_while_dana_removes_her_does_both(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, mia = await swapped(new_phone)
    remove = await remove_button(dana, pool)
    async with pool.acquire() as saving, saving.transaction():
        await saving.execute(HOLD_HIS_ROW, DANA)
        # Dana's removal holds both follow-ups, and waits for his contact row.
        removing = asyncio.create_task(dana.post(remove))
        await until_waiting_for_lock(pool, "the removal waiting", held_by=saving.get_server_pid())
        # Mia deletes her account meanwhile: it waits for the removal.
        deleting = asyncio.create_task(
            mia.post(mia.url("delete_account_confirm"), {"confirm": "delete"})
        )
        await until_waiting_for_lock(pool, "the deleting waiting too", count=2)
    await both_done(dana, mia, pool, await deleting, await removing)
