"""Dana blocks Mia at the moment Mia deletes her account (review H5). The deleting holds
Mia's follow-ups with Dana's about her, then her account, and reaches the two contact rows
by its cascade (hold_to_delete() in sql/logic.sql); the block held both accounts (KEY SHARE,
blocks.hold_both), then deleted both contact rows and reached the follow-ups by their
cascade: each waited for the other, in a circle, and one of the two failed as a deadlock's
victim, with a 503 ("Reachout is busy with this just now"). Now the block holds the pair's
follow-ups first (contacts.hold_pair_followups), as a Remove does: whichever holds them first is
waited for. A block after the deleting finds nobody left to block, and is done; a deleting
after the block takes the block with the account. Both are done, and nothing is left.

Either may come first. The deleting is brought to the point where it holds the follow-ups
by holding Mia's reminders lock a moment, as a worker queueing her reminders does; the
block, to the point where it holds them and both accounts, by holding Dana's contact row a
moment, as a note saving does. Every connection looks for a deadlock 1 ms into a wait, so
that a circle, if there were one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.contacts.test_remove_during_delete import HOLD_HER_REMINDERS, HOLD_HIS_ROW
from tests.contacts.test_take_back import button_form, contact_of
from tests.phone import soup, text_of
from tests.reminders import swapped
from tests.waiting import until_waiting_for_lock

DANA, MIA = 1, 2  # swapped(): Dana is account 1, Mia account 2


async def block_button(dana: Any, pool: asyncpg.Pool) -> str:
    """Where "Block Mia Chen" on Dana's page for her posts."""
    page = await dana.get(dana.url("contact", contact_id=await contact_of(pool, DANA)))
    return str(button_form(page, f"Block {soup(page).h1.get_text(strip=True)}")["action"])


async def both_done(dana: Any, mia: Any, pool: asyncpg.Pool, gone: Any, blocked: Any) -> None:
    """Both answered as done: Mia is gone entirely, and from Dana's list; no block is left
    naming her (one made first went with her account), nor anything between the two."""
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == mia.url("home") + "?notice=account_deleted"
    assert blocked.status_code == 303, (blocked.status_code, text_of(blocked)[:300])
    assert "Blocked." in text_of(await dana.get(blocked.headers["location"]))
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", MIA) == 0
    assert "Mia Chen" not in text_of(await dana.get(dana.url("contacts")))
    assert "Mia Chen" not in text_of(await dana.get(dana.url("settings")))
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 0
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert await pool.fetchval("SELECT count(*) FROM followups") == 0


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_blocking_mia_while_she_deletes_her_account_does_both(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, mia = await swapped(new_phone)
    block = await block_button(dana, pool)
    async with pool.acquire() as worker, worker.transaction():
        await worker.execute(HOLD_HER_REMINDERS, MIA)
        # Mia's deleting holds her follow-ups (and Dana's about her), and waits for the lock.
        deleting = asyncio.create_task(
            mia.post(mia.url("delete_account_confirm"), {"confirm": "delete"})
        )
        await until_waiting_for_lock(pool, "the deleting waiting", held_by=worker.get_server_pid())
        # Dana presses Block on the page shown before: it waits for the deleting.
        blocking = asyncio.create_task(dana.post(block))
        await until_waiting_for_lock(pool, "the block waiting too", count=2)
    await both_done(dana, mia, pool, await deleting, await blocking)


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_mia_deleting_her_account_while_dana_blocks_her_does_both(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, mia = await swapped(new_phone)
    block = await block_button(dana, pool)
    async with pool.acquire() as saving, saving.transaction():
        await saving.execute(HOLD_HIS_ROW, DANA)
        # Dana's block holds both follow-ups and both accounts, and waits for his contact row.
        blocking = asyncio.create_task(dana.post(block))
        await until_waiting_for_lock(pool, "the block waiting", held_by=saving.get_server_pid())
        # Mia deletes her account meanwhile: it waits for the block.
        deleting = asyncio.create_task(
            mia.post(mia.url("delete_account_confirm"), {"confirm": "delete"})
        )
        await until_waiting_for_lock(pool, "the deleting waiting too", count=2)
    await both_done(dana, mia, pool, await deleting, await blocking)
