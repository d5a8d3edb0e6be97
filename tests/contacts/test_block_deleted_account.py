"""Blocking someone whose account is being deleted at that moment: their contact page was
shown, then they deleted their account as Block was pressed. The block is moot (the deletion
took everything between the two) and is answered as done, not with a foreign-key error (a
500), and nothing is left behind."""

from __future__ import annotations

import asyncio

from server.contacts import blocks
from tests.contacts.test_blocks import contact_of
from tests.phone import soup, text_of
from tests.reminders import swapped
from tests.waiting import until_waiting_for_lock

MIA = 2  # swapped(): Dana is account 1, Mia account 2


async def test_block_pressed_while_they_delete_their_account_is_not_an_error(new_phone, pool):
    dana, _mia = await swapped(new_phone)
    page = await dana.get(dana.url("contact", contact_id=await contact_of(pool, 1)))
    form = soup(page).select_one("details summary").find_parent("details").form
    assert form.button.get_text(strip=True) == "Block Mia Chen"
    block = form["action"]
    async with pool.acquire() as deleting:
        deletion = deleting.transaction()
        await deletion.start()
        # Mia's deletion is under way (its statement done, not yet committed)...
        assert await deleting.fetchval("SELECT delete_account($1)", MIA)
        # ...as Dana presses Block on the page shown before: it waits for the deletion.
        pressed = asyncio.create_task(dana.post(block))
        await until_waiting_for_lock(
            pool, "the block waiting for the deletion", held_by=deleting.get_server_pid()
        )
        await deletion.commit()
        answer = await pressed
    assert answer.status_code == 303, text_of(answer)
    assert "Blocked." in text_of(await dana.get(answer.headers["location"]))
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", MIA) == 0
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 0
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert "Mia Chen" not in text_of(await dana.get(dana.url("contacts")))


async def test_block_of_an_account_deleted_a_moment_before_changes_nothing(new_phone, pool, app):
    await swapped(new_phone)
    assert await pool.fetchval("SELECT delete_account($1)", MIA)
    assert await blocks.block(pool, app.state.sql, 1, MIA) is False
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 0
    # Dana's own account, the blocker's, is untouched.
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = 1") == 1
