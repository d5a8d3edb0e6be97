"""Signing in with a code to an account while it is deleted in its owner's other browser
(review H1). The sign-in holds the codes typed (signin.live_codes), then confirms the address
for the account and starts a session there, each keyed to the account; the deleting held the
account first and reached those codes by its cascade (sign_in_codes.account_id): each waited
for the other, in a circle, and one of the two failed as a deadlock's victim, the deleting
with a 503 ("Reachout is busy with this just now"). Now the deleting holds the account's
codes before the account (hold_to_delete() in sql/logic.sql): the sign-in waits for it, then
finds the code gone with the account, and says so; the account is deleted.

The deleting is brought to its cascade by holding Mia's card a moment (an edit of it
saving). Every connection looks for a deadlock 1 ms into a wait, so that a circle, if there
were one, would stop whichever closes it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from server.signin.codes import NO_LIVE_CODE
from tests.mailing import code_sent
from tests.phone import text_of
from tests.signin.test_guests import CODE
from tests.waiting import until_waiting_for_lock

MIA = "mia@example.com"
HOLD_HER_CARD = "SELECT 1 FROM cards WHERE account_id = $1 FOR UPDATE"


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_a_code_typed_while_her_account_is_deleted_says_it_no_longer_works(
    new_phone: Any, pool: asyncpg.Pool, mail: Any, app: Any
) -> None:
    # Her address is on her card, confirmed for nobody, and she has no passkey: typing
    # "delete" confirms the deleting, and a code to the address opens her account.
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email=MIA)
    account = await pool.fetchval("SELECT account_id FROM cards WHERE email = $1", MIA)
    laptop = await new_phone()
    asked = await laptop.post(laptop.url("sign_in_ask"), {"email": MIA})
    assert asked.status_code == 303, text_of(asked)
    code = await code_sent(app, mail, CODE, MIA)
    async with pool.acquire() as editing, editing.transaction():
        await editing.execute(HOLD_HER_CARD, account)
        deleting = asyncio.create_task(
            mia.post(mia.url("delete_account_confirm"), {"confirm": "delete"})
        )
        await until_waiting_for_lock(
            pool, "the deleting waiting for her card", held_by=editing.get_server_pid()
        )
        # Her code typed on the laptop: it waits for the deleting.
        signing = asyncio.create_task(
            laptop.post(laptop.url("sign_in_code"), {"email": MIA, "code": code})
        )
        await until_waiting_for_lock(pool, "the sign-in waiting too", count=2)
    gone = await deleting
    assert gone.status_code == 303, (gone.status_code, text_of(gone)[:300])
    assert gone.headers["location"] == mia.url("home") + "?notice=account_deleted"
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", account) == 0
    answer = await signing
    assert answer.status_code == 422, (answer.status_code, text_of(answer)[:300])
    assert NO_LIVE_CODE in text_of(answer)
    # Nothing signed in: the laptop has no account to show.
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0
