"""Dana takes back her removal of Mia at the moment Mia deletes her account (review of the
lock order, H8). The deleting holds Mia's account, then reaches Dana's removal of her by its
cascade; Undo deleted that removal first, then put the two contact rows back, whose keys
wanted Mia's account: each waited for the other, in a circle, and one of the two failed as a
deadlock's victim, with a 503 ("Reachout is busy with this just now"). Now Undo holds what
the deleting holds before the account (the pair's follow-ups, none here), then both accounts,
and only then the removal (contacts.lock_removal_pair): it waits for the deleting, then finds
the removal gone with Mia, and says there is nothing to undo.

The deleting is brought to the point where it holds Mia's account, its cascade under way, by
holding her card a moment, as saving it does. Every connection looks for a deadlock 1 ms
into a wait, so that a circle, if there were one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.contacts.test_take_back import button_form, contact_of, remove
from tests.phone import text_of
from tests.reminders import swapped
from tests.waiting import until_waiting_for_lock

DANA, MIA = 1, 2  # swapped(): Dana is account 1, Mia account 2

# As saving her card holds its row.
HOLD_HER_CARD = "SELECT 1 FROM cards WHERE account_id = $1 FOR NO KEY UPDATE"


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_dana_taking_back_her_removal_while_mia_deletes_her_account_does_both(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, mia = await swapped(new_phone)
    listing = await remove(dana, await contact_of(pool, DANA))
    undo = str(button_form(await dana.get(listing), "Undo")["action"])
    async with pool.acquire() as saving, saving.transaction():
        await saving.execute(HOLD_HER_CARD, MIA)
        # Mia's deleting holds her account, and waits in its cascade for her card.
        deleting = asyncio.create_task(
            mia.post(mia.url("delete_account_confirm"), {"confirm": "delete"})
        )
        await until_waiting_for_lock(pool, "the deleting waiting", held_by=saving.get_server_pid())
        # Dana presses Undo on the notice shown before: it waits for the deleting.
        undoing = asyncio.create_task(dana.post(undo))
        await until_waiting_for_lock(pool, "the Undo waiting too", count=2)
    gone = await deleting
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == mia.url("home") + "?notice=account_deleted"
    # The removal went with Mia's account: Undo says so, as for one gone before the press.
    undone = await undoing
    assert undone.status_code == 404, (undone.status_code, text_of(undone)[:300])
    assert "There is nothing to undo" in text_of(undone)
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", MIA) == 0
    assert "Mia Chen" not in text_of(await dana.get(dana.url("contacts")))
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 0
