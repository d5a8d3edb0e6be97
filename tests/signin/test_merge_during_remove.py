"""Dana removes (or blocks) Olga's second card at the moment Olga merges it into her first
(review of the lock order, H8). Dana met both cards: the merge makes her two rows about Olga
one, deleting her row about the second card, and reached her follow-up about it only by that
row's cascade, after holding the second card's follow-ups and then its account
(lock_merge() in sql/logic.sql). A Remove or a Block holds the pair's follow-ups first, in id
order (contacts.hold_pair_followups): it held Dana's, then waited for the
second card's, which the merge held; the merge then waited for Dana's: a circle, and one of
the two failed as a deadlock's victim, with a 503 ("Reachout is busy with this just now").
Now the merge holds, with the two cards' own follow-ups and in one id order, those others keep
about the card merged in (and, of people who met both, about the card kept): the Remove or
Block waits for the merge, then finds the second card gone, and both are done: a Remove or a
Block of the second card then follows it to the card kept, tested with this same race in
tests/contacts/test_block_after_merge.py.

The merge is brought to the point where it holds the follow-ups by holding the second card's
reminders lock a moment, as a worker queueing its reminders does. Every connection looks for a
deadlock 1 ms into a wait, so that a circle, if there were one, would stop whichever closes
it, every time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from tests.contacts.test_take_back import button_form
from tests.phone import Phone, text_of
from tests.signin.test_merging import swap
from tests.signin.test_moving import show_code
from tests.waiting import until_waiting_for_lock

# As a worker queueing reminders holds an owner's lock (deliveries.lock_owners).
HOLD_ITS_REMINDERS = "SELECT pg_advisory_xact_lock(hashtextextended('reminders:' || $1::bigint, 0))"


async def dana_met_both_cards(new_phone: Any, pool: asyncpg.Pool) -> tuple[Phone, Phone, int]:
    """Dana (made first: her follow-ups come first in each pair) met Olga's first card and the
    second Olga made by mistake; the second is offered to merge into the first. Dana's phone,
    the second card's and the second card's account."""
    dana = await new_phone()
    await dana.make_card()
    first = await new_phone()
    await first.make_card(name="Olga Organizer", email="olga@example.com")
    second = await new_phone()
    await second.make_card(name="Olga O.", email="olga.o@example.com")
    await swap(dana, first)
    await swap(dana, second)
    source = int(await pool.fetchval("SELECT account_id FROM cards WHERE name = 'Olga O.'"))
    signed = await second.post(second.url("move_enter_submit"), {"code": await show_code(first)})
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]
    return dana, second, source


async def dana_row_about(pool: asyncpg.Pool, name: str) -> int:
    """Dana's contact row about the card named ``name``."""
    return int(
        await pool.fetchval(
            "SELECT c.id FROM contacts c JOIN cards mine ON mine.account_id = c.owner_id"
            " JOIN cards theirs ON theirs.account_id = c.contact_id"
            " WHERE mine.name = 'Dana Lee' AND theirs.name = $1",
            name,
        )
    )


async def button_on_her_page(dana: Any, pool: asyncpg.Pool, label: str, name: str) -> str:
    """Where the button ``label`` (as "Remove Olga O.") on Dana's page for ``name`` posts."""
    page = await dana.get(dana.url("contact", contact_id=await dana_row_about(pool, name)))
    return str(button_form(page, label)["action"])


async def pressed_during_the_merge(
    dana: Phone, second: Phone, pool: asyncpg.Pool, source: int, button: str
) -> tuple[Any, Any]:
    """The merge, holding the follow-ups, waits a moment for a worker; Dana presses ``button``
    meanwhile and waits for the merge. Both answers."""
    async with pool.acquire() as worker, worker.transaction():
        await worker.execute(HOLD_ITS_REMINDERS, source)
        merging = asyncio.create_task(
            second.post(second.url("sign_in_merge_choose"), {"choice": "merge"})
        )
        await until_waiting_for_lock(pool, "the merge waiting", held_by=worker.get_server_pid())
        pressing = asyncio.create_task(dana.post(button))
        await until_waiting_for_lock(pool, "Dana's press waiting too", count=2)
    return await merging, await pressing


async def merged(second: Phone, pool: asyncpg.Pool, source: int, answer: Any) -> None:
    """The merge is done, and says so: the second card is gone into the first."""
    assert answer.status_code == 303, (answer.status_code, text_of(answer)[:300])
    assert "Merged." in text_of(await second.get(answer.headers["location"]))
    assert await pool.fetchval("SELECT count(*) FROM accounts WHERE id = $1", source) == 0


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_dana_removing_the_card_olga_keeps_while_the_merge_reopens_her_follow_up(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    """Dana followed up with the first card already, not with the second: the merge makes
    her two rows one and reopens her follow-up about the first (merge_accounts), which a
    Remove of the first card holds first, then waits for the first card's own."""
    dana, second, source = await dana_met_both_cards(new_phone, pool)
    await pool.execute(
        "UPDATE followups SET status = 'done', done_at = now() WHERE contact_id = $1",
        await dana_row_about(pool, "Olga Organizer"),
    )
    remove = await button_on_her_page(dana, pool, "Remove Olga Organizer", "Olga Organizer")
    merging, removing = await pressed_during_the_merge(dana, second, pool, source, remove)
    await merged(second, pool, source, merging)
    # The Remove came after the merge: Olga, one card now, is removed, with Undo.
    assert removing.status_code == 303, (removing.status_code, text_of(removing)[:300])
    assert "Removed Olga Organizer." in text_of(await dana.get(removing.headers["location"]))
    assert "Olga" not in text_of(await dana.get(dana.url("contacts")))
