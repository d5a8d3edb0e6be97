"""Block or Remove pressed on a contact page opened before the other person removed me, while
their Undo is still open: the block is made (and their Undo can no longer put me back), and
my Remove stands (their Undo is too late), rather than a 404 and their Undo undoing my wish."""

from __future__ import annotations

from tests.contacts.test_blocks import blocked_names
from tests.contacts.test_take_back import button_form, contact_of, remove
from tests.phone import soup, text_of
from tests.reminders import swapped


async def test_block_from_a_page_opened_before_they_removed_me(new_phone, pool):
    dana, mia = await swapped(new_phone)
    dana_contact, mia_contact = await contact_of(pool, 1), await contact_of(pool, 2)
    # Dana has Mia's page open, its Block form with it; then Mia removes Dana.
    block_form = button_form(
        await dana.get(dana.url("contact", contact_id=dana_contact)), "Block Mia Chen"
    )
    listing = await remove(mia, mia_contact)
    undo_form = button_form(await mia.get(listing), "Undo")

    blocked = await dana.post(block_form["action"])
    assert blocked.status_code == 303, text_of(blocked)
    assert await blocked_names(dana) == ["Mia Chen"]

    # Mia's Undo, within its seconds: nothing comes back, and nobody is told of the block.
    undone = await mia.post(undo_form["action"])
    assert undone.status_code == 404
    assert "Mia Chen" not in text_of(await dana.get(dana.url("contacts")))
    assert "Dana Lee" not in text_of(await mia.get(mia.url("contacts")))
    assert "block" not in text_of(undone).lower()


async def test_remove_from_a_page_opened_before_they_removed_me_stands(new_phone, pool):
    dana, mia = await swapped(new_phone)
    dana_contact, mia_contact = await contact_of(pool, 1), await contact_of(pool, 2)
    remove_form = button_form(
        await dana.get(dana.url("contact", contact_id=dana_contact)), "Remove Mia Chen"
    )
    listing = await remove(mia, mia_contact)
    undo_form = button_form(await mia.get(listing), "Undo")

    removed = await dana.post(remove_form["action"])
    assert removed.status_code == 303
    assert removed.headers["location"] == dana.url("contacts")

    # Both want it: Mia's Undo is too late now, and neither list has the other.
    undone = await mia.post(undo_form["action"])
    assert undone.status_code == 410
    assert "Dana Lee was removed for good." in text_of(undone)
    assert "Mia Chen" not in text_of(await dana.get(dana.url("contacts")))
    assert "Dana Lee" not in text_of(await mia.get(mia.url("contacts")))
    # Her list's notice no longer offers it either.
    assert soup(await mia.get(listing)).select_one("#removed button") is None


async def test_pressing_remove_twice_keeps_my_own_undo(new_phone, pool):
    dana, mia = await swapped(new_phone)
    mia_contact = await contact_of(pool, 2)
    remove_form = button_form(
        await mia.get(mia.url("contact", contact_id=mia_contact)), "Remove Dana Lee"
    )
    listing = await remove(mia, mia_contact)
    again = await mia.post(remove_form["action"])  # a second tap, or another tab
    assert again.status_code == 303

    undone = await mia.post(button_form(await mia.get(listing), "Undo")["action"])
    assert undone.status_code == 303
    assert "Dana Lee" in text_of(await mia.get(mia.url("contacts")))
    assert "Mia Chen" in text_of(await dana.get(dana.url("contacts")))


async def test_a_contact_gone_for_good_is_still_a_404(new_phone, pool):
    dana, mia = await swapped(new_phone)
    dana_contact, mia_contact = await contact_of(pool, 1), await contact_of(pool, 2)
    block_form = button_form(
        await dana.get(dana.url("contact", contact_id=dana_contact)), "Block Mia Chen"
    )
    await remove(mia, mia_contact)
    await pool.execute("UPDATE contact_removals SET undo_until = now() - interval '1 s'")
    gone = await dana.post(block_form["action"])
    assert gone.status_code == 404
    assert "That contact is not in your list." in text_of(gone)
    # Someone else's row, removed a moment ago, names nobody to me.
    eve = await new_phone()
    await eve.make_card(name="Eve Intruder", email="eve@example.com")
    await pool.execute("UPDATE contact_removals SET undo_until = now() + interval '10 s'")
    stranger = await eve.post(eve.url("contact_block", contact_id=dana_contact))
    assert stranger.status_code == 404
    assert await blocked_names(eve) == []
