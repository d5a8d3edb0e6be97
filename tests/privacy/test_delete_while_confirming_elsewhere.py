"""Deleting a guest card while "Confirm my address" is pressed for another account with the
same address (review H1). Lou's address was confirmed for the card Dana typed for him (a
"You met" of it pressed once); his own account asks for its confirmation too. The deleting
cleared the card's confirmation of the address (for nobody else yet), holding the address,
before the card's account and its cascade went; the press, in the browser whose session
offers that card (which the cascade updates: merge_from), held that session and waited for
the address, while the cascade waited for the session: one of the two failed as a
deadlock's victim, the deleting with a 503 ("Reachout is busy with this just now").
Now the deleting clears the confirmation last, after its cascade (delete_account() in
sql/logic.sql): the press is done, the card deleted, the address confirmed for his account.

The deleting is brought to the point where it went on before by holding the card a moment
(an edit of it saving): the cascade waits for it. Every connection looks for a deadlock 1 ms
into a wait, so that a circle, if there were one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.phone import text_of
from tests.signin.test_confirming_offers_a_typed_card import confirmation_link
from tests.signin.test_guests import LOU, lou_offered_the_card_dana_typed
from tests.waiting import eventually, until_waiting_for_lock

HOLD_THE_CARD = "SELECT 1 FROM cards WHERE account_id = $1 FOR UPDATE"
CONFIRMATIONS = "SELECT address, account_id FROM address_confirmations ORDER BY address"


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_confirm_my_address_pressed_while_the_card_confirmed_for_it_is_deleted(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    laptop, guest, account = await lou_offered_the_card_dana_typed(new_phone, pool, mail, app)
    # His address confirmed for the typed card alone (a "You met" of it pressed), not yet for
    # his own account, which asks for it: Settings' "Send me a confirmation".
    await pool.execute(
        "UPDATE address_confirmations SET account_id = $1 WHERE account_id = $2", guest, account
    )
    link = await confirmation_link(laptop, mail, app)
    async with pool.acquire() as editing, editing.transaction():
        await editing.execute(HOLD_THE_CARD, guest)
        # "Delete that card", on the merge page his laptop shows: its cascade waits for the
        # card.
        deleting = asyncio.create_task(
            laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "delete"})
        )
        await until_waiting_for_lock(
            pool, "the deleting waiting for the card", held_by=editing.get_server_pid()
        )
        # The confirmation's button, pressed on the laptop: done, or waiting for the deleting.
        pressing = asyncio.create_task(laptop.post(link, {}))

        async def done_or_waiting() -> bool:
            return pressing.done() or len(await waiting(pool)) == 2

        await eventually(done_or_waiting, "the press done, or waiting too")
    gone = await deleting
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == laptop.url("contacts") + "?notice=guest_deleted"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", guest) == 0
    answer = await pressing
    assert answer.status_code == 303, (answer.status_code, text_of(answer)[:300])
    assert answer.headers["location"] == link + "&pressed=1"
    assert "Your address is confirmed" in text_of(await laptop.get(answer.headers["location"]))
    assert [tuple(row) for row in await pool.fetch(CONFIRMATIONS)] == [(LOU["email"], account)]
    assert await pool.fetchval(
        "SELECT confirmed_at IS NOT NULL FROM email_addresses WHERE address = $1", LOU["email"]
    )


async def waiting(pool: asyncpg.Pool) -> list[int]:
    return [
        row["pid"]
        for row in await pool.fetch(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND datname = current_database()"
        )
    ]
