"""Dana blocks (or removes) Olga from the page of Olga's second card, opened before Olga merged
that card into her first; the merge ends as Dana presses. The press read whom the page names
(the second card), and waited for the merge (tests/signin/test_merge_during_remove.py), which
made Dana's two rows about Olga one, about the first card, and ended the second card's
account. Block then found nobody to block and still said "Blocked."; Remove found nothing to
remove and landed on the list with no word. Olga is one person: the press follows the card
merged away to the account kept (merged_accounts), so Block blocks Olga and Remove removes
her, with their usual notices; when Dana has no contact row with the account kept, it says
what a page of someone no longer in her list says (404), never "Blocked." for nobody.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from server.contacts.contacts import NOT_IN_LIST
from tests.contacts.test_take_back import button_form
from tests.phone import text_of
from tests.signin.test_merge_during_remove import (
    button_on_her_page,
    dana_met_both_cards,
    pressed_during_the_merge,
)
from tests.signin.test_merging import swap
from tests.signin.test_moving import show_code

BLOCKED = "SELECT blocker_id, blocked_id FROM blocks ORDER BY blocker_id"


async def account_named(pool: asyncpg.Pool, name: str) -> int:
    return int(await pool.fetchval("SELECT account_id FROM cards WHERE name = $1", name))


def merge_said(merging: Any) -> None:
    assert merging.status_code == 303, (merging.status_code, text_of(merging)[:300])


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_block_from_the_page_of_the_card_olga_merges_away_blocks_olga(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, second, source = await dana_met_both_cards(new_phone, pool)
    block = await button_on_her_page(dana, pool, "Block Olga O.", "Olga O.")
    merging, blocking = await pressed_during_the_merge(dana, second, pool, source, block)
    merge_said(merging)
    assert blocking.status_code == 303, (blocking.status_code, text_of(blocking)[:300])
    assert "Blocked." in text_of(await dana.get(blocking.headers["location"]))
    dana_id, olga = (
        await account_named(pool, "Dana Lee"),
        await account_named(pool, "Olga Organizer"),
    )
    assert [tuple(r) for r in await pool.fetch(BLOCKED)] == [(dana_id, olga)]
    assert "Olga" not in text_of(await dana.get(dana.url("contacts")))
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0


@pytest.mark.usefixtures("deadlocks_seen_at_once")
async def test_remove_from_the_page_of_the_card_olga_merges_away_removes_olga(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, second, source = await dana_met_both_cards(new_phone, pool)
    remove = await button_on_her_page(dana, pool, "Remove Olga O.", "Olga O.")
    merging, removing = await pressed_during_the_merge(dana, second, pool, source, remove)
    merge_said(merging)
    assert removing.status_code == 303, (removing.status_code, text_of(removing)[:300])
    listing = await dana.get(removing.headers["location"])
    assert "Removed Olga Organizer." in text_of(listing)
    assert "Olga" not in text_of(await dana.get(dana.url("contacts")))
    # With its Undo, which brings Olga back as she is now: one card. (The window kept open
    # for the test: the clock is not under test here.)
    await pool.execute("UPDATE contact_removals SET undo_until = now() + interval '1 hour'")
    undone = await dana.post(str(button_form(listing, "Undo")["action"]))
    assert undone.status_code == 303, (undone.status_code, text_of(undone)[:300])
    assert "Olga Organizer is back in your contacts" in text_of(
        await dana.get(undone.headers["location"])
    )
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 2


async def olga_blocked_dana_on_her_first_card(new_phone: Any, pool: asyncpg.Pool) -> Any:
    """As dana_met_both_cards, and Olga, on her first card, then blocked Dana. Dana's phone,
    the second card's and its account."""
    dana = await new_phone()
    await dana.make_card()
    first = await new_phone()
    await first.make_card(name="Olga Organizer", email="olga@example.com")
    second = await new_phone()
    await second.make_card(name="Olga O.", email="olga.o@example.com")
    await swap(dana, first)
    await swap(dana, second)
    mine = await pool.fetchval(
        "SELECT c.id FROM contacts c JOIN cards o ON o.account_id = c.owner_id"
        " WHERE o.name = 'Olga Organizer'"
    )
    page = await first.get(first.url("contact", contact_id=mine))
    blocked = await first.post(str(button_form(page, "Block Dana Lee")["action"]))
    assert blocked.status_code == 303, text_of(blocked)[:300]
    source = await account_named(pool, "Olga O.")
    signed = await second.post(second.url("move_enter_submit"), {"code": await show_code(first)})
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]
    return dana, second, source


@pytest.mark.usefixtures("deadlocks_seen_at_once")
@pytest.mark.parametrize("label", ["Block Olga O.", "Remove Olga O."])
async def test_a_press_for_the_card_merged_into_someone_not_in_her_list_says_so(
    new_phone: Any, pool: asyncpg.Pool, label: str
) -> None:
    """Olga blocked Dana from her first card: the merge takes the second card's rows about
    Dana away with it (a card merged in connects nobody blocked), and Dana has no contact row
    with the account kept. Nothing is done, and the page says so."""
    dana, second, source = await olga_blocked_dana_on_her_first_card(new_phone, pool)
    button = await button_on_her_page(dana, pool, label, "Olga O.")
    merging, pressing = await pressed_during_the_merge(dana, second, pool, source, button)
    merge_said(merging)
    assert pressing.status_code == 404, (pressing.status_code, text_of(pressing)[:300])
    assert NOT_IN_LIST in text_of(pressing)
    dana_id, olga = (
        await account_named(pool, "Dana Lee"),
        await account_named(pool, "Olga Organizer"),
    )
    # Olga's block only: none of Dana's, and nothing to undo.
    assert [tuple(r) for r in await pool.fetch(BLOCKED)] == [(olga, dana_id)]
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 0
    assert "Olga" not in text_of(await dana.get(dana.url("contacts")))
