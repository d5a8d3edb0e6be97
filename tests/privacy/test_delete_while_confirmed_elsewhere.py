"""Deleting a guest card whose address is being confirmed, that moment, for its owner's own
account (review of a397708). The deleting clears, last, the confirmation of an address
confirmed for the card alone (delete_account() in sql/logic.sql). It waited there for the
address, which the press of "Confirm my address" for his account had updated; PostgreSQL then
read again the address alone, not the confirmations, which the clearing had read before the
wait: it cleared the address's confirmation though his, committed meanwhile, was there. His
settings said "not confirmed yet", and his reminders by email stopped. Now the deleting holds
the addresses first, then clears what it sees once it has them: his confirmation stays.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from tests.mailing import leaves_details
from tests.phone import soup, text_of
from tests.signin.test_guests import LOU, lou_offered_the_card_dana_typed
from tests.waiting import until_waiting_for_lock


async def test_deleting_the_typed_card_keeps_the_address_confirmed_meanwhile_for_his_account(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    laptop, guest, account = await lou_offered_the_card_dana_typed(new_phone, pool, mail, app)
    # His address confirmed for the typed card alone (a "You met" of it pressed), not yet for
    # his own account.
    await pool.execute(
        "UPDATE address_confirmations SET account_id = $1 WHERE account_id = $2", guest, account
    )
    async with pool.acquire() as pressing, pressing.transaction():
        # "Confirm my address" pressed for his account: confirmed, not yet committed.
        await app.state.sql.run(
            pressing, "mail.confirm", address=LOU["email"], account_id=account, resubscribe=False
        )
        # "Delete that card", on the merge page his laptop shows: it waits for the address.
        deleting = asyncio.create_task(
            laptop.post(laptop.url("sign_in_merge_choose"), {"choice": "delete"})
        )
        await until_waiting_for_lock(
            pool, "the deleting waiting for the address", held_by=pressing.get_server_pid()
        )
    gone = await deleting
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == laptop.url("contacts") + "?notice=guest_deleted"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", guest) == 0
    settings = soup(await laptop.get(laptop.url("settings")))
    status = settings.find(id="email-status").get_text(" ", strip=True)
    assert status.startswith(f"Reminders by email go to {LOU['email']} : confirmed ."), status
    # Confirmed, the address gets a busy day's "You met" (unconfirmed, one first email a day,
    # and Dana's typing sent today's): he leaves his details on two cards, both email him.
    met = "SELECT count(*) FROM emails WHERE kind = 'met' AND to_address = $1"
    before = await pool.fetchval(met, LOU["email"])
    for _ in range(2):
        await leaves_details(new_phone, name=LOU["name"], email=LOU["email"])
    assert await pool.fetchval(met, LOU["email"]) == before + 2
