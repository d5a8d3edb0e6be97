"""Dana takes back her removal of Olga's second card at the moment Olga merges that card into
her first, and Olga, signed in to the first, blocks Dana (review r83). The Undo reads whom the
removal is with, holds that pair (hold_removal_to_undo() in sql/logic.sql) and then takes the
removal; while it waited for the second card, which the merge holds, the merge moved the
removal to the account it kept (merge_accounts()). Taken there, the Undo went on with a pair
it held nothing of: Olga's block, not waited for, and the Undo both went through, and Dana and
Olga were contacts again with a block between them (her list showed Olga, whom nothing would
take away). Now the Undo takes only the removal with the person it held
(contacts.undo_removal); moved meanwhile, it is undone by a try of its own holding the pair
it is with now, which Olga's block then waits for, or waits for: one after the other, never
both at once.

The merge is brought to the point where it holds the second card (its account, the removal
moved) by holding that card a moment, as keeping a rendered page of it does
(card_pages.keep). The Undo is kept from finishing, once under way, by an insert of Dana's
row about Olga not yet committed (its key is the one the Undo puts back), until Olga's block
is under way too. Every connection looks for a deadlock 1 ms into a wait, so that a circle,
if there were one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from server.contacts import blocks
from tests.contacts.test_take_back import button_form
from tests.phone import text_of
from tests.signin.test_merge_during_remove import button_on_her_page
from tests.signin.test_merging import swap
from tests.signin.test_moving import show_code
from tests.waiting import until_waiting_for_lock

# As keeping a rendered page of a card holds it (card_pages.keep).
HOLD_ITS_CARD = "SELECT 1 FROM cards WHERE account_id = $1 FOR SHARE"


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_undo_while_olga_merges_the_card_and_blocks_dana_leaves_them_apart(
    new_phone: Any, pool: asyncpg.Pool, app: Any
) -> None:
    dana = await new_phone()
    await dana.make_card()
    first = await new_phone()
    await first.make_card(name="Olga Organizer", email="olga@example.com")
    second = await new_phone()
    await second.make_card(name="Olga O.", email="olga.o@example.com")
    await swap(dana, second)  # Dana met only the second card
    ids = dict(await pool.fetch("SELECT name, account_id FROM cards"))
    me, source, kept = ids["Dana Lee"], ids["Olga O."], ids["Olga Organizer"]

    removing = await dana.post(await button_on_her_page(dana, pool, "Remove Olga O.", "Olga O."))
    listing = await dana.get(removing.headers["location"])
    assert "Removed Olga O." in text_of(listing)
    undo = str(button_form(listing, "Undo")["action"])
    # The window kept open for the test: the race is under test here, not the clock.
    await pool.execute("UPDATE contact_removals SET undo_until = now() + interval '1 hour'")
    signed = await second.post(second.url("move_enter_submit"), {"code": await show_code(first)})
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]

    sql = app.state.sql
    async with pool.acquire() as inserting:
        held = inserting.transaction()
        await held.start()
        await inserting.execute(
            "INSERT INTO contacts (owner_id, contact_id) VALUES ($1, $2)", me, kept
        )
        async with pool.acquire() as keeping, keeping.transaction():
            await keeping.execute(HOLD_ITS_CARD, source)
            merging = asyncio.create_task(
                second.post(second.url("sign_in_merge_choose"), {"choice": "merge"})
            )
            await until_waiting_for_lock(
                pool, "the merge waiting", held_by=keeping.get_server_pid()
            )
            # Dana presses Undo: it waits for the merge.
            undoing = asyncio.create_task(dana.post(undo))
            await until_waiting_for_lock(pool, "the Undo waiting too", count=2)
        merged = await merging
        assert merged.status_code == 303, (merged.status_code, text_of(merged)[:300])
        assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 0
        # The Undo is under way, with the removal as the merge left it (with Olga's first).
        [undo_pid] = await until_waiting_for_lock(
            pool, "the Undo under way", held_by=inserting.get_server_pid()
        )
        # Olga blocks Dana meanwhile.
        blocking = asyncio.create_task(blocks.block(pool, sql, kept, me))
        await until_waiting_for_lock(pool, "the block waiting for the Undo", held_by=undo_pid)
        await held.rollback()
    undone, blocked = await undoing, await blocking
    # The Undo went first, as Dana was told; the block after it, ending what it put back.
    assert undone.status_code == 303, (undone.status_code, text_of(undone)[:300])
    assert undone.headers["location"].endswith("?notice=restored")
    assert blocked is True
    assert [tuple(r) for r in await pool.fetch("SELECT blocker_id, blocked_id FROM blocks")] == [
        (kept, me)
    ]
    # Never contacts with a block between them: Olga is in Dana's list no more.
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0
    assert "Olga" not in text_of(await dana.get(dana.url("contacts")))
