"""Dana opens the page of Olga's second card; Olga then merges that card into her first, and
the merge is done before Dana presses Remove or Block. Dana met both cards, so the merge made
her two rows about Olga one and deleted the row the page's buttons name: the press answered
"That contact is not in your list." though Olga is still in it. The page's forms now carry
whom the page is about; with the row gone, a press follows that account through the merge
(merged_accounts) to the account kept, and acts on it only when Dana has a contact row with
it, as from its own page. The field is followed nowhere else: a row still there decides, and
an account named that was never merged away (or was, into someone Dana has not met) is the
same 404 as before, with nothing changed.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from bs4 import Tag

from server.contacts.contacts import NOT_IN_LIST
from tests.contacts.test_block_after_merge import BLOCKED, account_named
from tests.contacts.test_take_back import button_form
from tests.phone import Phone, text_of
from tests.signin.test_merge_during_remove import dana_met_both_cards, dana_row_about, merged
from tests.signin.test_merging import swap
from tests.signin.test_moving import show_code


def form_of(page: Any, label: str) -> tuple[str, dict[str, str]]:
    """The form of the button ``label``: where it goes and all it sends."""
    form = button_form(page, label)
    assert isinstance(form, Tag)
    sent = {str(field["name"]): str(field.get("value", "")) for field in form.find_all("input")}
    return str(form["action"]), sent


async def page_then_merge(
    new_phone: Any, pool: asyncpg.Pool, label: str
) -> tuple[Phone, str, dict[str, str]]:
    """Dana opens the page of Olga's second card; Olga merges it into her first, and the
    merge is done. Dana's phone, and the form of the button ``label`` as her page shows it."""
    dana, second, source = await dana_met_both_cards(new_phone, pool)
    page = await dana.get(dana.url("contact", contact_id=await dana_row_about(pool, "Olga O.")))
    action, sent = form_of(page, label)
    await merged(
        second,
        pool,
        source,
        await second.post(second.url("sign_in_merge_choose"), {"choice": "merge"}),
    )
    return dana, action, sent


async def test_block_pressed_after_the_merge_blocks_olga(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, action, sent = await page_then_merge(new_phone, pool, "Block Olga O.")
    blocking = await dana.post(action, sent)
    assert blocking.status_code == 303, (blocking.status_code, text_of(blocking)[:300])
    assert "Blocked." in text_of(await dana.get(blocking.headers["location"]))
    dana_id, olga = (
        await account_named(pool, "Dana Lee"),
        await account_named(pool, "Olga Organizer"),
    )
    assert [tuple(r) for r in await pool.fetch(BLOCKED)] == [(dana_id, olga)]
    assert "Olga" not in text_of(await dana.get(dana.url("contacts")))
    assert await pool.fetchval("SELECT count(*) FROM contacts") == 0


async def test_remove_pressed_after_the_merge_removes_olga_with_undo(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    dana, action, sent = await page_then_merge(new_phone, pool, "Remove Olga O.")
    removing = await dana.post(action, sent)
    assert removing.status_code == 303, (removing.status_code, text_of(removing)[:300])
    listing = await dana.get(removing.headers["location"])
    assert "Removed Olga Organizer." in text_of(listing)
    assert "Olga" not in text_of(await dana.get(dana.url("contacts")))
    # Its Undo brings Olga back as she is now (the window kept open: no clock under test).
    await pool.execute("UPDATE contact_removals SET undo_until = now() + interval '1 hour'")
    undone = await dana.post(str(button_form(listing, "Undo")["action"]))
    assert undone.status_code == 303, (undone.status_code, text_of(undone)[:300])
    assert "Olga Organizer is back in your contacts" in text_of(
        await dana.get(undone.headers["location"])
    )


async def merged_strangers(new_phone: Any, pool: asyncpg.Pool) -> int:
    """Two cards of someone Dana never met, the second (which met Lou) merged into the first:
    the second's account (gone, in merged_accounts)."""
    kept = await new_phone()
    await kept.make_card(name="Kim Kept", email="kim@example.com")
    gone = await new_phone()
    await gone.make_card(name="Kim Gone", email="kim.g@example.com")
    # A card that met nobody is not offered to merge (signing in leaves it).
    met = await new_phone()
    await met.make_card(name="Lou Met", email="lou@example.com")
    await swap(gone, met)
    source = await account_named(pool, "Kim Gone")
    signed = await gone.post(gone.url("move_enter_submit"), {"code": await show_code(kept)})
    assert signed.status_code == 303 and "/sign-in/merge" in signed.headers["location"]
    chose = await gone.post(gone.url("sign_in_merge_choose"), {"choice": "merge"})
    await merged(gone, pool, source, chose)
    return source


@pytest.mark.parametrize("label", ["Block Olga O.", "Remove Olga O."])
@pytest.mark.parametrize("forged", ["kept card, never merged", "stranger", "merged stranger"])
async def test_a_forged_person_on_the_gone_row_changes_nothing(
    new_phone: Any, pool: asyncpg.Pool, label: str, forged: str
) -> None:
    """The row is gone; the form names, instead of the card merged away, Olga's kept card
    (in Dana's list, but merged into nobody), a stranger, or a card merged into a stranger:
    404 as before, nothing blocked or removed."""
    dana, action, sent = await page_then_merge(new_phone, pool, label)
    if forged == "kept card, never merged":
        person = await account_named(pool, "Olga Organizer")
    elif forged == "stranger":
        stranger = await new_phone()
        await stranger.make_card(name="Sol Stranger", email="sol@example.com")
        person = await account_named(pool, "Sol Stranger")
    else:
        person = await merged_strangers(new_phone, pool)
    assert "person" in sent, sent
    pressing = await dana.post(action, {**sent, "person": str(person)})
    assert pressing.status_code == 404, (pressing.status_code, text_of(pressing)[:300])
    assert NOT_IN_LIST in text_of(pressing)
    assert await pool.fetchval("SELECT count(*) FROM blocks") == 0
    assert await pool.fetchval("SELECT count(*) FROM contact_removals") == 0
    assert "Olga Organizer" in text_of(await dana.get(dana.url("contacts")))


async def test_a_row_still_there_decides_whatever_the_form_names(
    new_phone: Any, pool: asyncpg.Pool
) -> None:
    """Dana's page of Mia, its form made to name Olga's card merged away (into Olga's kept
    card, in Dana's list): the row in the address is there, and Mia is blocked, not Olga."""
    dana, second, source = await dana_met_both_cards(new_phone, pool)
    mia = await new_phone()
    await mia.make_card(name="Mia Chen", email="mia@example.com")
    await swap(dana, mia)
    await merged(
        second,
        pool,
        source,
        await second.post(second.url("sign_in_merge_choose"), {"choice": "merge"}),
    )
    page = await dana.get(dana.url("contact", contact_id=await dana_row_about(pool, "Mia Chen")))
    action, sent = form_of(page, "Block Mia Chen")
    assert "person" in sent, sent
    blocking = await dana.post(action, {**sent, "person": str(source)})
    assert blocking.status_code == 303, (blocking.status_code, text_of(blocking)[:300])
    dana_id, mia_id = await account_named(pool, "Dana Lee"), await account_named(pool, "Mia Chen")
    assert [tuple(r) for r in await pool.fetch(BLOCKED)] == [(dana_id, mia_id)]
    assert "Olga Organizer" in text_of(await dana.get(dana.url("contacts")))
